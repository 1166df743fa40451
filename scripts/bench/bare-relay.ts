/**
 * The benchmark's ceiling: a bare `ws` relay with no checks at all. A client registers by the
 * `id` in its URL query; a frame `{"to": id, "data": …}` is forwarded to that id as
 * `{"from": senderId, "data": …}`. No rooms, no limits, no validation, no corking: just what the
 * `ws` library costs per relayed message. Started as a child process with PORT in the environment.
 */
import { WebSocketServer, type WebSocket } from 'ws';

interface RelayFrame {
  to: string;
  data: unknown;
}

const port = Number(process.env.PORT ?? 0);
const peers = new Map<string, WebSocket>();

const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, clientTracking: false });

wss.on('connection', (ws, req) => {
  const id = new URL(req.url ?? '/', 'http://relay').searchParams.get('id') ?? '';
  peers.set(id, ws);
  ws.on('message', (data) => {
    // Not a check, only so that a stray frame cannot crash the benchmark's ceiling.
    try {
      const frame = JSON.parse(String(data)) as RelayFrame;
      peers.get(frame.to)?.send(JSON.stringify({ from: id, data: frame.data }));
    } catch {
      // ignored
    }
  });
  ws.on('error', () => ws.terminate());
  ws.on('close', () => {
    if (peers.get(id) === ws) peers.delete(id);
  });
});

wss.on('listening', () => process.stderr.write(`bare ws relay listening on 127.0.0.1:${port}\n`));
