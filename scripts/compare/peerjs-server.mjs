/**
 * Starts the PeerJS server (npm `peer`, installed here in scripts/compare/) through its own
 * programmatic API, configured as its README suggests for one machine, with two limits raised for
 * the benchmark: `concurrent_limit` (default 5,000) so that the idle phase can open 5,000
 * connections plus its warm-up, and `alive_timeout` (default 90 s) because the benchmark's clients
 * send no HEARTBEAT. WebSocket endpoint: ws://127.0.0.1:PORT/peerjs?key=peerjs&id=…&token=…
 *
 * Plain JavaScript run by bare Node, like y-webrtc's own server beside it: `peer` resolves from
 * this folder's node_modules, and the root's type check need not see a package that is installed
 * only on first use.
 */
import { PeerServer } from 'peer';

const port = Number(process.env.PORT ?? 9000);

PeerServer(
  {
    host: '127.0.0.1',
    port,
    path: '/',
    key: 'peerjs',
    concurrent_limit: 1_000_000,
    alive_timeout: 60 * 60 * 1000,
  },
  () => process.stderr.write(`PeerJS server listening on 127.0.0.1:${port}\n`),
);
