/**
 * Sends frames with one system call per socket per event-loop turn instead of one per frame.
 *
 * Under load a socket receives many relayed signals within one turn; corking its TCP socket on the
 * first send and uncorking once in `setImmediate` lets Node write them all with a single writev.
 * Latency grows by at most the rest of the current turn.
 */
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

/** HACK(ws): ws exposes no cork API; its sender writes to this private TCP socket. */
function tcpOf(ws: WebSocket): Socket | undefined {
  return (ws as unknown as { _socket?: Socket })._socket;
}

export class Outbox {
  readonly #corked = new Set<Socket>();
  #scheduled = false;

  send(ws: WebSocket, frame: string): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    const tcp = tcpOf(ws);
    if (tcp && !this.#corked.has(tcp)) {
      tcp.cork();
      this.#corked.add(tcp);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#flush);
      }
    }
    ws.send(frame);
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    for (const tcp of this.#corked) tcp.uncork();
    this.#corked.clear();
  };
}
