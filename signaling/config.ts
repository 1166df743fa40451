/**
 * The box's configuration: defaults, and how environment variables map onto it.
 * The README's configuration table lists the same variables.
 */
import { MAX_MESSAGE_BYTES, type IceServer } from './protocol.js';
import type { TurnConfig } from './turn.js';

export interface SignalingConfig {
  port: number;
  host: string;
  /** Largest accepted frame; larger frames up to twice this get ERR_TOO_LARGE, beyond that 1009. */
  maxMessageBytes: number;
  maxPeersPerRoom: number;
  maxRooms: number;
  maxPeers: number;
  /** Open WebSocket connections per client IP address (a whole office may share one). */
  maxConnectionsPerIp: number;
  ratePerSecond: number;
  rateBurst: number;
  /** Invalid or dropped messages in a row (decaying one per second) before the socket is closed. */
  maxStrikes: number;
  /** Browser origins allowed to open a socket; empty: this box's own origin and localhost. */
  allowedOrigins: string[];
  joinTimeoutMs: number;
  heartbeatMs: number;
  graceMs: number;
  /** Frames queued for an away peer before further signals to it are refused. */
  maxPendingBytes: number;
  /** Bytes one socket may hold unsent (it does not read them) before the box closes it. */
  maxBufferedBytes: number;
  /** Bytes the box may hold for all clients together: unsent on sockets plus queued for away peers. */
  maxQueuedBytes: number;
  /** TCP connections per client address on the HTTP side (WebSockets included); ignored with trustProxy. */
  maxHttpConnectionsPerIp: number;
  /** How long a client may take to send a request's headers. */
  httpHeadersTimeoutMs: number;
  /** How long a client may take to send a whole request. */
  httpRequestTimeoutMs: number;
  iceServers: IceServer[];
  turn: TurnConfig | null;
  /** Take the client address from X-Forwarded-For (only behind a trusted reverse proxy). */
  trustProxy: boolean;
  logIps: boolean;
  /** Folder served at `/` (the built app); null serves no files. */
  staticDir: string | null;
  shutdownTimeoutMs: number;
  /** Serve Prometheus metrics at /metrics. */
  metrics: boolean;
  /** When set, /metrics answers only to `Authorization: Bearer <token>`. */
  metricsToken: string | null;
  /**
   * Share rooms with other boxes through this Redis (`redis://…`, `rediss://…`), or with
   * `redisCluster` through the Redis Cluster these nodes belong to; empty: alone.
   */
  redisUrls: string[];
  /** Whether `redisUrls` name nodes of a Redis Cluster rather than one Redis. */
  redisCluster: boolean;
  /** How long a membership in Redis outlives the last sign of life of its box. */
  clusterTtlMs: number;
}

export const DEFAULT_CONFIG: SignalingConfig = {
  port: 8080,
  host: '127.0.0.1',
  maxMessageBytes: MAX_MESSAGE_BYTES,
  maxPeersPerRoom: 8,
  maxRooms: 10_000,
  maxPeers: 50_000,
  maxConnectionsPerIp: 500,
  ratePerSecond: 50,
  rateBurst: 200,
  maxStrikes: 50,
  allowedOrigins: [],
  joinTimeoutMs: 10_000,
  heartbeatMs: 30_000,
  graceMs: 10_000,
  maxPendingBytes: 256 * 1024,
  maxBufferedBytes: 1024 * 1024,
  maxQueuedBytes: 256 * 1024 * 1024,
  maxHttpConnectionsPerIp: 1_000,
  httpHeadersTimeoutMs: 5_000,
  httpRequestTimeoutMs: 10_000,
  iceServers: [],
  turn: null,
  trustProxy: false,
  logIps: false,
  staticDir: null,
  shutdownTimeoutMs: 4_000,
  metrics: true,
  metricsToken: null,
  redisUrls: [],
  redisCluster: false,
  clusterTtlMs: 9_000,
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
  }
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * `ALLOWED_ORIGINS`, each entry as a browser sends it in `Origin`: scheme, host and port only.
 * A trailing slash is dropped (`https://meet.example.org/` is that origin); a path, query or
 * fragment is refused, because no browser would ever send it and the box would refuse everyone.
 */
function allowedOrigins(env: Env): string[] {
  return list(env, 'ALLOWED_ORIGINS').map((entry) => {
    const url = URL.canParse(entry) ? new URL(entry) : null;
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      throw new ConfigError(`ALLOWED_ORIGINS must list origins such as https://meet.example.org, got "${entry}"`);
    }
    if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
      throw new ConfigError(
        `ALLOWED_ORIGINS lists origins (scheme, name and port), not pages: got "${entry}", write "${url.origin}" (a browser sends the origin only, also for an app under a path)`,
      );
    }
    return url.origin;
  });
}

function iceServers(env: Env): IceServer[] {
  const raw = env.ICE_SERVERS;
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('ICE_SERVERS must be a JSON array of RTCIceServer objects');
  }
  const ok = Array.isArray(parsed) && parsed.every((s) => s && typeof s === 'object' && (typeof s.urls === 'string' || Array.isArray(s.urls)));
  if (!ok) throw new ConfigError('ICE_SERVERS must be a JSON array of RTCIceServer objects');
  return parsed as IceServer[];
}

function turn(env: Env): TurnConfig | null {
  const urls = list(env, 'TURN_URLS');
  const secret = env.TURN_SECRET ?? '';
  if (urls.length === 0 && !secret) return null;
  if (urls.length === 0 || !secret) {
    throw new ConfigError('TURN_URLS and TURN_SECRET must be set together');
  }
  return { urls, secret, ttlSeconds: int(env, 'TURN_TTL', 86_400, 60) };
}

function redisUrls(env: Env, cluster: boolean): string[] {
  const raw = env.REDIS_URL;
  if (!raw) {
    if (cluster) throw new ConfigError('REDIS_CLUSTER needs REDIS_URL: one or more nodes of the cluster, comma-separated');
    return [];
  }
  if (!cluster && /,\s*rediss?:\/\//.test(raw)) {
    throw new ConfigError('REDIS_URL names several Redis nodes: set REDIS_CLUSTER=true for a Redis Cluster');
  }
  // One Redis is one URL, as it always was (a comma may be part of its password); only a
  // cluster's nodes are a list.
  const urls = cluster ? list(env, 'REDIS_URL') : [raw];
  for (const url of urls) {
    if (!URL.canParse(url) || !['redis:', 'rediss:'].includes(new URL(url).protocol)) {
      const what = cluster ? 'comma-separated redis:// or rediss:// URLs' : 'a redis:// or rediss:// URL';
      throw new ConfigError(`REDIS_URL must be ${what}, got "${url}"`);
    }
    // A cluster has database 0 only; node-redis would fail on every node instead.
    if (cluster && !['', '/', '/0'].includes(new URL(url).pathname)) {
      throw new ConfigError(`REDIS_URL of a Redis Cluster cannot name a database, got "${url}"`);
    }
  }
  return urls;
}

function httpTimeouts(env: Env): Pick<SignalingConfig, 'httpHeadersTimeoutMs' | 'httpRequestTimeoutMs'> {
  const headers = int(env, 'HTTP_HEADERS_TIMEOUT_MS', DEFAULT_CONFIG.httpHeadersTimeoutMs, 100);
  const request = int(env, 'HTTP_REQUEST_TIMEOUT_MS', Math.max(DEFAULT_CONFIG.httpRequestTimeoutMs, headers), 100);
  // Node refuses a request timeout shorter than the headers timeout.
  if (request < headers) throw new ConfigError('HTTP_REQUEST_TIMEOUT_MS must not be shorter than HTTP_HEADERS_TIMEOUT_MS');
  return { httpHeadersTimeoutMs: headers, httpRequestTimeoutMs: request };
}

/** Reads the configuration from environment variables; throws ConfigError on a bad value. */
export function configFromEnv(env: Env): SignalingConfig {
  const d = DEFAULT_CONFIG;
  const redisCluster = bool(env, 'REDIS_CLUSTER', d.redisCluster);
  const config: SignalingConfig = {
    port: int(env, 'PORT', d.port),
    host: env.HOST || d.host,
    maxMessageBytes: int(env, 'MAX_MESSAGE_BYTES', d.maxMessageBytes, 1024),
    maxPeersPerRoom: int(env, 'MAX_PEERS_PER_ROOM', d.maxPeersPerRoom, 2),
    maxRooms: int(env, 'MAX_ROOMS', d.maxRooms, 1),
    maxPeers: int(env, 'MAX_PEERS', d.maxPeers, 1),
    maxConnectionsPerIp: int(env, 'MAX_CONNECTIONS_PER_IP', d.maxConnectionsPerIp, 1),
    ratePerSecond: int(env, 'RATE_PER_SECOND', d.ratePerSecond, 1),
    rateBurst: int(env, 'RATE_BURST', d.rateBurst, 1),
    maxStrikes: int(env, 'MAX_STRIKES', d.maxStrikes, 1),
    allowedOrigins: allowedOrigins(env),
    joinTimeoutMs: int(env, 'JOIN_TIMEOUT_MS', d.joinTimeoutMs, 100),
    heartbeatMs: int(env, 'HEARTBEAT_MS', d.heartbeatMs, 100),
    graceMs: int(env, 'GRACE_MS', d.graceMs),
    maxPendingBytes: int(env, 'MAX_PENDING_BYTES', d.maxPendingBytes),
    maxBufferedBytes: int(env, 'MAX_BUFFERED_BYTES', d.maxBufferedBytes, 65_536),
    maxQueuedBytes: int(env, 'MAX_QUEUED_BYTES', d.maxQueuedBytes, 1_048_576),
    maxHttpConnectionsPerIp: int(env, 'MAX_HTTP_CONNECTIONS_PER_IP', d.maxHttpConnectionsPerIp, 1),
    ...httpTimeouts(env),
    iceServers: iceServers(env),
    turn: turn(env),
    trustProxy: bool(env, 'TRUST_PROXY', d.trustProxy),
    logIps: bool(env, 'LOG_IPS', d.logIps),
    staticDir: env.STATIC_DIR || d.staticDir,
    shutdownTimeoutMs: d.shutdownTimeoutMs,
    metrics: bool(env, 'METRICS', d.metrics),
    metricsToken: env.METRICS_TOKEN || d.metricsToken,
    redisUrls: redisUrls(env, redisCluster),
    redisCluster,
    clusterTtlMs: int(env, 'CLUSTER_TTL_MS', d.clusterTtlMs, 300),
  };
  // A socket must be able to hold a largest message (relayed with its envelope) while it reads.
  if (config.maxBufferedBytes < 2 * config.maxMessageBytes) {
    throw new ConfigError('MAX_BUFFERED_BYTES must be at least twice MAX_MESSAGE_BYTES');
  }
  return config;
}
