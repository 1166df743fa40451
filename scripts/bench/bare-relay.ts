/**
 * The benchmark's ceiling: a bare `ws` relay with no checks at all. A client registers by the
 * `id` in its URL query; a frame `{"to": id, "data": …}` is forwarded to that id as
 * `{"from": senderId, "data": …}`. No rooms, no limits, no validation: just what the `ws` library
 * costs per relayed message. Started as a child process with PORT in the environment.
 *
 * With CORK=1 it also corks each recipient's TCP socket until the end of the event-loop turn, the
 * one optimisation Runde's box makes (signaling/outbox.ts): the ceiling for that design.
 */
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { tcpOf } from './ws-socket.js';

interface RelayFrame {
  to: string;
  data: unknown;
}

const port = Number(process.env.PORT ?? 0);
const cork = process.env.CORK === '1';
const peers = new Map<string, WebSocket>();

const corked = new Set<Socket>();
let flushScheduled = false;
const flush = (): void => {
  flushScheduled = false;
  for (const tcp of corked) tcp.uncork();
  corked.clear();
};

function send(ws: WebSocket, frame: string): void {
  if (cork) {
    const tcp = tcpOf(ws);
    if (tcp && !corked.has(tcp)) {
      tcp.cork();
      corked.add(tcp);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    }
  }
  ws.send(frame);
}

const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, clientTracking: false });

wss.on('connection', (ws, req) => {
  const id = new URL(req.url ?? '/', 'http://relay').searchParams.get('id') ?? '';
  peers.set(id, ws);
  ws.on('message', (data) => {
    // Not a check, only so that a stray frame cannot crash the benchmark's ceiling.
    try {
      const frame = JSON.parse(String(data)) as RelayFrame;
      const to = peers.get(frame.to);
      if (to) send(to, JSON.stringify({ from: id, data: frame.data }));
    } catch {
      // ignored
    }
  });
  ws.on('error', () => ws.terminate());
  ws.on('close', () => {
    if (peers.get(id) === ws) peers.delete(id);
  });
});

wss.on('listening', () => process.stderr.write(`bare ws relay${cork ? ' (corked)' : ''} listening on 127.0.0.1:${port}\n`));
