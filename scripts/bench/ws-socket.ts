/**
 * HACK(ws): ws has no API to cork a socket or to stop reading from it, but it writes to and reads
 * from a private TCP socket. The load generator and the corked bare relay cork it, as the box
 * does (signaling/outbox.ts keeps its own copy: the box imports nothing from scripts/); the
 * slow-consumer attack (test/attacks.ts) pauses it. The one copy outside the box.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/** The TCP socket under `ws`; undefined once ws has let go of it (after close). */
export function tcpOf(ws: WebSocket): Socket | undefined {
  return (ws as unknown as { _socket?: Socket | null })._socket ?? undefined;
}
