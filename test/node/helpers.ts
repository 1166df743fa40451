/**
 * Test helpers: a real `ws` client that queues what the box sends, and id makers.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { WebSocket } from 'ws';
import type { PeerId, RoomId, ServerMessage, WelcomeMessage } from '../../signaling/protocol.js';
import { startSignaling, type SignalingOptions, type SignalingServer } from '../../signaling/server.js';
import { untilOutput } from '../process.js';

/** Waits this long for an expected frame before a test fails (not a performance limit). */
const WAIT_MS = 5_000;

export const newPeerId = (): PeerId => randomBytes(16).toString('base64url') as PeerId;
export const newRoomId = (): RoomId => randomBytes(32).toString('base64url') as RoomId;

/**
 * `npm run signaling` as its own process on a free port with `env` added, killed when the test
 * ends; resolves with its WebSocket URL once it listens.
 */
export async function spawnBox(
  t: TestContext,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcessWithoutNullStreams; wsUrl: string; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
  });
  t.after(() => child.kill('SIGKILL'));
  const [, wsUrl] = await untilOutput(child, /WebSocket (ws:\/\/\S+)\)/, 'the box (signaling/main.ts)');
  return { child, wsUrl, url: wsUrl.replace(/^ws:/, 'http:').replace(/\/ws$/, '') };
}

/** Resident memory of a process, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!kib) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib[1]) * 1024;
}

/** A box on port 0 with quiet logs, closed when the test ends. */
export async function boxFor(t: TestContext, options: SignalingOptions = {}): Promise<SignalingServer> {
  const lines: string[] = [];
  const server = await startSignaling({ port: 0, log: (l) => lines.push(l), ...options });
  (server as SignalingServer & { logLines: string[] }).logLines = lines;
  t.after(() => server.close());
  return server;
}

export function logLines(server: SignalingServer): string[] {
  return (server as SignalingServer & { logLines: string[] }).logLines;
}

export interface ClientOptions {
  localAddress?: string;
  autoPong?: boolean;
}

export class TestClient {
  readonly ws: WebSocket;
  readonly #queue: unknown[] = [];
  #waiter: ((m: unknown) => void) | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;
  welcome: WelcomeMessage | null = null;
  id: PeerId = newPeerId();

  /**
   * `options.localAddress`: the client's own address (any 127.x.y.z works on loopback), so that a
   * test can be someone other than the attacker; `options.autoPong: false` ignores the box's pings.
   */
  constructor(url: string, headers: Record<string, string> = {}, options: ClientOptions = {}) {
    this.ws = new WebSocket(url, { headers, perMessageDeflate: false, ...options });
    this.ws.on('error', () => {});
    this.ws.on('message', (data, isBinary) => {
      const msg = isBinary ? { binary: true } : JSON.parse(data.toString());
      if (this.#waiter) {
        const w = this.#waiter;
        this.#waiter = null;
        w(msg);
      } else this.#queue.push(msg);
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async open(url: string, headers?: Record<string, string>, options?: ClientOptions): Promise<TestClient> {
    const c = new TestClient(url, headers, options);
    await new Promise<void>((resolve, reject) => {
      c.ws.once('open', () => resolve());
      c.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      c.ws.once('error', reject);
    });
    return c;
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** The next frame from the box (fails after WAIT_MS). */
  next<T = ServerMessage>(): Promise<T> {
    if (this.#queue.length > 0) return Promise.resolve(this.#queue.shift() as T);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = null;
        reject(new Error('no frame from the box in time'));
      }, WAIT_MS);
      this.#waiter = (m) => {
        clearTimeout(timer);
        resolve(m as T);
      };
    });
  }

  /**
   * Pings the box and resolves with the first frame that came before its pong, or null when none
   * did. The box writes to one socket in order, so once it has handled whatever might wrongly
   * reach this client (shown by a reply to someone), a pong first proves that nothing was sent:
   * a positive sign instead of waiting for time to pass.
   */
  async frameBeforePong(): Promise<unknown> {
    this.send({ type: 'ping' });
    const frame = await this.next();
    return frame.type === 'pong' ? null : frame;
  }

  /**
   * Resolves true when no frame arrives within `ms`. Only for what has no sign to wait for (a
   * path through Redis, or time passing that is the point of the test); otherwise frameBeforePong.
   */
  async nothingWithin(ms: number): Promise<boolean> {
    if (this.#queue.length > 0) return false;
    await new Promise((r) => setTimeout(r, ms));
    return this.#queue.length === 0;
  }

  async join(room: RoomId, extra: Record<string, unknown> = {}): Promise<ServerMessage> {
    this.send({ type: 'join', room, peer: this.id, ...extra });
    const reply = await this.next();
    if (reply.type === 'welcome') this.welcome = reply;
    return reply;
  }

  close(code?: number): void {
    this.ws.close(code);
  }
}

/** Opens and joins `n` clients to `room` one after another; each earlier one is told of the later. */
export async function joinAll(server: SignalingServer, room: RoomId, n: number): Promise<TestClient[]> {
  const clients: TestClient[] = [];
  for (let i = 0; i < n; i++) {
    const c = await TestClient.open(server.wsUrl);
    const welcome = await c.join(room);
    if (welcome.type !== 'welcome') throw new Error(`join refused: ${JSON.stringify(welcome)}`);
    for (const earlier of clients) {
      const note = await earlier.next();
      if (note.type !== 'peer-joined') throw new Error(`expected peer-joined, got ${note.type}`);
    }
    clients.push(c);
  }
  return clients;
}

/**
 * Polls `condition` until it holds, for waiting on state the box has no event for. Fails after
 * `deadlineMs` with an error that names `what` it waited for: a guard against a hang, not a time
 * limit on the behaviour.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, deadlineMs = 10_000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
