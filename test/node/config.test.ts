import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { ConfigError, configFromEnv, type SignalingConfig } from '../../signaling/config.js';

/**
 * Every variable in the README's configuration table: the config field it sets, the README's
 * default as the box reads it, and another value with what it becomes.
 */
const VARIABLES: Record<string, { field: keyof SignalingConfig; unset: unknown; set: string; becomes: unknown; readme?: () => unknown }> = {
  PORT: { field: 'port', unset: 8080, set: '9000', becomes: 9000 },
  HOST: { field: 'host', unset: '127.0.0.1', set: '0.0.0.0', becomes: '0.0.0.0' },
  MAX_MESSAGE_BYTES: { field: 'maxMessageBytes', unset: 65536, set: '4096', becomes: 4096 },
  MAX_PEERS_PER_ROOM: { field: 'maxPeersPerRoom', unset: 8, set: '4', becomes: 4 },
  MAX_ROOMS: { field: 'maxRooms', unset: 10000, set: '7', becomes: 7 },
  MAX_PEERS: { field: 'maxPeers', unset: 50000, set: '70', becomes: 70 },
  MAX_CONNECTIONS_PER_IP: { field: 'maxConnectionsPerIp', unset: 500, set: '20', becomes: 20 },
  MAX_HTTP_CONNECTIONS_PER_IP: { field: 'maxHttpConnectionsPerIp', unset: 1000, set: '30', becomes: 30 },
  HTTP_HEADERS_TIMEOUT_MS: { field: 'httpHeadersTimeoutMs', unset: 5000, set: '2000', becomes: 2000 },
  HTTP_REQUEST_TIMEOUT_MS: { field: 'httpRequestTimeoutMs', unset: 10000, set: '20000', becomes: 20000 },
  RATE_PER_SECOND: { field: 'ratePerSecond', unset: 50, set: '5', becomes: 5 },
  RATE_BURST: { field: 'rateBurst', unset: 200, set: '9', becomes: 9 },
  MAX_STRIKES: { field: 'maxStrikes', unset: 50, set: '3', becomes: 3 },
  ALLOWED_ORIGINS: { field: 'allowedOrigins', unset: [], set: 'https://a.example, https://b.example', becomes: ['https://a.example', 'https://b.example'] },
  JOIN_TIMEOUT_MS: { field: 'joinTimeoutMs', unset: 10000, set: '500', becomes: 500 },
  HEARTBEAT_MS: { field: 'heartbeatMs', unset: 30000, set: '700', becomes: 700 },
  GRACE_MS: { field: 'graceMs', unset: 10000, set: '0', becomes: 0 },
  MAX_PENDING_BYTES: { field: 'maxPendingBytes', unset: 262144, set: '1000', becomes: 1000 },
  MAX_BUFFERED_BYTES: { field: 'maxBufferedBytes', unset: 1048576, set: '524288', becomes: 524288 },
  MAX_QUEUED_BYTES: { field: 'maxQueuedBytes', unset: 268435456, set: '2097152', becomes: 2097152 },
  ICE_SERVERS: { field: 'iceServers', unset: [], set: '[{"urls":"stun:turn.example.org:3478"}]', becomes: [{ urls: 'stun:turn.example.org:3478' }] },
  TURN_URLS: { field: 'turn', unset: null, set: '', becomes: null }, // with TURN_SECRET: the next test
  TURN_SECRET: { field: 'turn', unset: null, set: '', becomes: null },
  // Only with TURN_URLS and TURN_SECRET: its default is the lifetime they get.
  TURN_TTL: { field: 'turn', unset: null, set: '3600', becomes: null, readme: () => configFromEnv({ TURN_URLS: 'turn:x', TURN_SECRET: 's' }).turn?.ttlSeconds },
  TRUST_PROXY: { field: 'trustProxy', unset: false, set: 'yes', becomes: true },
  LOG_IPS: { field: 'logIps', unset: false, set: 'on', becomes: true },
  STATIC_DIR: { field: 'staticDir', unset: null, set: 'static', becomes: 'static' },
  METRICS: { field: 'metrics', unset: true, set: 'false', becomes: false },
  METRICS_TOKEN: { field: 'metricsToken', unset: null, set: 'abc', becomes: 'abc' },
  REDIS_URL: { field: 'redisUrls', unset: [], set: 'redis://127.0.0.1:6379', becomes: ['redis://127.0.0.1:6379'] },
  REDIS_CLUSTER: { field: 'redisCluster', unset: false, set: 'false', becomes: false }, // true needs REDIS_URL: below
  CLUSTER_TTL_MS: { field: 'clusterTtlMs', unset: 9000, set: '600', becomes: 600 },
};

/** The README's configuration table: variable → documented default (as written). */
function readmeTable(): Map<string, string> {
  const readme = readFileSync('README.md', 'utf8');
  const table = readme.slice(readme.indexOf('| variable | default | meaning |'));
  const rows = [...table.matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \|/gm)];
  return new Map(rows.map((m) => [m[1], m[2].trim()]));
}

test('the README documents exactly the variables the box reads, with their real defaults', () => {
  const documented = readmeTable();
  assert.deepEqual([...documented.keys()].sort(), Object.keys(VARIABLES).sort());
  const defaults = configFromEnv({});
  for (const [name, spec] of Object.entries(VARIABLES)) {
    assert.deepEqual(defaults[spec.field], spec.unset, `${name} unset`);
    const written = documented.get(name)!;
    const actual = spec.readme ? spec.readme() : spec.unset;
    if (/^`-?\d+`$/.test(written)) assert.equal(String(actual), written.slice(1, -1), `${name}: README says ${written}`);
  }
});

test('each variable sets its own field and nothing else', () => {
  const defaults = configFromEnv({});
  for (const [name, spec] of Object.entries(VARIABLES)) {
    if (spec.set === '') continue;
    const config = configFromEnv({ [name]: spec.set });
    assert.deepEqual(config[spec.field], spec.becomes, name);
    for (const key of Object.keys(defaults) as (keyof SignalingConfig)[]) {
      if (key !== spec.field) assert.deepEqual(config[key], defaults[key], `${name} must not change ${key}`);
    }
  }
});

test('reads limits, origins, ICE servers and TURN from the environment', () => {
  const config = configFromEnv({
    PORT: '9000',
    MAX_PEERS_PER_ROOM: '4',
    ALLOWED_ORIGINS: 'https://a.example, https://b.example',
    ICE_SERVERS: '[{"urls":"stun:turn.example.org:3478"}]',
    TURN_URLS: 'turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349',
    TURN_SECRET: 's3cret',
    TURN_TTL: '3600',
    LOG_IPS: 'true',
  });
  assert.equal(config.port, 9000);
  assert.equal(config.maxPeersPerRoom, 4);
  assert.deepEqual(config.allowedOrigins, ['https://a.example', 'https://b.example']);
  assert.deepEqual(config.iceServers, [{ urls: 'stun:turn.example.org:3478' }]);
  assert.deepEqual(config.turn, {
    urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'],
    secret: 's3cret',
    ttlSeconds: 3600,
  });
  assert.equal(config.logIps, true);
});

test('refuses invalid values with a sentence naming the variable', () => {
  assert.throws(
    () => configFromEnv({ PORT: '-1' }),
    (e: Error) => e instanceof ConfigError && /PORT/.test(e.message),
  );
  assert.throws(() => configFromEnv({ ICE_SERVERS: '{' }), /ICE_SERVERS/);
  assert.throws(() => configFromEnv({ TURN_URLS: 'turn:x' }), /TURN_URLS and TURN_SECRET/);
  assert.throws(() => configFromEnv({ LOG_IPS: 'maybe' }), /LOG_IPS/);
});

test('reads one Redis, or the nodes of a Redis Cluster, from REDIS_URL and REDIS_CLUSTER', () => {
  assert.deepEqual(configFromEnv({}).redisUrls, []);
  const one = configFromEnv({ REDIS_URL: 'redis://127.0.0.1:6379' });
  assert.deepEqual([one.redisUrls, one.redisCluster], [['redis://127.0.0.1:6379'], false]);
  // One Redis is one URL as before, commas and all (they may be part of a password).
  assert.deepEqual(configFromEnv({ REDIS_URL: 'rediss://:a,b@redis.example:6380' }).redisUrls, ['rediss://:a,b@redis.example:6380']);

  const cluster = configFromEnv({ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://10.0.0.1:6379, redis://10.0.0.2:6379' });
  assert.deepEqual([cluster.redisUrls, cluster.redisCluster], [['redis://10.0.0.1:6379', 'redis://10.0.0.2:6379'], true]);
  assert.deepEqual(configFromEnv({ REDIS_CLUSTER: 'yes', REDIS_URL: 'rediss://u:p@10.0.0.1:6379/0' }).redisUrls, ['rediss://u:p@10.0.0.1:6379/0']);
});

test('refuses a Redis configuration that names the wrong thing, with a sentence saying what is wanted', () => {
  const refused = (env: Record<string, string>, pattern: RegExp) =>
    assert.throws(
      () => configFromEnv(env),
      (e: Error) => e instanceof ConfigError && pattern.test(e.message),
    );
  refused({ REDIS_URL: 'http://127.0.0.1:6379' }, /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
  refused({ REDIS_URL: 'redis://10.0.0.1:6379,redis://10.0.0.2:6379' }, /several Redis nodes: set REDIS_CLUSTER=true/);
  refused({ REDIS_CLUSTER: 'true' }, /REDIS_CLUSTER needs REDIS_URL/);
  refused({ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://10.0.0.1:6379,10.0.0.2:6379' }, /comma-separated redis:\/\/ or rediss:\/\/ URLs, got "10.0.0.2:6379"/);
  refused({ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://10.0.0.1:6379/2' }, /cannot name a database/);
  refused({ REDIS_CLUSTER: 'maybe', REDIS_URL: 'redis://10.0.0.1:6379' }, /REDIS_CLUSTER must be true or false/);
});

test('ALLOWED_ORIGINS: a trailing slash is the same origin; a page, query or other scheme stops the start with the origin to write', () => {
  assert.deepEqual(configFromEnv({ ALLOWED_ORIGINS: 'https://meet.example.org/, HTTPS://Box.Example.org:443' }).allowedOrigins, [
    'https://meet.example.org',
    'https://box.example.org',
  ]);
  assert.deepEqual(configFromEnv({ ALLOWED_ORIGINS: 'http://127.0.0.1:8081/' }).allowedOrigins, ['http://127.0.0.1:8081']);
  const refused = (value: string, pattern: RegExp) =>
    assert.throws(
      () => configFromEnv({ ALLOWED_ORIGINS: value }),
      (e: Error) => e instanceof ConfigError && pattern.test(e.message),
      value,
    );
  refused('https://www.example.org/runde/', /not pages: got "https:\/\/www\.example\.org\/runde\/", write "https:\/\/www\.example\.org"/);
  refused('https://meet.example.org/?x=1', /write "https:\/\/meet\.example\.org"/);
  refused('https://meet.example.org/#a', /write "https:\/\/meet\.example\.org"/);
  refused('meet.example.org', /ALLOWED_ORIGINS must list origins such as https:\/\/meet\.example\.org, got "meet\.example\.org"/);
  refused('wss://meet.example.org', /got "wss:\/\/meet\.example\.org"/);
});
