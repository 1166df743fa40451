/**
 * Several boxes sharing rooms through Redis (used when REDIS_URL is set): one Redis, or a Redis
 * Cluster (REDIS_CLUSTER), with the same keys, scripts and channels.
 *
 * Each box keeps its own sockets and its own registry of the peers connected to it. Redis holds,
 * per room, who is in it and on which box:
 * - `runde:{<room>}:m`, a sorted set of peer ids scored by the time their membership expires. The
 *   box that holds a peer pushes that time forward every `ttlMs / 3`; a dead box stops doing so,
 *   and any other box with members in the room sweeps the expired peers out and tells the room.
 * - `runde:{<room>}:p`, a hash peer id → "<box id> <SHA-256 of the resume token>", so that a peer
 *   whose box died can resume on another box with its token (the token itself is not stored).
 * Joins, leaves and moves are published on the channel `runde:{<room>}`; a box subscribes while
 * it has members in the room. A signal to a peer on another box goes to that box's own channel
 * `runde:box:<box>` as plain text "<room> <peer> <frame>" (no JSON around the JSON, and no echo
 * to the sender). Joining and the room-size check are one Lua script, so two boxes cannot both
 * admit the last place. The braces are a hash tag: a room's keys and channel share one hash slot.
 *
 * Channels are sharded pub/sub (SPUBLISH, SSUBSCRIBE; Redis 7): on a Redis Cluster a classic
 * PUBLISH is broadcast to every node, a sharded one goes only to the node of the channel's slot.
 * On a single Redis the two cost the same.
 *
 * What crosses Redis is what the box sees anyway: room ids (hashes of the link's secret), peer
 * ids and the encrypted signal payloads. Nothing here is logged.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { RedisClientType, RedisClusterType } from '@redis/client';
import { boxChannel, channelOf, JOIN, LEAVE, membersKey, TICK } from './cluster-scripts.js';
import { hashSlot } from './hash-slot.js';
import type { Logger } from './log.js';
import { isPeerId, isRoomId, type LeaveReason, type PeerId, type RoomId } from './protocol.js';

/** What the cluster reports to the hub about peers on other boxes. */
export interface ClusterEvents {
  /** A peer joined the room on another box. */
  remoteJoined(room: RoomId, peer: PeerId): void;
  /** A peer on another box left or expired. */
  remoteLeft(room: RoomId, peer: PeerId, reason: LeaveReason): void;
  /** One of this box's peers resumed on another box: drop it here without telling anyone. */
  remoteMoved(room: RoomId, peer: PeerId): void;
  /** A signal frame (as the recipient receives it) for a peer that may be on this box. */
  remoteSignal(room: RoomId, to: PeerId, frame: string): void;
}

export type ClusterJoin = { ok: true; resumed: boolean; remote: PeerId[] } | { ok: false; code: 'ERR_ROOM_FULL' | 'ERR_PEER_ID_TAKEN' };

export interface ClusterOptions {
  /** One Redis, or with `redisCluster` one or more nodes of a Redis Cluster to learn it from. */
  urls: string[];
  /** Whether `urls` name nodes of a Redis Cluster rather than one Redis. */
  redisCluster: boolean;
  /** How long a membership lives without being refreshed by its box. */
  ttlMs: number;
  log: Logger;
  /** The peers this box holds, by room: refreshed in Redis on every tick. */
  localMembers: () => Iterable<[RoomId, Iterable<PeerId>]>;
}

/** A message on a room's channel. `box` is the sender; a box ignores its own messages. */
type RoomNote =
  | { box: string; t: 'joined'; peer: PeerId }
  | { box: string; t: 'left'; peer: PeerId; reason: LeaveReason }
  | { box: string; t: 'moved'; peer: PeerId };

/** The SHA-256 of a resume token, as Redis keeps it. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Rooms per tick call: enough to make a tick a few calls, few enough not to hold Redis up. */
const TICK_BATCH = 100;

/** An attempt to connect to Redis gives up after this long (and node-redis tries again). */
const CONNECT_TIMEOUT_MS = 5_000;
/** Longest pause between two attempts to reach Redis again. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/** The scripts as the client knows them (`defineScript` adds each one's SHA-1). */
type Scripts = {
  rundeJoin: typeof JOIN & { SHA1: string };
  rundeTick: typeof TICK & { SHA1: string };
  rundeLeave: typeof LEAVE & { SHA1: string };
};
/**
 * Both connections: plain clients (or clients of a Redis Cluster), without modules, with Runde's
 * scripts. The cluster client routes each command by the slot of its first key or channel and
 * keeps one sharded subscriber connection per node by itself, so this module uses both alike.
 */
// biome-ignore lint/complexity/noBannedTypes: node-redis's own generic defaults (no modules, functions or type mapping)
type Client = RedisClientType<{}, {}, Scripts, 3, {}> | RedisClusterType<{}, {}, Scripts, 3, {}>;

/**
 * The key that decides which rooms one tick call may cover: on a Redis Cluster the hash slot of
 * the room's keys (a script may not touch keys of several slots there), on a single Redis the same
 * for all, so that a tick is a few calls however many rooms there are.
 */
const tickBatchKey = (redisCluster: boolean) => (redisCluster ? (room: RoomId) => hashSlot(membersKey(room)) : () => 0);

/**
 * The rooms and peers of one tick in batches that one script call each may cover: at most
 * TICK_BATCH rooms with the same `batchKey`.
 */
export function tickBatches<R, P>(members: Iterable<[R, Iterable<P>]>, batchKey: (room: R) => number): Array<Array<readonly [R, P[]]>> {
  const open = new Map<number, Array<readonly [R, P[]]>>();
  const batches: Array<Array<readonly [R, P[]]>> = [];
  for (const [room, peers] of members) {
    const key = batchKey(room);
    let batch = open.get(key);
    if (!batch) {
      batches.push((batch = []));
      open.set(key, batch);
    }
    batch.push([room, [...peers]]);
    if (batch.length === TICK_BATCH) open.delete(key);
  }
  return batches;
}

/** What node-redis needs from a `redis://user:password@…` URL to log in to every cluster node. */
function credentialsOf(url: string): { username?: string; password?: string } {
  const { username, password } = new URL(url);
  return {
    ...(username && { username: decodeURIComponent(username) }),
    ...(password && { password: decodeURIComponent(password) }),
  };
}

const isTls = (url: string) => new URL(url).protocol === 'rediss:';

export class RedisCluster {
  /** This box's id in Redis: random per start, so a restarted box is a new box. */
  readonly box = randomBytes(9).toString('base64url');
  /** Peers on other boxes and their box, by room, for the rooms this box has members in. */
  readonly #remote = new Map<RoomId, Map<PeerId, string>>();
  /** Rooms subscribed (or being subscribed) → the subscription promise. */
  readonly #subscribed = new Map<RoomId, Promise<void>>();
  readonly #timer: NodeJS.Timeout;
  readonly #tickBatchKey: (room: RoomId) => number;
  #events: ClusterEvents | null = null;
  #closed = false;
  /** Redis commands fail while it is away; node-redis reconnects by itself. */
  readonly #logError = (err: Error): void => this.options.log.event('redis-error', { message: err.message });

  private constructor(
    private readonly client: Client,
    private readonly sub: Client,
    private readonly options: ClusterOptions,
  ) {
    this.#tickBatchKey = tickBatchKey(options.redisCluster);
    this.#timer = setInterval(() => void this.#tick(), Math.max(100, Math.floor(options.ttlMs / 3)));
    this.#timer.unref();
  }

  /** Connects both Redis connections (commands and subscriptions); rejects if Redis is unreachable. */
  static async connect(options: ClusterOptions): Promise<RedisCluster> {
    // Loaded only when boxes share rooms: a box on its own starts without it (about 0.2 s).
    const { createClient, createCluster, defineScript } = await import('@redis/client');
    const scripts: Scripts = { rundeJoin: defineScript(JOIN), rundeTick: defineScript(TICK), rundeLeave: defineScript(LEAVE) };
    const [first] = options.urls;
    if (!first) throw new Error('REDIS_URL names no Redis server');
    const connection = {
      // Fail at once while Redis is away instead of queueing: a join then tells its client to try
      // again (perhaps on another box) rather than hang.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: CONNECT_TIMEOUT_MS,
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
      },
    };
    const client: Client = options.redisCluster
      ? createCluster({
          rootNodes: options.urls.map((url) => ({ url })),
          // node-redis connects to the nodes it discovers with these alone, not with the seed URLs.
          defaults: { ...connection, ...credentialsOf(first), socket: { ...connection.socket, tls: isTls(first) } },
          scripts,
        })
      : createClient({ url: first, scripts, ...connection });
    let reported = false;
    const onError = (err: Error) => {
      // node-redis reconnects on its own; say so once per outage, not once per retry.
      if (reported) return;
      reported = true;
      options.log.event('redis-error', { message: err.message });
    };
    // A cluster reports a node's trouble as 'node-error' and its recovery as 'node-ready'.
    const sub = client.duplicate();
    for (const redis of [client, sub]) {
      redis.on('error', onError);
      redis.on('node-error', onError);
    }
    client.on('ready', () => (reported = false));
    client.on('node-ready', () => (reported = false));
    try {
      await client.connect();
      await sub.connect();
    } catch (err) {
      client.destroy();
      sub.destroy();
      throw err;
    }
    const cluster = new RedisCluster(client, sub, options);
    try {
      await sub.sSubscribe(boxChannel(cluster.box), (message) => cluster.#hearSignal(message));
    } catch (err) {
      cluster.destroy();
      throw err;
    }
    return cluster;
  }

  set events(events: ClusterEvents) {
    this.#events = events;
  }

  /** Whether Redis answers commands now. */
  get ready(): boolean {
    return this.client.isReady;
  }

  /** Whether `peer` is in `room` on another box, as far as this box knows. */
  hasRemote(room: RoomId, peer: PeerId): boolean {
    return this.#remote.get(room)?.has(peer) ?? false;
  }

  /**
   * Admits `peer` to `room` across all boxes: subscribes to the room first (so nothing said in it
   * after the admission is missed), then runs the join script.
   */
  async join(room: RoomId, peer: PeerId, newToken: string, resumeToken: string | undefined, maxPeers: number): Promise<ClusterJoin> {
    await this.#subscribe(room);
    const now = Date.now();
    const [status, ...pairs] = await this.client.rundeJoin(room, {
      now,
      expiresAt: now + this.options.ttlMs,
      peer,
      box: this.box,
      tokenHash: tokenHash(newToken),
      resumeHash: resumeToken ? tokenHash(resumeToken) : '',
      maxPeers,
      keyLifetimeMs: this.options.ttlMs * 3,
    });
    if (status === 'full') return { ok: false, code: 'ERR_ROOM_FULL' };
    if (status === 'taken') return { ok: false, code: 'ERR_PEER_ID_TAKEN' };
    const remote = this.#remoteOf(room);
    remote.delete(peer);
    const others: PeerId[] = [];
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const [other, box] = [pairs[i], pairs[i + 1]];
      if (!isPeerId(other) || box === undefined) continue;
      remote.set(other, box);
      others.push(other);
    }
    const resumed = status === 'resumed';
    this.#publish(room, resumed ? { box: this.box, t: 'moved', peer } : { box: this.box, t: 'joined', peer });
    return { ok: true, resumed, remote: others };
  }

  /** `peer` left this box for good: out of the room in Redis, and the room is told. */
  leave(room: RoomId, peer: PeerId, reason: LeaveReason): void {
    this.client
      .rundeLeave(room, peer, this.box)
      .then((removed) => {
        if (removed === 1) this.#publish(room, { box: this.box, t: 'left', peer, reason });
      })
      .catch(this.#logError);
  }

  /** This box has no member of `room` left: stop listening to it. */
  release(room: RoomId): void {
    if (!this.#subscribed.delete(room)) return;
    this.#remote.delete(room);
    if (!this.#closed) this.sub.sUnsubscribe(channelOf(room)).catch(() => {});
  }

  /** Sends a signal frame to a peer on another box (one that `hasRemote` knows). */
  relay(room: RoomId, to: PeerId, frame: string): void {
    const box = this.#remote.get(room)?.get(to);
    if (!box || this.#closed) return;
    this.client.sPublish(boxChannel(box), `${room} ${to} ${frame}`).catch(this.#logError);
  }

  /**
   * Stops listening and disconnects. Memberships are left in Redis to expire, so that this box's
   * peers can resume on another box meanwhile.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await Promise.allSettled([this.sub.quit(), this.client.quit()]);
  }

  /** Ends both connections at once (a failed start). */
  destroy(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.sub.destroy();
    this.client.destroy();
  }

  #remoteOf(room: RoomId): Map<PeerId, string> {
    let peers = this.#remote.get(room);
    if (!peers) this.#remote.set(room, (peers = new Map()));
    return peers;
  }

  #subscribe(room: RoomId): Promise<void> {
    let pending = this.#subscribed.get(room);
    if (!pending) {
      pending = this.sub.sSubscribe(channelOf(room), (message) => this.#hear(room, message));
      pending.catch(() => this.#subscribed.delete(room));
      this.#subscribed.set(room, pending);
    }
    return pending;
  }

  #publish(room: RoomId, note: RoomNote): void {
    if (this.#closed) return;
    this.client.sPublish(channelOf(room), JSON.stringify(note)).catch(this.#logError);
  }

  #hear(room: RoomId, message: string): void {
    const events = this.#events;
    if (!events || !this.#subscribed.has(room)) return;
    let note: RoomNote;
    try {
      note = JSON.parse(message) as RoomNote;
    } catch {
      return;
    }
    if (note.box === this.box) return;
    switch (note.t) {
      case 'joined':
      case 'moved':
        // The peer is on the sender's box from now on.
        if (!isPeerId(note.peer) || typeof note.box !== 'string') return;
        this.#remoteOf(room).set(note.peer, note.box);
        return note.t === 'joined' ? events.remoteJoined(room, note.peer) : events.remoteMoved(room, note.peer);
      case 'left':
        if (!isPeerId(note.peer)) return;
        // A peer that left another box may have moved here; only a remote peer's leave counts.
        if (!this.#remote.get(room)?.delete(note.peer)) return;
        return events.remoteLeft(room, note.peer, note.reason === 'left' ? 'left' : 'lost');
    }
  }

  /** "<room> <peer> <frame>" on this box's channel: a signal for one of its peers. */
  #hearSignal(message: string): void {
    const first = message.indexOf(' ');
    const second = message.indexOf(' ', first + 1);
    if (first < 0 || second < 0) return;
    const room = message.slice(0, first);
    const to = message.slice(first + 1, second);
    if (!isRoomId(room) || !isPeerId(to)) return;
    this.#events?.remoteSignal(room, to, message.slice(second + 1));
  }

  /** Refreshes this box's memberships and sweeps out expired ones, a batch of rooms per call. */
  async #tick(): Promise<void> {
    if (this.#closed || !this.client.isReady) return;
    const now = Date.now();
    for (const batch of tickBatches(this.options.localMembers(), this.#tickBatchKey)) {
      try {
        const expired = await this.client.rundeTick({
          now,
          expiresAt: now + this.options.ttlMs,
          box: this.box,
          keyLifetimeMs: this.options.ttlMs * 3,
          rooms: batch,
        });
        for (let i = 0; i + 1 < expired.length; i += 2) {
          const room = batch[Number(expired[i]) - 1]?.[0];
          const peer = expired[i + 1];
          if (!room || !isPeerId(peer)) continue;
          // Every box with members here hears it, this one included (the sender is not a box id).
          this.#publish(room, { box: 'sweep', t: 'left', peer, reason: 'lost' });
        }
      } catch (err) {
        this.#logError(err as Error);
      }
    }
  }
}
