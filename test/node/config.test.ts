import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, DEFAULT_CONFIG, configFromEnv } from '../../signaling/config.js';

test('uses the documented defaults when nothing is set', () => {
  const config = configFromEnv({});
  assert.equal(config.port, 8080);
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.maxMessageBytes, 65536);
  assert.equal(config.maxPeersPerRoom, 8);
  assert.equal(config.graceMs, 10_000);
  assert.equal(config.joinTimeoutMs, 10_000);
  assert.deepEqual(config.iceServers, []);
  assert.equal(config.turn, null);
  assert.deepEqual(config, DEFAULT_CONFIG);
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
  assert.throws(() => configFromEnv({ PORT: '-1' }), (e: Error) => e instanceof ConfigError && /PORT/.test(e.message));
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
    assert.throws(() => configFromEnv(env), (e: Error) => e instanceof ConfigError && pattern.test(e.message));
  refused({ REDIS_URL: 'http://127.0.0.1:6379' }, /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
  refused({ REDIS_URL: 'redis://10.0.0.1:6379,redis://10.0.0.2:6379' }, /several Redis nodes: set REDIS_CLUSTER=true/);
  refused({ REDIS_CLUSTER: 'true' }, /REDIS_CLUSTER needs REDIS_URL/);
  refused({ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://10.0.0.1:6379,10.0.0.2:6379' }, /comma-separated redis:\/\/ or rediss:\/\/ URLs, got "10.0.0.2:6379"/);
  refused({ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://10.0.0.1:6379/2' }, /cannot name a database/);
  refused({ REDIS_CLUSTER: 'maybe', REDIS_URL: 'redis://10.0.0.1:6379' }, /REDIS_CLUSTER must be true or false/);
});
