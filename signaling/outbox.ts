/**
 * Everything the box sends goes through here, for two reasons.
 *
 * Bounded memory: a socket that does not read (a slow link, or a client that stops reading on
 * purpose) makes every frame sent to it wait in the box's memory. `send` refuses a frame once a
 * socket holds `maxBufferedBytes` not yet written to the network, and once all sockets together hold
 * more than the box-wide budget it refuses frames to any socket that is already behind. The caller
 * then closes that socket (and keeps the frame for the peer's resume, within its own limits).
 * Sockets that keep up are never refused.
 *
 * Fewer system calls: under load a socket receives many relayed signals within one turn; corking
 * its TCP socket on the first send and uncorking once in `setImmediate` lets Node write them all
 * with a single writev. Latency grows by at most the rest of the current turn.
 */
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

/** HACK(ws): ws exposes no cork API; its sender writes to this private TCP socket. */
function tcpOf(ws: WebSocket): Socket | undefined {
  return (ws as unknown as { _socket?: Socket })._socket;
}

/** How often the bytes held by sockets that were behind are read again (they drain meanwhile). */
const BACKLOG_REFRESH_MS = 1_000;

export interface OutboxLimits {
  /** Bytes one socket may hold unsent before further frames to it are refused. */
  maxBufferedBytes: number;
  /** Bytes all sockets may hold together, plus whatever `otherQueued()` reports. */
  maxQueuedBytes: number;
}

export class Outbox {
  /** TCP sockets corked in this turn, and their WebSocket: its backlog is read after the flush. */
  readonly #corked = new Map<Socket, WebSocket>();
  /** Sockets that still held unsent bytes after their last flush, and how many. */
  readonly #behind = new Map<WebSocket, number>();
  #behindBytes = 0;
  #scheduled = false;
  readonly #refresh: NodeJS.Timeout;

  /** `otherQueued`: bytes the box holds elsewhere that share the budget (signals for away peers). */
  constructor(
    private readonly limits: OutboxLimits,
    private readonly otherQueued: () => number = () => 0,
  ) {
    this.#refresh = setInterval(() => this.#reread(), BACKLOG_REFRESH_MS);
    this.#refresh.unref();
  }

  /** Bytes held unsent by sockets that were behind at their last flush (refreshed every second). */
  get backlogBytes(): number {
    return this.#behindBytes;
  }

  /**
   * Sends `frame` on `ws`. False when the frame was not sent: the socket is not open, it holds too
   * much already, or the box is over its budget and this socket is one of those behind.
   */
  send(ws: WebSocket, frame: string): boolean {
    if (ws.readyState !== WebSocket.OPEN) return false;
    const held = ws.bufferedAmount;
    if (held + frame.length > this.limits.maxBufferedBytes) return false;
    if (this.#behind.has(ws) && this.#behindBytes + this.otherQueued() > this.limits.maxQueuedBytes) return false;
    const tcp = tcpOf(ws);
    if (tcp && !this.#corked.has(tcp)) {
      tcp.cork();
      this.#corked.set(tcp, ws);
      this.#schedule();
    }
    ws.send(frame);
    return true;
  }

  /** Stops the refresh timer (shutdown). */
  dispose(): void {
    clearInterval(this.#refresh);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#flush);
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    for (const tcp of this.#corked.keys()) tcp.uncork();
    // After uncorking, Node has handed the kernel what it would take; the rest waits in memory.
    for (const ws of this.#corked.values()) this.#record(ws);
    this.#corked.clear();
  };

  #record(ws: WebSocket): void {
    const before = this.#behind.get(ws) ?? 0;
    const now = ws.readyState === WebSocket.OPEN ? ws.bufferedAmount : 0;
    if (now === before) return;
    this.#behindBytes += now - before;
    if (now > 0) this.#behind.set(ws, now);
    else this.#behind.delete(ws);
  }

  #reread(): void {
    for (const ws of [...this.#behind.keys()]) this.#record(ws);
  }
}
