/**
 * Prometheus metrics of the box (prom-client): rooms, peers and connections now; joins,
 * resumes, refusals by code, relayed messages and bytes, rate-limited sockets since start; and
 * the process figures prom-client collects by default. No room or peer ids, ever.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { HubStats } from './hub.js';

/** What /healthz answers: counts only, no room or peer ids. */
export interface Health {
  status: 'ok' | 'stopping';
  rooms: number;
  peers: number;
  connections: number;
  /** Peers whose socket dropped, within their grace period. */
  awayPeers: number;
  /** Bytes held for clients: unsent on slow sockets and queued for away peers. */
  queuedBytes: number;
  uptimeSeconds: number;
  /** With REDIS_URL: this box's id among the boxes, and whether Redis answers. */
  cluster?: { box: string; redis: 'ready' | 'unavailable' };
}

export interface MetricsSource {
  health(): Health;
  readonly stats: HubStats;
}

/** A counter whose value is read from `read()` at scrape time (it only ever grows). */
function mirroredCounter(registry: Registry, name: string, help: string, read: () => number): void {
  let reported = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      if (now > reported) this.inc(now - reported);
      reported = now;
    },
  });
}

export function createMetrics(source: MetricsSource): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'runde_box_' });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('runde_rooms', 'Rooms with at least one peer.', () => source.health().rooms);
  gauge('runde_peers', 'Peers in rooms, including those reconnecting within the grace period.', () => source.health().peers);
  gauge('runde_connections', 'Open WebSocket connections.', () => source.health().connections);
  gauge('runde_away_peers', 'Peers whose socket dropped, within their grace period.', () => source.health().awayPeers);
  gauge('runde_queued_bytes', 'Bytes held for clients: unsent on slow sockets and queued for away peers.', () => source.health().queuedBytes);
  mirroredCounter(registry, 'runde_joins_total', 'Joins (not counting resumes).', () => source.stats.joins);
  mirroredCounter(registry, 'runde_resumes_total', 'Peers that came back within the grace period.', () => source.stats.resumes);
  mirroredCounter(registry, 'runde_relayed_messages_total', 'Signals relayed between peers.', () => source.stats.relayed);
  mirroredCounter(registry, 'runde_relayed_bytes_total', 'Bytes of signals relayed between peers.', () => source.stats.relayedBytes);
  mirroredCounter(
    registry,
    'runde_rate_limited_sockets_total',
    'Sockets closed for persistent excess over the rate limit.',
    () => source.stats.rateLimitedSockets,
  );
  mirroredCounter(registry, 'runde_slow_sockets_total', 'Sockets closed because they did not read what the box sent them.', () => source.stats.slowSockets);
  const reported = new Map<string, number>();
  new Counter({
    name: 'runde_refusals_total',
    help: 'Error replies by code (see PROTOCOL.md §7).',
    labelNames: ['code'],
    registers: [registry],
    collect() {
      for (const [code, n] of Object.entries(source.stats.refusals)) {
        const delta = (n ?? 0) - (reported.get(code) ?? 0);
        if (delta > 0) this.inc({ code }, delta);
        reported.set(code, n ?? 0);
      }
    },
  });
  return registry;
}

/** Serves GET /metrics; with a token configured, only to `Authorization: Bearer <token>`. */
export function metricsHandler(registry: Registry, token: string | null) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (token !== null && !bearerMatches(req.headers.authorization, token)) {
      res.writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer' }).end('Unauthorized\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
    res.end(await registry.metrics());
  };
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
