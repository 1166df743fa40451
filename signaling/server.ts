/**
 * The signaling box's network edge: one HTTP server with `/healthz`, the WebSocket endpoint
 * `/ws` (checked at the upgrade: path, origin, per-IP cap), heartbeats and graceful shutdown.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { RedisCluster } from './cluster.js';
import { DEFAULT_CONFIG, type SignalingConfig } from './config.js';
import { addressKey, Footprints } from './footprint.js';
import { NON_PAGE_HEADERS, pathOf } from './headers.js';
import { Hub, type HubStats, type Session } from './hub.js';
import { Logger, type LogSink } from './log.js';
import { createMetrics, metricsHandler, type Health } from './metrics.js';
import { CloseCode } from './protocol.js';

export type { Health } from './metrics.js';

export const WS_PATH = '/ws';

export interface SignalingOptions extends Partial<SignalingConfig> {
  /** Where log lines go (default: stdout). */
  log?: LogSink;
  /** Extra HTTP routes (the static app); return false to fall through to 404. */
  httpHandler?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface SignalingServer {
  /** `http://host:port` */
  readonly url: string;
  /** `ws://host:port/ws` */
  readonly wsUrl: string;
  readonly port: number;
  readonly config: SignalingConfig;
  health(): Health;
  readonly stats: HubStats;
  /** Stops accepting, closes every socket with 1001, resolves once all are gone. */
  close(): Promise<void>;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True when a browser page from `origin` may open a socket to this box. */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: string[]): boolean {
  if (origin === undefined) return true; // not a browser: the origin check protects browsers only
  if (allowed.length > 0) return allowed.includes(origin);
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return url.host === host || LOCAL_HOSTS.has(url.hostname);
}

/**
 * TCP connections the box accepts beyond one per peer: page loads, health checks and refusals.
 * With `MAX_PEERS` this bounds what many addresses together can hold open.
 */
const HTTP_CONNECTIONS_BEYOND_PEERS = 1_000;
/** How often Node looks for requests past their headers or request timeout (its default is 30 s). */
const HTTP_TIMEOUT_CHECK_MS = 1_000;

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;
/** Headers by which a proxy says that it forwards someone else's request. */
const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

/** True when the request comes from this machine itself, not relayed by a proxy for someone else. */
export function fromLoopback(req: IncomingMessage): boolean {
  return LOOPBACK.test(req.socket.remoteAddress ?? '') && !FORWARDING_HEADERS.some((h) => h in req.headers);
}

function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').pop()?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

const NON_PAGE_HEADER_LINES = Object.entries(NON_PAGE_HEADERS)
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join('');

/** Longer origins are cut in the log line: a browser's origin is a scheme, a name and a port. */
const MAX_LOGGED_ORIGIN_CHARS = 200;

/**
 * A plain `GET /ws` (no upgrade): whether a page from the origin in `?origin=` (or, without it,
 * in the `Origin` header) may open a socket here. A browser cannot read why a WebSocket
 * handshake failed, so after a failed first connection the app asks this, from any origin (CORS),
 * to tell "this site is not allowed" apart from "no network". It reveals only whether one
 * website is on the list.
 */
function answerOriginCheck(req: IncomingMessage, res: ServerResponse, allowed: string[]): void {
  const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
  const origin = query.get('origin') ?? req.headers.origin;
  setNonPageHeaders(res);
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'Access-Control-Allow-Origin': '*',
  });
  res.end(JSON.stringify({ origin: origin ?? null, allowed: originAllowed(origin, req.headers.host, allowed) }));
}

/** Until ws takes the socket over (it adds its own error listener), an error just ends it. */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

/**
 * A box-side socket that knows its session, so that one set of listeners (`this` is the socket)
 * serves every connection instead of four closures per connection (about 0.4 KiB each).
 */
class SessionSocket extends WebSocket {
  session: Session | null = null;
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  const body = `${text}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\n${NON_PAGE_HEADER_LINES}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** The headers of every response that is not one of the app's files. */
function setNonPageHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(NON_PAGE_HEADERS)) res.setHeader(name, value);
}

/** Closes a new TCP connection at once when its address already holds `limit` of them. */
function limitConnectionsPerAddress(http: Server, limit: number): void {
  const held = new Map<string, number>();
  http.on('connection', (socket: Socket) => {
    const key = addressKey(socket.remoteAddress ?? 'unknown');
    const count = held.get(key) ?? 0;
    if (count >= limit) {
      socket.destroy();
      return;
    }
    held.set(key, count + 1);
    socket.once('close', () => {
      const left = (held.get(key) ?? 1) - 1;
      if (left > 0) held.set(key, left);
      else held.delete(key);
    });
  });
}

export async function startSignaling(options: SignalingOptions = {}): Promise<SignalingServer> {
  const { log: sink, httpHandler, ...overrides } = options;
  const config: SignalingConfig = { ...DEFAULT_CONFIG, ...overrides };
  const log = new Logger(sink ?? ((line) => process.stdout.write(`${line}\n`)));
  const footprints = new Footprints(config.maxConnectionsPerIp);
  const hub = new Hub(config, log, footprints);
  const cluster =
    config.redisUrls.length > 0
      ? await RedisCluster.connect({
          urls: config.redisUrls,
          redisCluster: config.redisCluster,
          ttlMs: config.clusterTtlMs,
          log,
          localMembers: () => hub.rooms.members(),
        })
      : null;
  if (cluster) {
    cluster.events = hub;
    hub.cluster = cluster;
  }
  const sessions = new Set<Session>();
  const startedAt = Date.now();
  let stopping = false;

  const health = (): Health => ({
    status: stopping ? 'stopping' : 'ok',
    rooms: hub.rooms.roomCount,
    peers: hub.rooms.peerCount,
    connections: sessions.size,
    awayPeers: hub.awayPeers,
    queuedBytes: hub.queuedBytes,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    ...(cluster && { cluster: { box: cluster.box, redis: cluster.ready ? 'ready' : 'unavailable' } }),
  });

  const metrics = config.metrics ? metricsHandler(createMetrics({ health, stats: hub.stats }), config.metricsToken) : null;

  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const path = pathOf(req.url ?? '/');
    if (path === '/metrics' && metrics && req.method === 'GET') {
      setNonPageHeaders(res);
      // Without a token the figures are for this machine only (a scraper on the box's host).
      if (config.metricsToken === null && !fromLoopback(req)) {
        res.writeHead(403, { 'Content-Type': 'text/plain' }).end('Forbidden: set METRICS_TOKEN to scrape from elsewhere\n');
        return;
      }
      metrics(req, res).catch(() => res.destroy());
      return;
    }
    if (path === WS_PATH && req.method === 'GET') {
      answerOriginCheck(req, res, config.allowedOrigins);
      return;
    }
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      setNonPageHeaders(res);
      res.writeHead(stopping ? 503 : 200, {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(health()));
      return;
    }
    if (httpHandler?.(req, res)) return;
    setNonPageHeaders(res);
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
  }

  const http = createServer(
    {
      // Slow clients (headers a byte at a time, or nothing at all) are cut after seconds, not
      // Node's default minute, so that they cannot hold the box's connections.
      headersTimeout: config.httpHeadersTimeoutMs,
      requestTimeout: config.httpRequestTimeoutMs,
      connectionsCheckingInterval: HTTP_TIMEOUT_CHECK_MS,
    },
    handleRequest,
  );
  http.maxConnections = config.maxPeers + HTTP_CONNECTIONS_BEYOND_PEERS;

  // Behind a proxy every connection comes from the proxy, which limits them itself
  // (deploy/nginx/runde.conf does).
  if (!config.trustProxy) limitConnectionsPerAddress(http, config.maxHttpConnectionsPerIp);

  // Frames up to twice the limit are read so that the sender gets ERR_TOO_LARGE and keeps its
  // socket; beyond that ws closes with 1009 without reading.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxMessageBytes * 2,
    perMessageDeflate: false,
    clientTracking: false,
    WebSocket: SessionSocket,
  });

  http.on('upgrade', (req, socket, head) => {
    socket.on('error', destroyOnError);
    const path = pathOf(req.url ?? '');
    const ip = clientIp(req, config.trustProxy);
    const refuse = (status: number, text: string, reason: string, origin?: string) => {
      log.event('refuse', { at: 'upgrade', status, reason, origin, ip: config.logIps ? ip : undefined });
      refuseUpgrade(socket, status, text);
    };
    if (stopping) return refuse(503, 'Service Unavailable', 'stopping');
    if (path !== WS_PATH) return refuse(404, 'Not Found', 'path');
    if (!originAllowed(req.headers.origin, req.headers.host, config.allowedOrigins)) {
      // The refused origin is a website, not a person: it names the ALLOWED_ORIGINS entry that is missing.
      return refuse(403, 'Forbidden', 'origin', req.headers.origin?.slice(0, MAX_LOGGED_ORIGIN_CHARS));
    }
    const key = addressKey(ip);
    if (!footprints.mayOpen(key)) return refuse(429, 'Too Many Requests', 'per-ip');
    if (sessions.size >= config.maxPeers) return refuse(503, 'Service Unavailable', 'capacity');
    // Counted only once ws hands the socket over (synchronously here): a handshake that ws
    // refuses (a bad key, version or a socket already gone) never reaches accept, and nothing
    // would close it to uncount it.
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.off('error', destroyOnError); // ws listens for errors on it now
      footprints.socketOpened(key);
      accept(ws as SessionSocket, ip, key);
    });
  });

  // Shared by all sockets; `this` is the socket that emitted.
  function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    hub.receive((this as SessionSocket).session!, data as Buffer, isBinary);
  }
  function onPong(this: WebSocket, data: Buffer): void {
    hub.pong((this as SessionSocket).session!, data);
  }
  function onError(err: Error): void {
    log.event('error', { message: err.message });
  }
  function onClose(this: WebSocket, code: number): void {
    const session = (this as SessionSocket).session!;
    sessions.delete(session);
    footprints.socketClosed(session.key);
    log.event('close', { code, refusals: session.refusals });
    hub.closed(session, code);
  }

  function accept(ws: SessionSocket, ip: string, key: string): void {
    const session = hub.open(ws, ip, key);
    ws.session = session;
    sessions.add(session);
    log.event('connect', { ip: config.logIps ? ip : undefined, connections: sessions.size });
    ws.on('message', onMessage);
    ws.on('pong', onPong);
    ws.on('error', onError);
    ws.on('close', onClose);
  }

  const heartbeat = setInterval(() => {
    for (const session of sessions) {
      if (!session.alive) {
        session.ws.terminate();
        continue;
      }
      session.alive = false;
      session.ws.ping();
    }
  }, config.heartbeatMs);
  heartbeat.unref();

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.port, config.host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    clearInterval(heartbeat);
    await cluster?.close();
    throw err;
  }
  const port = (http.address() as AddressInfo).port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${hostForUrl}:${port}`;
  log.event('listening', { url });

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      stopping = true;
      clearInterval(heartbeat);
      log.event('shutdown', { connections: sessions.size });
      const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
      const allGone = Promise.all(
        [...sessions].map(
          (s) =>
            new Promise<void>((resolve) => {
              s.ws.once('close', () => resolve());
              s.ws.close(CloseCode.GOING_AWAY, 'server shutting down');
            }),
        ),
      );
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownTimeoutMs).unref());
      await Promise.race([allGone, deadline]);
      for (const s of sessions) s.ws.terminate();
      hub.dispose();
      await cluster?.close();
      http.closeAllConnections();
      await httpClosed;
    })());

  return {
    url,
    wsUrl: `ws://${hostForUrl}:${port}${WS_PATH}`,
    port,
    config,
    health,
    stats: hub.stats,
    close,
  };
}
