/**
 * The browser's side of the box: one WebSocket that joins a room, relays signals, notices a dead
 * box by its own heartbeat, and reconnects with backoff, resuming the same peer id.
 */
import {
  CloseCode,
  PROTOCOL_VERSION,
  parseServerMessage,
  type LeaveReason,
  type PeerId,
  type ResumeToken,
  type RoomId,
  type WelcomeMessage,
} from '../../signaling/protocol.js';
import { noteTrouble } from './diagnostics.js';
import { Emitter } from './emitter.js';
import { RundeError, type RundeErrorCode } from './errors.js';
import { markJoinStep } from './timing.js';

export const RECONNECT_BASE_MS = 500;
/**
 * The longest wait between attempts: short enough that everyone is back within 5 s of a box
 * restart, long enough (with jitter) that a thousand clients do not hammer a box coming up.
 */
export const RECONNECT_MAX_MS = 5_000;
/**
 * Waits after the box said it is busy (its limit of rooms or peers, or this address's share):
 * longer than after a dropped connection, because trying again at once only adds to the load.
 */
export const BUSY_BASE_MS = 5_000;
export const BUSY_MAX_MS = 60_000;
/** Application ping interval; a box silent for a whole interval after a ping is presumed dead. */
export const HEARTBEAT_MS = 10_000;
/** Our own close code when the box stopped answering (the box treats it as a drop, not a leave). */
const CLOSE_DEAD_BOX = 4000;

export type SignalingState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface SignalingEvents {
  state: (state: SignalingState) => void;
  welcome: (welcome: WelcomeMessage) => void;
  peerLeft: (peer: PeerId, reason: LeaveReason) => void;
  signal: (from: PeerId, data: unknown) => void;
  /** The connection ended for good; `state` is `closed`. */
  failed: (error: RundeError) => void;
}

/** A WebSocket handshake that failed: the browser does not say why (a 403 looks like no network). */
const CLOSE_ABNORMAL = 1006;
/** How long the question "does this box allow my origin?" may take before it counts as no answer. */
export const ORIGIN_CHECK_TIMEOUT_MS = 5_000;

/**
 * Whether the box behind `wsUrl` says it refuses pages from `origin` (its `ALLOWED_ORIGINS`):
 * a plain CORS `GET` of the same path (PROTOCOL.md §1). Anything but a clear "no" (no answer,
 * an older box, a proxy's error page) is false: then the network is the likelier cause.
 */
export async function originRefused(wsUrl: string, origin: string): Promise<boolean> {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.search = `?origin=${encodeURIComponent(origin)}`;
  try {
    const res = await fetch(url, { cache: 'no-store', credentials: 'omit', signal: AbortSignal.timeout(ORIGIN_CHECK_TIMEOUT_MS) });
    if (!res.ok) return false;
    const body: unknown = await res.json();
    return typeof body === 'object' && body !== null && (body as { allowed?: unknown }).allowed === false;
  } catch {
    return false;
  }
}

/** Close codes after which reconnecting cannot help. */
const FATAL_CLOSES: ReadonlyMap<number, RundeErrorCode> = new Map([
  [CloseCode.ROOM_FULL, 'ERR_ROOM_FULL'],
  [CloseCode.UNSUPPORTED_VERSION, 'ERR_VERSION'],
  [CloseCode.REPLACED, 'ERR_REPLACED'],
  [CloseCode.PEER_ID_TAKEN, 'ERR_SIGNALING_REFUSED'],
  [CloseCode.ABUSE, 'ERR_SIGNALING_REFUSED'],
  [CloseCode.RATE_LIMITED, 'ERR_SIGNALING_REFUSED'],
]);

/** Close codes by which the box says it is busy: try again later, with a longer backoff. */
const BUSY_CLOSES: ReadonlySet<number> = new Set([CloseCode.SERVER_FULL, CloseCode.ADDRESS_FULL]);

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential, capped, with jitter.
 * `busy`: the box refused for load, so start at BUSY_BASE_MS and go up to BUSY_MAX_MS.
 */
export function backoffMs(attempt: number, random: () => number = Math.random, busy = false): number {
  const [base, max] = busy ? [BUSY_BASE_MS, BUSY_MAX_MS] : [RECONNECT_BASE_MS, RECONNECT_MAX_MS];
  const ceiling = Math.min(max, base * 2 ** attempt);
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

export class SignalingClient extends Emitter<SignalingEvents> {
  state: SignalingState = 'connecting';
  /** Failed attempts since the last welcome. */
  attempts = 0;
  /** When the next attempt starts (ms since epoch) while reconnecting. */
  retryAt = 0;
  /** While reconnecting: the box said it was busy (rather than the connection being lost). */
  busy = false;
  #ws: WebSocket | null = null;
  #token: ResumeToken | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #heardSincePing = true;

  readonly #urls: readonly string[];
  #next = 0;
  /** Whether any box ever welcomed us: after that, a failed connection is never the origin's fault. */
  #welcomed = false;
  /** Boxes asked whether they allow this page's origin (once each), and those that said no. */
  readonly #askedOrigin = new Set<string>();
  readonly #refusedOrigin = new Set<string>();

  /**
   * `urls`: one box, or several that share rooms (through Redis); after a failed or lost
   * connection the next attempt goes to the next box in the list.
   */
  constructor(
    urls: string | readonly string[],
    readonly room: RoomId,
    readonly peer: PeerId,
    /** The page's origin, for asking a box that refused the first connection whether it allows it. */
    readonly origin: string | undefined = globalThis.location?.origin,
  ) {
    super();
    this.#urls = typeof urls === 'string' ? [urls] : urls;
    if (this.#urls.length === 0) throw new Error('SignalingClient needs at least one box URL');
  }

  /** The box the current (or next) connection goes to. */
  get url(): string {
    return this.#urls[this.#next % this.#urls.length]!; // never empty (constructor)
  }

  connect(): void {
    if (this.state === 'closed') return;
    const ws = new WebSocket(this.url);
    this.#ws = ws;
    ws.onopen = () => this.#handleOpen(ws);
    ws.onmessage = (e) => this.#handleMessage(ws, e);
    ws.onclose = (e) => this.#handleClose(ws, e.code);
  }

  send(to: PeerId, data: unknown): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify({ type: 'signal', to, data }));
  }

  /** Leaves the room for good: the others are told at once. */
  leave(): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify({ type: 'leave' }));
    this.#shutDown();
    this.#ws?.close(CloseCode.NORMAL);
  }

  #handleOpen(ws: WebSocket): void {
    if (ws !== this.#ws) return;
    markJoinStep('socket-open');
    const join = { type: 'join', room: this.room, peer: this.peer, version: PROTOCOL_VERSION };
    ws.send(JSON.stringify(this.#token ? { ...join, resume: this.#token } : join));
    this.#heardSincePing = true;
    this.#heartbeat = setInterval(() => this.#checkHeartbeat(ws), HEARTBEAT_MS);
  }

  #checkHeartbeat(ws: WebSocket): void {
    if (ws !== this.#ws) return;
    if (!this.#heardSincePing) {
      ws.close(CLOSE_DEAD_BOX, 'box stopped answering');
      this.#handleClose(ws, CLOSE_DEAD_BOX); // the close event of a dead link may take minutes
      return;
    }
    this.#heardSincePing = false;
    ws.send('{"type":"ping"}');
  }

  #handleMessage(ws: WebSocket, event: MessageEvent): void {
    if (ws !== this.#ws || typeof event.data !== 'string') return;
    this.#heardSincePing = true;
    const msg = parseServerMessage(event.data);
    if (!msg) return; // unknown or malformed: ignored, as PROTOCOL.md asks
    switch (msg.type) {
      case 'welcome':
        markJoinStep('welcome');
        this.#token = msg.resumeToken;
        this.#welcomed = true;
        this.attempts = 0;
        this.busy = false;
        this.#setState('open');
        return this.emit('welcome', msg);
      case 'peer-joined':
        return; // the newcomer dials us with a sealed knock or offer (PROTOCOL.md §4)
      case 'peer-left':
        return this.emit('peerLeft', msg.peer, msg.reason);
      case 'signal':
        return this.emit('signal', msg.from, msg.data);
      case 'error':
        // A refusal of one message (a signal to a peer that just left): counted. One that ends
        // the socket also ends in `failed`.
        return noteTrouble('box-refused', { code: msg.code });
      case 'pong':
        return;
    }
  }

  #handleClose(ws: WebSocket, code: number): void {
    if (ws !== this.#ws) return;
    this.#ws = null;
    this.#stopHeartbeat();
    if (this.state === 'closed') return;
    if (code === CLOSE_ABNORMAL && !this.#welcomed) void this.#askWhetherOriginRefused(this.url);
    const fatal = FATAL_CLOSES.get(code);
    if (fatal) {
      this.#shutDown();
      this.emit('failed', new RundeError(fatal, `The box closed the connection (${code})`));
      return;
    }
    this.#next++; // try the next box (the same one when there is only one)
    this.busy = BUSY_CLOSES.has(code);
    const delay = backoffMs(this.attempts++, Math.random, this.busy);
    this.retryAt = Date.now() + delay;
    this.#setState('reconnecting');
    this.#retryTimer = setTimeout(() => this.connect(), delay);
  }

  /**
   * Asks a box that failed our first connection whether it refuses this page's origin; when every
   * box listed says so, reconnecting cannot help, and the person is told that this site is not
   * allowed rather than to check the network. Meanwhile the reconnect goes on as usual.
   */
  async #askWhetherOriginRefused(url: string): Promise<void> {
    if (!this.origin || this.#askedOrigin.has(url)) return;
    this.#askedOrigin.add(url);
    if (!(await originRefused(url, this.origin))) return;
    this.#refusedOrigin.add(url);
    if (this.#welcomed || this.state === 'closed' || this.#refusedOrigin.size < new Set(this.#urls).size) return;
    this.#ws?.close(CloseCode.NORMAL);
    this.#ws = null;
    this.#shutDown();
    this.emit('failed', new RundeError('ERR_ORIGIN_REFUSED', `The box does not allow pages from ${this.origin} (ALLOWED_ORIGINS)`));
  }

  #shutDown(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#stopHeartbeat();
    this.#setState('closed');
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  #setState(state: SignalingState): void {
    if (this.state === state && state !== 'reconnecting') return;
    this.state = state;
    this.emit('state', state);
  }
}
