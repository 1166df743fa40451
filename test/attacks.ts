/**
 * Attacks on the box that need no meeting link, as an outsider would run them: shared by the node
 * tests (test/node/pressure.test.ts), which assert that the box holds, and by
 * `npm run bench:pressure`, which prints what each attack costs a box.
 *
 * Every attack talks to a real box over real sockets. Attackers use 127.0.0.1; whoever checks that
 * the box still serves others uses 127.0.0.2 (a different address to the box, same loopback).
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { tcpOf } from '../scripts/bench/ws-socket.js';
import type { PeerId, RoomId } from '../signaling/protocol.js';
import { TestClient, newRoomId } from './node/helpers.js';

export const ATTACKER = '127.0.0.1';
export const BYSTANDER = '127.0.0.2';

export interface SlowConsumerOptions {
  wsUrl: string;
  /** Sockets that send to the reader (at most the room size minus one). */
  senders: number;
  /** Size of the `data` string in each signal. */
  frameBytes: number;
  /** Signals each sender sends per second (the box's RATE_PER_SECOND is the honest maximum). */
  perSecond: number;
  /** Stop once this many bytes were sent to the reader in all. */
  totalBytes: number;
  /** Called about every 100 ms while the attack runs (e.g. to sample the box's memory). */
  sample?: () => void;
}

export interface SlowConsumerResult {
  sentBytes: number;
  seconds: number;
  /** Error replies the senders got, by code. */
  errors: Record<string, number>;
  /**
   * Closes the senders and reads again: resolves with the reader's close code once it sees the
   * end, or null if the box had not closed it (the reader is then closed by the attack itself).
   */
  end(): Promise<number | null>;
  /** True when the box had closed the reader before `end` was called (its TCP connection ended). */
  readerCut: boolean;
}

/**
 * A reader joins a room of its own, stops reading from TCP and keeps sending `ping` so that it
 * looks alive; senders in that room send it large signals at `perSecond` until `totalBytes`.
 */
export async function slowConsumer(o: SlowConsumerOptions): Promise<SlowConsumerResult> {
  const room = newRoomId();
  const reader = await TestClient.open(o.wsUrl, {}, { localAddress: ATTACKER });
  await reader.join(room);
  // Stops reading from TCP, as a slow or hostile client would.
  const tcp = tcpOf(reader.ws);
  if (!tcp) throw new Error('the reader has no TCP socket');
  let readerCut = false;
  tcp.once('end', () => (readerCut = true));
  tcp.once('close', () => (readerCut = true));
  tcp.pause();
  const looksAlive = setInterval(() => reader.ws.readyState === 1 && reader.send({ type: 'ping' }), 100);
  const senders: TestClient[] = [];
  for (let i = 0; i < o.senders; i++) {
    const s = await TestClient.open(o.wsUrl, {}, { localAddress: ATTACKER });
    await s.join(room);
    senders.push(s);
  }
  const errors: Record<string, number> = {};
  for (const s of senders) {
    s.ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; code?: string };
      if (msg.type === 'error') errors[msg.code!] = (errors[msg.code!] ?? 0) + 1;
    });
  }
  const payload = 'x'.repeat(o.frameBytes);
  const frame = JSON.stringify({ type: 'signal', to: reader.id as PeerId, data: payload });
  const started = performance.now();
  let sentBytes = 0;
  const TICK_MS = 20;
  await new Promise<void>((resolve) => {
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
      const due = Math.floor((ticks * TICK_MS * o.perSecond) / 1000) - Math.floor(((ticks - 1) * TICK_MS * o.perSecond) / 1000);
      for (const s of senders) {
        for (let i = 0; i < due && sentBytes < o.totalBytes; i++) {
          s.ws.send(frame);
          sentBytes += frame.length;
        }
      }
      if (ticks % 5 === 0) o.sample?.();
      if (sentBytes >= o.totalBytes) {
        clearInterval(timer);
        resolve();
      }
    }, TICK_MS);
  });
  // Let the box work through what is in flight before anyone looks at it.
  await Promise.all(senders.map((s) => roundTrip(s)));
  const seconds = (performance.now() - started) / 1000;
  return {
    sentBytes,
    seconds,
    errors,
    readerCut,
    end: async () => {
      clearInterval(looksAlive);
      for (const s of senders) s.close();
      if (!readerCut) {
        reader.ws.terminate();
        return null;
      }
      tcp.resume();
      return (await reader.closed).code;
    },
  };
}

/** Resolves once the box has answered a ping sent now (it has handled everything sent before). */
async function roundTrip(c: TestClient): Promise<void> {
  await new Promise<void>((resolve) => {
    const onMessage = (data: Buffer) => {
      if (String(data) === '{"type":"pong"}') {
        c.ws.off('message', onMessage);
        resolve();
      }
    };
    c.ws.on('message', onMessage);
    c.send({ type: 'ping' });
  });
}

export interface SquatResult {
  /** Rooms the attacker made, each held by a peer that dropped its socket (away). */
  rooms: number;
  /** What the box answered to the join that it refused, or null if it refused none. */
  refusal: { code: string; close: number } | null;
  /** Join attempts made. */
  attempts: number;
}

/**
 * One address joins fresh rooms and drops each socket at once (the peer stays "away" for the grace
 * period), until the box refuses a join or `maxAttempts` is reached.
 */
export async function squatRooms(wsUrl: string, maxAttempts: number): Promise<SquatResult> {
  let rooms = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let c: TestClient;
    try {
      c = await TestClient.open(wsUrl, {}, { localAddress: ATTACKER });
    } catch (err) {
      return { rooms, refusal: { code: (err as Error).message, close: 0 }, attempts: attempt };
    }
    const reply = await c.join(newRoomId());
    if (reply.type !== 'welcome') {
      const { code } = await c.closed;
      return { rooms, refusal: { code: reply.type === 'error' ? reply.code : reply.type, close: code }, attempts: attempt };
    }
    rooms++;
    c.ws.terminate(); // no close frame: the box keeps the peer as away
    await c.closed;
  }
  return { rooms, refusal: null, attempts: maxAttempts };
}

export interface SlowHeadersResult {
  /** Connections the attacker opened. */
  opened: number;
  /** Resolves once every one of them has been closed by the box. */
  allClosed: Promise<void>;
  /** How many are still open now. */
  open(): number;
  /** Stops trickling and closes what is left. */
  stop(): void;
}

/**
 * Slowloris: `connections` TCP connections that send a request's first line and then one header
 * byte every `trickleMs`, never finishing the headers.
 */
export async function slowHeaders(url: string, connections: number, trickleMs: number): Promise<SlowHeadersResult> {
  const { hostname, port } = new URL(url);
  const sockets: Socket[] = [];
  const closed: Promise<void>[] = [];
  let open = 0;
  for (let i = 0; i < connections; i++) {
    const socket = connect({ host: hostname, port: Number(port), localAddress: ATTACKER });
    socket.on('error', () => {});
    socket.resume();
    open++;
    closed.push(
      new Promise((resolve) =>
        socket.once('close', () => {
          open--;
          resolve();
        }),
      ),
    );
    socket.once('connect', () => socket.write(`GET /healthz HTTP/1.1\r\nHost: ${hostname}\r\nX-Slow-${randomBytes(4).toString('hex')}: `));
    sockets.push(socket);
  }
  const trickle = setInterval(() => {
    for (const s of sockets) if (!s.destroyed && s.writable) s.write('a');
  }, trickleMs);
  const allClosed = Promise.all(closed).then(() => clearInterval(trickle));
  return {
    opened: connections,
    allClosed,
    open: () => open,
    stop: () => {
      clearInterval(trickle);
      for (const s of sockets) s.destroy();
    },
  };
}

/** Two people from another address join a fresh room and one signals the other: the box serves. */
export async function bystandersMeet(wsUrl: string, from = BYSTANDER): Promise<{ joined: boolean; signalled: boolean }> {
  const room: RoomId = newRoomId();
  const a = await TestClient.open(wsUrl, {}, { localAddress: from });
  const b = await TestClient.open(wsUrl, {}, { localAddress: from });
  try {
    const wa = await a.join(room);
    const wb = await b.join(room);
    const joined = wa.type === 'welcome' && wb.type === 'welcome';
    if (!joined) return { joined, signalled: false };
    await a.next(); // peer-joined
    b.send({ type: 'signal', to: a.id, data: { hello: 1 } });
    const got = await a.next();
    return { joined, signalled: got.type === 'signal' && got.from === b.id };
  } finally {
    a.close();
    b.close();
  }
}
