/**
 * The load generator: one process, many `ws` clients, rooms of 4 peers that send signals to each
 * other. It must stay cheaper per message than any server under test, so:
 *
 * - every frame is built once per (sender, recipient) pair; a send copies it and writes the send
 *   time into fixed-width digits (no JSON.stringify per message);
 * - a received frame is never JSON-parsed: the payload starts with a marker `#S<sender>R<to>T<µs>`
 *   found with one native `indexOf`, the same for all four servers whatever their envelope;
 * - clients mask with an all-zero key, which `ws` recognises and skips (the server still unmasks,
 *   as it would for a browser);
 * - in the throughput phase each client socket is corked on its first send of an event-loop turn
 *   and uncorked in setImmediate, so the generator makes one write per socket per turn.
 */
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { machineBusySeconds, sleep, type PeerInfo, type WireProtocol } from './servers.js';
import { tcpOf } from './ws-socket.js';

export const ROOM_SIZE = 4;
const HASH = 0x23; // '#', absent from every id and control frame of the four servers
const IDX_DIGITS = 6;
const TIME_DIGITS = 12; // microseconds since the generator started: 11 days of range
/** Offsets inside the marker `#S000000R000000T000000000000`. */
const SENDER_AT = 2;
const RECIPIENT_AT = SENDER_AT + IDX_DIGITS + 1;
const TIME_AT = RECIPIENT_AT + IDX_DIGITS + 1;
const MARKER_LENGTH = TIME_AT + TIME_DIGITS;

const TEXT_FRAME = { binary: false } as const;
/** Unexpected frames kept for the report. */
const UNEXPECTED_SAMPLES = 3;

/** ws calls this for every frame; an all-zero mask makes it skip masking (ws ≥ 8.7). */
function zeroMask(mask: Buffer): void {
  mask[0] = mask[1] = mask[2] = mask[3] = 0;
}

function randomId(): string {
  return randomBytes(16).toString('base64url');
}

/** `rooms` rooms of four peers with fresh random ids (valid for all four servers). */
export function makePeers(rooms: number, firstIdx = 0): PeerInfo[] {
  const peers: PeerInfo[] = [];
  for (let r = 0; r < rooms; r++) {
    const room = randomId();
    for (let k = 0; k < ROOM_SIZE; k++) {
      peers.push({ idx: firstIdx + peers.length, id: randomId(), room, token: randomId() });
    }
  }
  return peers;
}

/** The signal payload: the marker, then filler up to `bytes` (ASCII, so bytes = characters). */
function makePayload(from: number, to: number, bytes: number): string {
  const marker = `#S${pad(from, IDX_DIGITS)}R${pad(to, IDX_DIGITS)}T${'0'.repeat(TIME_DIGITS)}`;
  const filler = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/';
  let body = '';
  while (body.length < bytes - marker.length) body += filler;
  return marker + body.slice(0, Math.max(0, bytes - marker.length));
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function writeDigits(buf: Buffer, at: number, width: number, value: number): void {
  for (let i = width - 1; i >= 0; i--) {
    buf[at + i] = 48 + (value % 10);
    value = Math.floor(value / 10);
  }
}

function readDigits(buf: Buffer, at: number, width: number): number {
  let value = 0;
  for (let i = 0; i < width; i++) value = value * 10 + (buf[at + i] - 48);
  return value;
}

// ---- connecting ------------------------------------------------------------------------------

/** Opens one client and resolves once the server has registered it (joined, subscribed…). */
export function openPeer(proto: WireProtocol, port: number, peer: PeerInfo, timeoutMs = 10_000): Promise<WebSocket> {
  return new Promise((resolveOpen, reject) => {
    // The generator trusts the servers' UTF-8 (its own payloads are ASCII): one check less per frame.
    const ws = new WebSocket(proto.url(port, peer), {
      perMessageDeflate: false,
      generateMask: zeroMask,
      skipUTF8Validation: true,
    });
    let settled = false;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      if (err) {
        ws.on('error', () => undefined); // a late error of the abandoned socket must not throw
        ws.terminate();
        reject(err);
      } else {
        resolveOpen(ws);
      }
    };
    const timer = setTimeout(() => finish(new Error(`peer ${peer.idx}: not registered within ${timeoutMs} ms`)), timeoutMs);
    // Listening from the start: PeerJS sends OPEN right after the handshake.
    const onMessage = (data: Buffer) => {
      if (!proto.ready) return;
      const verdict = proto.ready(data.toString('utf8'));
      if (verdict === true) finish(null);
      else if (typeof verdict === 'string') finish(new Error(`peer ${peer.idx} refused: ${verdict.slice(0, 200)}`));
    };
    const onClose = (code: number) => finish(new Error(`peer ${peer.idx}: closed during setup (${code})`));
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', (err) => finish(err));
    ws.once('open', () => {
      for (const frame of proto.hello(peer)) ws.send(frame);
      if (!proto.ready) finish(null);
    });
  });
}

/** The port a peer connects to: the same for all on one server, one box's on several. */
export type PortOf = (peer: PeerInfo) => number;

/** Opens all peers, at most `concurrency` handshakes at a time; fails on the first failure. */
export async function openPeers(proto: WireProtocol, portOf: PortOf, peers: PeerInfo[], concurrency = 100): Promise<WebSocket[]> {
  const sockets: WebSocket[] = new Array<WebSocket>(peers.length);
  let next = 0;
  let failed: Error | null = null;
  const worker = async () => {
    while (next < peers.length && !failed) {
      const i = next++;
      try {
        sockets[i] = await openPeer(proto, portOf(peers[i]), peers[i]);
      } catch (err) {
        failed ??= err instanceof Error ? err : new Error(String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, peers.length) }, worker));
  if (failed) {
    closeSockets(sockets.filter(Boolean));
    throw failed;
  }
  return sockets;
}

export function closeSockets(sockets: WebSocket[]): void {
  for (const ws of sockets) {
    ws.removeAllListeners('message');
    ws.on('error', () => undefined);
    ws.terminate();
  }
}

// ---- the rooms under load --------------------------------------------------------------------

export interface ThroughputResult {
  /**
   * Signals delivered to their addressee per second: the median over the measuring window's
   * slices (about one second each), so that a short disturbance by another process on the
   * machine does not decide the figure.
   */
  msgsPerSec: number;
  /** Deliveries / time over the whole window. */
  meanMsgsPerSec: number;
  /** Each slice's rate, in order. */
  sliceMsgsPerSec: number[];
  measuredSeconds: number;
  /** Server CPU time / wall time during the window (1 = one core busy). */
  serverCpu: number;
  /** Generator CPU time / wall time: near 1 would mean the generator, not the server, limits. */
  generatorCpu: number;
  /** CPU used by other processes of the machine / wall time (should be near 0). */
  otherCpu: number;
  /** Sent but never delivered after the drain wait. */
  lost: number;
}

export interface LatencyResult {
  rate: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  serverCpu: number;
  otherCpu: number;
  lost: number;
}

/** CPU use of the server, the generator and everything else over an interval. */
class CpuWatch {
  readonly #t0 = performance.now();
  readonly #server0: number;
  readonly #gen0 = process.cpuUsage();
  readonly #machine0 = machineBusySeconds();

  constructor(private readonly serverCpuSeconds: () => number) {
    this.#server0 = serverCpuSeconds();
  }

  /** Shares of one core over the interval so far. */
  read(): { seconds: number; server: number; generator: number; other: number } {
    const seconds = Math.max(1e-3, (performance.now() - this.#t0) / 1000);
    const server = this.serverCpuSeconds() - this.#server0;
    const g = process.cpuUsage(this.#gen0);
    const generator = (g.user + g.system) / 1e6;
    const other = Math.max(0, machineBusySeconds() - this.#machine0 - server - generator);
    return { seconds, server: server / seconds, generator: generator / seconds, other: other / seconds };
  }
}

export interface LoadCounters {
  /** Signals sent, in all phases. */
  sent: number;
  /** Signals delivered to their addressee, in all phases. */
  delivered: number;
  /** Of these, signals between peers connected to different ports (boxes). */
  deliveredAcross: number;
  /** Deliveries of a signal to a peer that was not its addressee (y-webrtc's broadcast). */
  extraDeliveries: number;
  /** Frames without a signal marker after setup (errors, notices). */
  unexpectedFrames: number;
  /** The first few of them, shortened, to tell an error from a notice. */
  unexpectedSamples: string[];
  /** Sockets the server closed during the load phases. */
  closedByServer: number;
}

type Mode = 'stopped' | 'closed-loop' | 'paced';

/** Rooms of four connected peers and the two load patterns run over them. */
export class LoadRooms {
  /** Frame templates: [peer * 3 + k] is peer's signal to its k-th roommate. */
  readonly #templates: Buffer[] = [];
  readonly #timeAt: number[] = [];
  readonly #outstanding: Int32Array;
  readonly #nextTo: Uint8Array;
  #mode: Mode = 'stopped';
  /** Set by close(): from then on a closing socket is expected. */
  #closing = false;
  #cork = false;
  readonly #corked = new Set<Socket>();
  #flushScheduled = false;
  #relayed = 0;
  /** Latency samples are taken for signals sent at or after this time (ms, performance.now). */
  #sampleFrom = Infinity;
  #samples: Float64Array = new Float64Array(0);
  #sampleCount = 0;
  /** Each peer's port: signals between different ports cross from one box to another. */
  readonly #port: Int32Array;
  readonly counters: LoadCounters = {
    sent: 0,
    delivered: 0,
    deliveredAcross: 0,
    extraDeliveries: 0,
    unexpectedFrames: 0,
    unexpectedSamples: [],
    closedByServer: 0,
  };

  private constructor(
    readonly peers: PeerInfo[],
    readonly sockets: WebSocket[],
    proto: WireProtocol,
    portOf: PortOf,
    payloadBytes: number,
  ) {
    this.#port = Int32Array.from(peers, portOf);
    this.#outstanding = new Int32Array(peers.length);
    this.#nextTo = new Uint8Array(peers.length);
    for (const peer of peers) {
      const roomStart = peer.idx - (peer.idx % ROOM_SIZE);
      for (let k = 1; k < ROOM_SIZE; k++) {
        const to = peers[roomStart + ((peer.idx - roomStart + k) % ROOM_SIZE)];
        const frame = Buffer.from(proto.signal(peer, to, makePayload(peer.idx, to.idx, payloadBytes)));
        const marker = frame.indexOf(HASH);
        if (marker < 0 || frame.indexOf(HASH, marker + 1) >= 0) throw new Error('signal marker not unique in frame');
        this.#templates.push(frame);
        this.#timeAt.push(marker + TIME_AT);
      }
    }
    sockets.forEach((ws, i) => {
      ws.on('message', (data: Buffer) => this.#receive(i, data));
      ws.on('error', () => undefined); // counted by the close below
      ws.on('close', () => {
        if (!this.#closing) this.counters.closedByServer++;
      });
    });
  }

  static async open(proto: WireProtocol, portOf: PortOf, rooms: number, payloadBytes: number): Promise<LoadRooms> {
    if (payloadBytes < MARKER_LENGTH) throw new Error(`payload must be at least ${MARKER_LENGTH} bytes`);
    const peers = makePeers(rooms);
    const sockets = await openPeers(proto, portOf, peers);
    // Let late setup frames (peer-joined notices, also those crossing boxes) arrive before they
    // could count as unexpected.
    await sleep(200);
    return new LoadRooms(peers, sockets, proto, portOf, payloadBytes);
  }

  close(): void {
    this.#mode = 'stopped';
    this.#closing = true;
    closeSockets(this.sockets);
  }

  get #pending(): number {
    let sum = 0;
    for (let i = 0; i < this.#outstanding.length; i++) sum += this.#outstanding[i];
    return sum;
  }

  #send(from: number): void {
    const k = this.#nextTo[from];
    this.#nextTo[from] = k === ROOM_SIZE - 2 ? 0 : k + 1;
    const template = this.#templates[from * (ROOM_SIZE - 1) + k];
    const frame = Buffer.allocUnsafe(template.length);
    template.copy(frame);
    writeDigits(frame, this.#timeAt[from * (ROOM_SIZE - 1) + k], TIME_DIGITS, Math.round(performance.now() * 1000));
    const ws = this.sockets[from];
    if (this.#cork) this.#corkFor(ws);
    this.#outstanding[from]++;
    this.counters.sent++;
    ws.send(frame, TEXT_FRAME);
  }

  #corkFor(ws: WebSocket): void {
    const tcp = tcpOf(ws);
    if (!tcp || this.#corked.has(tcp)) return;
    tcp.cork();
    this.#corked.add(tcp);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#flush);
    }
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    for (const tcp of this.#corked) tcp.uncork();
    this.#corked.clear();
  };

  #receive(at: number, data: Buffer): void {
    const marker = data.indexOf(HASH);
    if (marker < 0) {
      this.counters.unexpectedFrames++;
      if (this.counters.unexpectedSamples.length < UNEXPECTED_SAMPLES) {
        this.counters.unexpectedSamples.push(data.toString('utf8', 0, 120));
      }
      return;
    }
    const to = readDigits(data, marker + RECIPIENT_AT, IDX_DIGITS);
    if (to !== at) {
      this.counters.extraDeliveries++;
      return;
    }
    const from = readDigits(data, marker + SENDER_AT, IDX_DIGITS);
    const sentAt = readDigits(data, marker + TIME_AT, TIME_DIGITS) / 1000;
    this.#relayed++;
    this.counters.delivered++;
    if (this.#port[from] !== this.#port[at]) this.counters.deliveredAcross++;
    this.#outstanding[from]--;
    if (sentAt >= this.#sampleFrom && this.#sampleCount < this.#samples.length) {
      this.#samples[this.#sampleCount++] = performance.now() - sentAt;
    }
    // Closed loop: each delivery lets its sender send the next signal.
    if (this.#mode === 'closed-loop') this.#send(from);
  }

  /** Waits until every sent signal arrived, at most `timeoutMs`; returns how many did not. */
  async #drain(timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (this.#pending > 0 && performance.now() < deadline) await sleep(20);
    return this.#pending;
  }

  /**
   * Saturates the server: every peer keeps `window` signals in flight and sends the next one as
   * soon as one is delivered. Counts deliveries during `measureMs` after `warmupMs`.
   */
  async closedLoop(window: number, warmupMs: number, measureMs: number, serverCpuSeconds: () => number): Promise<ThroughputResult> {
    this.#mode = 'closed-loop';
    this.#cork = true;
    for (let i = 0; i < this.peers.length; i++) for (let w = 0; w < window; w++) this.#send(i);
    await sleep(warmupMs);
    const slices = Math.max(1, Math.round(measureMs / 1000));
    const sliceRates: number[] = [];
    const watch = new CpuWatch(serverCpuSeconds);
    const c0 = this.#relayed;
    let ct = c0;
    let tt = performance.now();
    for (let i = 0; i < slices; i++) {
      await sleep(measureMs / slices);
      const now = performance.now();
      sliceRates.push(((this.#relayed - ct) * 1000) / (now - tt));
      ct = this.#relayed;
      tt = now;
    }
    const cpu = watch.read();
    this.#mode = 'stopped';
    const lost = await this.#drain(5_000);
    this.#cork = false;
    this.#outstanding.fill(0); // forget lost signals so that the next phase starts clean
    return {
      msgsPerSec: median(sliceRates),
      meanMsgsPerSec: (ct - c0) / cpu.seconds,
      sliceMsgsPerSec: sliceRates.map(Math.round),
      measuredSeconds: cpu.seconds,
      serverCpu: cpu.server,
      generatorCpu: cpu.generator,
      otherCpu: cpu.other,
      lost,
    };
  }

  /**
   * Sends `rate` signals per second in total, in small timer-paced batches spread over all
   * peers in turn, and records send→delivery time of the signals sent after `warmupMs`.
   */
  async paced(rate: number, warmupMs: number, measureMs: number, serverCpuSeconds: () => number, tickMs = 5): Promise<LatencyResult> {
    const total = Math.round((rate * (warmupMs + measureMs)) / 1000);
    this.#samples = new Float64Array(Math.ceil((rate * measureMs) / 1000) + rate);
    this.#sampleCount = 0;
    this.#mode = 'paced';
    this.#cork = false; // each signal is written when it is stamped
    const start = performance.now();
    this.#sampleFrom = start + warmupMs;
    // Started by the first tick of the measuring window (not by a timer of its own, which a
    // starved event loop could run after the last tick).
    let watch: CpuWatch | null = null;
    let sent = 0;
    let cursor = 0;
    await new Promise<void>((done) => {
      const tick = () => {
        if (!watch && performance.now() >= this.#sampleFrom) watch = new CpuWatch(serverCpuSeconds);
        // Catch up to the schedule rather than drift, but never beyond the planned total.
        const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000)) - sent;
        for (let i = 0; i < due; i++) {
          this.#send(cursor);
          cursor = cursor + 1 === this.peers.length ? 0 : cursor + 1;
        }
        sent += Math.max(0, due);
        if (sent >= total) {
          clearInterval(timer);
          done();
        }
      };
      const timer = setInterval(tick, tickMs);
    });
    const cpu = (watch as CpuWatch | null)?.read() ?? { server: NaN, other: NaN };
    const lost = await this.#drain(5_000);
    this.#mode = 'stopped';
    this.#sampleFrom = Infinity;
    const samples = this.#samples.subarray(0, this.#sampleCount).sort();
    this.#outstanding.fill(0);
    return {
      rate,
      samples: samples.length,
      p50Ms: quantile(samples, 0.5),
      p99Ms: quantile(samples, 0.99),
      maxMs: samples.length ? samples[samples.length - 1] : NaN,
      serverCpu: cpu.server,
      otherCpu: cpu.other,
      lost,
    };
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
