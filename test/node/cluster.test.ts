/**
 * Several boxes sharing rooms through a real redis-server, and through a real Redis Cluster of
 * three masters: peers on different boxes meet, the room limit and peer ids hold across boxes, a
 * peer moves to another box with its resume token, and a dead box's peers leave the room once
 * their membership expires.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { membersKey } from '../../signaling/cluster-scripts.js';
import { tickBatches } from '../../signaling/cluster.js';
import { configFromEnv } from '../../signaling/config.js';
import { hashSlot } from '../../signaling/hash-slot.js';
import { CloseCode, type ErrorMessage, type RoomId, type ServerMessage, type WelcomeMessage } from '../../signaling/protocol.js';
import type { SignalingOptions, SignalingServer } from '../../signaling/server.js';
import { redisClusterMissing, redisMissing, startRedis, startRedisCluster } from '../redis.js';
import { boxFor, newRoomId, spawnBox, TestClient, waitFor } from './helpers.js';

/** Short expiry so that a dead box's peers go within the tests' waits. */
const TTL_MS = 900;

/** A running Redis as the boxes are told about it. */
interface Deployment {
  /** REDIS_URL and REDIS_CLUSTER as a box reads them. */
  env: Record<string, string>;
  /** `n` new room ids; on a cluster, each served by a different node where there are enough. */
  rooms(n: number): RoomId[];
  stop(): Promise<void>;
}

const REDIS_KINDS = [
  {
    name: 'one Redis',
    skip: redisMissing() ?? false,
    async start(): Promise<Deployment> {
      const redis = await startRedis();
      return { env: { REDIS_URL: redis.url }, rooms: (n) => Array.from({ length: n }, newRoomId), stop: () => redis.stop() };
    },
  },
  {
    name: 'a Redis Cluster of three masters',
    skip: redisClusterMissing() ?? false,
    async start(): Promise<Deployment> {
      const cluster = await startRedisCluster(3);
      // Rooms on different nodes, so that a test crosses nodes (and the tick, one call per slot).
      const nodeOf = (room: RoomId) => cluster.portOfSlot(hashSlot(membersKey(room)));
      const rooms = (n: number) => {
        const picked: RoomId[] = [];
        while (picked.length < n) {
          const room = newRoomId();
          const used = new Set(picked.map(nodeOf));
          if (used.size === cluster.urls.length || !used.has(nodeOf(room))) picked.push(room);
        }
        return picked;
      };
      // Only the first node is named: the box learns the others from it.
      return { env: { REDIS_URL: cluster.urls[0], REDIS_CLUSTER: 'true' }, rooms, stop: () => cluster.stop() };
    },
  },
];

for (const kind of REDIS_KINDS)
  describe(`boxes sharing rooms through ${kind.name}`, { skip: kind.skip }, () => {
    let redis: Deployment;
    before(async () => {
      redis = await kind.start();
    });
    after(() => redis?.stop());

    const box = (t: TestContext, options: SignalingOptions = {}) => {
      const { redisUrls, redisCluster } = configFromEnv(redis.env);
      return boxFor(t, { redisUrls, redisCluster, clusterTtlMs: TTL_MS, ...options });
    };

    async function joined(server: SignalingServer, room: ReturnType<typeof newRoomId>, extra: Record<string, unknown> = {}, client?: TestClient) {
      const c = client ?? (await TestClient.open(server.wsUrl));
      const reply = await c.join(room, extra);
      assert.equal(reply.type, 'welcome', JSON.stringify(reply));
      return c;
    }

    test('peers on two boxes meet, signal each other and see each other leave', async (t) => {
      const [boxA, boxB] = [await box(t), await box(t)];
      const room = newRoomId();
      const a = await joined(boxA, room);
      const b = await joined(boxB, room);
      assert.deepEqual(b.welcome!.peers, [a.id]);
      assert.deepEqual(await a.next(), { type: 'peer-joined', peer: b.id });

      a.send({ type: 'signal', to: b.id, data: { sdp: 'offer' } });
      assert.deepEqual(await b.next(), { type: 'signal', from: a.id, data: { sdp: 'offer' } });
      b.send({ type: 'signal', to: a.id, data: { sdp: 'answer' } });
      assert.deepEqual(await a.next(), { type: 'signal', from: b.id, data: { sdp: 'answer' } });

      const c = await joined(boxA, room);
      assert.deepEqual(new Set(c.welcome!.peers), new Set([a.id, b.id]));
      assert.deepEqual(await a.next(), { type: 'peer-joined', peer: c.id });
      assert.deepEqual(await b.next(), { type: 'peer-joined', peer: c.id });

      b.send({ type: 'leave' });
      assert.deepEqual(await a.next(), { type: 'peer-left', peer: b.id, reason: 'left' });
      assert.deepEqual(await c.next(), { type: 'peer-left', peer: b.id, reason: 'left' });
      a.send({ type: 'signal', to: b.id, data: 1 });
      assert.equal((await a.next<ErrorMessage>()).code, 'ERR_UNKNOWN_PEER');
    });

    test('rooms stay apart across boxes', async (t) => {
      const [boxA, boxB] = [await box(t), await box(t)];
      const [room, other] = redis.rooms(2);
      const a = await joined(boxA, room);
      const x = await joined(boxB, other);
      assert.deepEqual(x.welcome!.peers, []);
      a.send({ type: 'signal', to: x.id, data: 1 });
      assert.equal((await a.next<ErrorMessage>()).code, 'ERR_UNKNOWN_PEER');
      // A wrong relay would reach x through Redis, which nothing on x's socket is ordered with: wait.
      assert.equal(await x.nothingWithin(200), true);
    });

    test('the room limit and peer ids hold across boxes', async (t) => {
      const [boxA, boxB] = [await box(t, { maxPeersPerRoom: 2 }), await box(t, { maxPeersPerRoom: 2 })];
      const [room, other] = redis.rooms(2);
      const a = await joined(boxA, room);
      await joined(boxB, room);
      const third = await TestClient.open(boxA.wsUrl);
      assert.equal(((await third.join(room)) as ErrorMessage).code, 'ERR_ROOM_FULL');
      assert.equal((await third.closed).code, CloseCode.ROOM_FULL);

      const p = await joined(boxA, other);
      const impostor = await TestClient.open(boxB.wsUrl);
      impostor.id = p.id;
      assert.equal(((await impostor.join(other)) as ErrorMessage).code, 'ERR_PEER_ID_TAKEN');
      const wrongToken = await TestClient.open(boxB.wsUrl);
      wrongToken.id = p.id;
      assert.equal(((await wrongToken.join(other, { resume: a.welcome!.resumeToken })) as ErrorMessage).code, 'ERR_PEER_ID_TAKEN');
    });

    test('a peer whose box shuts down resumes on another box; the others notice nothing', async (t) => {
      const boxA = await box(t);
      const boxB = await box(t);
      const room = newRoomId();
      const a = await joined(boxA, room);
      const b = await joined(boxB, room);
      await a.next(); // peer-joined b

      await boxA.close();
      assert.equal((await a.closed).code, CloseCode.GOING_AWAY);
      const moved = new TestClient(boxB.wsUrl);
      moved.id = a.id;
      await new Promise((resolve) => moved.ws.once('open', resolve));
      const welcome = (await moved.join(room, { resume: a.welcome!.resumeToken })) as WelcomeMessage;
      assert.equal(welcome.type, 'welcome');
      assert.equal(welcome.resumed, true);
      assert.equal(welcome.resumeToken, a.welcome!.resumeToken);
      assert.deepEqual(welcome.peers, [b.id]);

      b.send({ type: 'signal', to: a.id, data: 'still there?' });
      assert.deepEqual(await moved.next(), { type: 'signal', from: b.id, data: 'still there?' });
      // Longer than the membership's expiry: the moved peer is refreshed by its new box. The time
      // passing is the point here, so this waits for it.
      assert.equal(await b.nothingWithin(3 * TTL_MS), true, 'b is told nothing: no leave, no join');
    });

    test('when a box dies, its peers leave the room for the others once their membership expires', async (t) => {
      const boxB = await box(t);
      const { child, wsUrl } = await spawnBox(t, { ...redis.env, CLUSTER_TTL_MS: String(TTL_MS) });
      // Two rooms, so that the sweep (one call for a batch of rooms on one Redis, one per slot on a
      // cluster, here on two nodes) must tell each room its own.
      const [room, other] = redis.rooms(2);
      const dying = await joined({ wsUrl } as SignalingServer, room);
      const dying2 = await joined({ wsUrl } as SignalingServer, other);
      const b = await joined(boxB, room);
      const b2 = await joined(boxB, other);
      assert.deepEqual(b.welcome!.peers, [dying.id]);
      assert.deepEqual(b2.welcome!.peers, [dying2.id]);

      child.kill('SIGKILL'); // no goodbye to anyone, no cleanup in Redis
      assert.deepEqual(await b.next<ServerMessage>(), { type: 'peer-left', peer: dying.id, reason: 'lost' });
      assert.deepEqual(await b2.next<ServerMessage>(), { type: 'peer-left', peer: dying2.id, reason: 'lost' });
      const late = await joined(boxB, room);
      assert.deepEqual(late.welcome!.peers, [b.id], 'the peer of the dead box is no longer listed');
    });

    test('reports its id among the boxes and Redis on /healthz', async (t) => {
      const server = await box(t);
      const health = (await (await fetch(`${server.url}/healthz`)).json()) as { cluster?: { box: string; redis: string } };
      assert.match(health.cluster?.box ?? '', /^[A-Za-z0-9_-]{12}$/);
      assert.equal(health.cluster?.redis, 'ready');
    });
  });

// Redis going away and coming back on the same port is a single server's story; a cluster node
// that restarts is the cluster's business (and node-redis's), not the box's.
describe('a box on one Redis', { skip: redisMissing() ?? false }, () => {
  test('while Redis is away a join is sent off to try again, and works once Redis is back', async (t) => {
    const own = await startRedis();
    t.after(() => own.stop());
    const server = await boxFor(t, { redisUrls: [own.url], clusterTtlMs: TTL_MS });
    await own.stop();
    const c = await TestClient.open(server.wsUrl);
    c.send({ type: 'join', room: newRoomId(), peer: c.id });
    assert.equal((await c.closed).code, CloseCode.GOING_AWAY);

    const back = await startRedis(own.port);
    t.after(() => back.stop());
    const room = newRoomId();
    // Each poll is a client trying again, as the app does after being sent off.
    const joins = async () => {
      const retry = await TestClient.open(server.wsUrl);
      retry.send({ type: 'join', room, peer: retry.id });
      const reply: ServerMessage | null = await Promise.race([retry.next(), retry.closed.then(() => null)]);
      return reply?.type === 'welcome';
    };
    await waitFor(joins, 'a join to be welcomed once Redis is back', 15_000, 200);
  });
});

test('a tick covers up to 100 rooms per call on one Redis, and only rooms of one hash slot per call on a cluster', () => {
  const members = Array.from({ length: 250 }, (_, i) => [i, [`p${i}`]] as [number, string[]]);
  const single = tickBatches(members, () => 0);
  assert.deepEqual(
    single.map((b) => b.length),
    [100, 100, 50],
  );
  assert.deepEqual(single.flat(), members);

  const bySlot = tickBatches(members, (room) => room % 3);
  assert.deepEqual(
    bySlot.map((b) => b.length),
    [84, 83, 83],
  );
  for (const batch of bySlot) assert.equal(new Set(batch.map(([room]) => room % 3)).size, 1);
  assert.equal(bySlot.flat().length, members.length);
});
