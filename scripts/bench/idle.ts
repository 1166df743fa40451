/**
 * The idle-connections phase: how much resident memory a server holds per open, registered but
 * silent connection. Run on a fresh server process, so that heap grown (and left free) by the load
 * phases cannot absorb the new connections and hide their cost. For Runde on several boxes, the
 * memory of all its processes together (the boxes and redis-server), connections split as under load.
 */
import { LoadRooms, closeSockets, makePeers, openPeers, ROOM_SIZE } from './load.js';
import { sleep, type Deployment, type PeerInfo } from './servers.js';

export interface IdleResult {
  connections: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  kibPerConnection: number;
  /** False when the server could not be made to collect garbage before the readings. */
  gcForced: boolean;
  setupSeconds: number;
}

/**
 * Resident memory once the server has settled: full GCs (through the preload hook), a pause,
 * then the median of a few readings.
 */
async function settledRss(server: Deployment): Promise<{ rss: number; gc: boolean }> {
  await sleep(500);
  const gc = await server.gc();
  await sleep(300);
  const readings: number[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(server.rssBytes());
    await sleep(200);
  }
  readings.sort((a, b) => a - b);
  return { rss: readings[Math.floor(readings.length / 2)], gc };
}

export async function measureIdle(server: Deployment, connections: number, payloadBytes: number): Promise<IdleResult> {
  const proto = server.target.protocol;
  // Warm-up: one room that joins, exchanges a few signals and leaves, so that the baseline
  // already includes the code and buffers every connection needs once per process.
  const portOf = (peer: PeerInfo) => server.portOf(peer);
  const warm = await LoadRooms.open(proto, portOf, 1, payloadBytes);
  await warm.paced(200, 0, 250, () => server.cpuSeconds());
  warm.close();
  const before = await settledRss(server);

  const started = performance.now();
  const rooms = Math.ceil(connections / ROOM_SIZE);
  // Peer indices after the warm-up room's, so that no id repeats within this server's life.
  const peers = makePeers(rooms, ROOM_SIZE).slice(0, connections);
  const sockets = await openPeers(proto, portOf, peers, 100);
  const setupSeconds = (performance.now() - started) / 1000;
  const after = await settledRss(server);
  closeSockets(sockets);
  return {
    connections,
    rssBeforeBytes: before.rss,
    rssAfterBytes: after.rss,
    kibPerConnection: (after.rss - before.rss) / connections / 1024,
    gcForced: before.gc && after.gc,
    setupSeconds,
  };
}
