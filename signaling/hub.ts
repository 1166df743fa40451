/**
 * The protocol logic of the box: what each frame from a socket does to the rooms and to the
 * other sockets. Knows sockets only through the `Session` it is handed; no HTTP here.
 */
import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import type { ClusterEvents, ClusterJoin, RedisCluster } from './cluster.js';
import type { SignalingConfig } from './config.js';
import { AwayPeers } from './away.js';
import type { Footprints } from './footprint.js';
import type { Logger } from './log.js';
import { Outbox } from './outbox.js';
import {
  CloseCode,
  ERROR_TEXT,
  PROTOCOL_VERSION,
  parseClientMessage,
  type ErrorCode,
  type JoinMessage,
  type LeaveReason,
  type Limits,
  type PeerId,
  type ResumeToken,
  type RoomId,
  type ServerMessage,
  type SignalMessage,
} from './protocol.js';
import { TokenBucket } from './rate-limit.js';
import { RoomRegistry, type JoinOutcome, type Member } from './rooms.js';
import { iceServersFor } from './turn.js';

/** Refusal lines logged per socket before further ones are only counted. */
const MAX_LOGGED_REFUSALS = 10;
/** Frames a socket may send while its join waits for Redis; they are handled after it. */
const MAX_QUEUED_WHILE_JOINING = 16;
/** How long a socket closed for not reading may take to receive its close frame before it is cut. */
const TOO_SLOW_LINGER_MS = 1_000;
/** The payload of the ping sent after frames queued for a resumed peer: its pong confirms them. */
const CONFIRM_PING = Buffer.from('resumed');

/** One WebSocket connection and what the box knows about it. */
export interface Session {
  readonly ws: WebSocket;
  readonly ip: string;
  /** The address's key in the per-address shares (IPv6 by its /64). */
  readonly key: string;
  readonly bucket: TokenBucket;
  /** Answered the last heartbeat ping with a pong (sending frames alone does not count). */
  alive: boolean;
  joined: { room: RoomId; peer: PeerId } | null;
  /** Set once the session ended its membership itself (leave, replaced, refused). */
  done: boolean;
  strikes: number;
  strikesAt: number;
  refusals: number;
  joinTimer: NodeJS.Timeout | null;
  /** Frames that arrived while the join was being admitted across boxes; null otherwise. */
  queued: Array<[Buffer, boolean]> | null;
}

/** Counters since start, exported on /metrics. */
export interface HubStats {
  joins: number;
  resumes: number;
  relayed: number;
  relayedBytes: number;
  refusals: Partial<Record<ErrorCode, number>>;
  /** Sockets closed for persistent excess over the rate limit. */
  rateLimitedSockets: number;
  /** Sockets closed because they did not read what the box sent them. */
  slowSockets: number;
}

export class Hub implements ClusterEvents {
  readonly rooms: RoomRegistry<Session>;
  /** Set when boxes share rooms through Redis. */
  cluster: RedisCluster | null = null;
  /** Joins waiting for Redis, by room: the box keeps listening to a room while one is pending. */
  readonly #joining = new Map<RoomId, number>();
  readonly stats: HubStats = {
    joins: 0,
    resumes: 0,
    relayed: 0,
    relayedBytes: 0,
    refusals: {},
    rateLimitedSockets: 0,
    slowSockets: 0,
  };
  readonly #outbox: Outbox;
  readonly #away: AwayPeers<Session>;
  readonly #limits: Limits;
  #disposed = false;

  constructor(
    private readonly config: SignalingConfig,
    private readonly log: Logger,
    private readonly footprints: Footprints,
  ) {
    this.rooms = new RoomRegistry<Session>(config, () => randomId() as ResumeToken);
    this.#outbox = new Outbox(config, () => this.#away.queuedBytes);
    this.#away = new AwayPeers<Session>(
      config,
      footprints,
      (member, room) => this.#expired(member, room),
      () => this.#outbox.backlogBytes,
    );
    this.#limits = {
      maxMessageBytes: config.maxMessageBytes,
      maxPeersPerRoom: config.maxPeersPerRoom,
      ratePerSecond: config.ratePerSecond,
      rateBurst: config.rateBurst,
      graceMs: config.graceMs,
    };
  }

  /** Bytes the box holds for its clients: unsent on sockets, and queued for away peers. */
  get queuedBytes(): number {
    return this.#outbox.backlogBytes + this.#away.queuedBytes;
  }

  /** Peers in rooms whose socket dropped, within their grace period. */
  get awayPeers(): number {
    return this.#away.count;
  }

  open(ws: WebSocket, ip: string, key: string): Session {
    const now = Date.now();
    const session: Session = {
      ws,
      ip,
      key,
      bucket: new TokenBucket(this.config.ratePerSecond, this.config.rateBurst, now),
      alive: true,
      joined: null,
      done: false,
      strikes: 0,
      strikesAt: now,
      refusals: 0,
      joinTimer: null,
      queued: null,
    };
    session.joinTimer = setTimeout(() => {
      session.joinTimer = null;
      if (!session.joined) this.#refuse(session, 'ERR_JOIN_TIMEOUT', CloseCode.JOIN_TIMEOUT);
    }, this.config.joinTimeoutMs);
    session.joinTimer.unref();
    return session;
  }

  /** Handles one frame. Never throws: every problem becomes an error reply. */
  receive(session: Session, data: Buffer, isBinary: boolean): void {
    if (session.done) return;
    const now = Date.now();
    if (session.queued) {
      if (session.queued.length >= MAX_QUEUED_WHILE_JOINING) return this.#strike(session, 'ERR_RATE_LIMITED', now);
      session.queued.push([data, isBinary]);
      return;
    }
    if (!session.bucket.take(now)) {
      this.#strike(session, 'ERR_RATE_LIMITED', now);
      return;
    }
    if (isBinary) return this.#strike(session, 'ERR_BAD_MESSAGE', now);
    if (data.length > this.config.maxMessageBytes) return this.#strike(session, 'ERR_TOO_LARGE', now);
    const message = parseClientMessage(data.toString('utf8'));
    if (!message) return this.#strike(session, 'ERR_BAD_MESSAGE', now);
    switch (message.type) {
      case 'join':
        return this.#join(session, message);
      case 'signal':
        return this.#signal(session, message);
      case 'leave':
        return this.#leave(session);
      case 'ping':
        return this.#send(session, { type: 'pong' });
    }
  }

  /** A pong arrived: the socket is alive, and has read everything sent before the ping. */
  pong(session: Session, data: Buffer): void {
    session.alive = true;
    const joined = session.joined;
    if (!joined || !data.equals(CONFIRM_PING)) return;
    const member = this.rooms.get(joined.room, joined.peer);
    if (member?.conn === session && session.ws.readyState === WebSocket.OPEN) this.#away.confirmed(member);
  }

  /** The socket is gone. A clean close (1000) is a leave; anything else starts the grace period. */
  closed(session: Session, code: number): void {
    if (session.joinTimer) clearTimeout(session.joinTimer);
    const joined = session.joined;
    if (!joined || session.done || this.#disposed) return;
    session.done = true;
    const { room, peer } = joined;
    if (code === CloseCode.NORMAL || this.config.graceMs === 0) {
      const others = this.#remove(room, peer, session);
      if (others) this.#announceLeft(others, peer, code === CloseCode.NORMAL ? 'left' : 'lost', room);
      return;
    }
    this.#goAway(session, code);
  }

  /** Stops every grace timer (shutdown). */
  dispose(): void {
    this.#disposed = true;
    this.#away.dispose();
    this.#outbox.dispose();
  }

  /** The peer on `session` keeps its place for the grace period, without its socket. */
  #goAway(session: Session, code: number): void {
    const { room, peer } = session.joined!;
    if (!this.rooms.markAway(room, peer, session)) return;
    this.log.event('away', { room: this.log.tag(room), peer: this.log.tag(peer), code });
    this.#away.start(this.rooms.get(room, peer)!, room, session.key);
  }

  /** The grace period of an away peer ended without a resume. */
  #expired(member: Member<Session>, room: RoomId): void {
    const others = this.#remove(room, member.id, null);
    if (others) this.#announceLeft(others, member.id, 'lost', room);
  }

  #join(session: Session, msg: JoinMessage): void {
    if (session.joined) return this.#error(session, 'ERR_ALREADY_JOINED');
    if (msg.version !== undefined && msg.version !== PROTOCOL_VERSION) {
      return this.#refuse(session, 'ERR_UNSUPPORTED_VERSION', CloseCode.UNSUPPORTED_VERSION);
    }
    // A peer this box holds resumes here; anything else must be admitted across boxes.
    if (this.cluster && !this.rooms.get(msg.room, msg.peer)) {
      if (msg.resume === undefined && !this.footprints.mayJoin(session.key)) return this.#addressFull(session);
      void this.#joinAcrossBoxes(session, msg, this.cluster);
      return;
    }
    // A resume turns an away peer back into this socket; anything else adds to the address's share.
    if (!this.rooms.canResume(msg.room, msg.peer, msg.resume) && !this.footprints.mayJoin(session.key)) {
      return this.#addressFull(session);
    }
    const outcome = this.rooms.join(msg.room, msg.peer, session, msg.resume);
    if (!outcome.ok) return this.#refuse(session, outcome.code, JOIN_CLOSE[outcome.code]);
    this.#admitted(session, msg, outcome, []);
  }

  #addressFull(session: Session): void {
    this.log.event('refuse', { code: 'ERR_ADDRESS_FULL', ip: this.config.logIps ? session.ip : undefined });
    this.#refuse(session, 'ERR_ADDRESS_FULL', CloseCode.ADDRESS_FULL);
  }

  /** Admits the join in Redis first (room size, peer id, resume), then here. */
  async #joinAcrossBoxes(session: Session, msg: JoinMessage, cluster: RedisCluster): Promise<void> {
    const { room, peer } = msg;
    session.queued = [];
    this.#joining.set(room, (this.#joining.get(room) ?? 0) + 1);
    const newToken = randomId() as ResumeToken;
    let result: ClusterJoin | null = null;
    try {
      result = await cluster.join(room, peer, newToken, msg.resume, this.config.maxPeersPerRoom);
    } catch (err) {
      this.log.event('redis-error', { message: (err as Error).message });
    } finally {
      const left = (this.#joining.get(room) ?? 1) - 1;
      if (left > 0) this.#joining.set(room, left);
      else this.#joining.delete(room);
    }
    const queued = session.queued;
    session.queued = null;
    if (!result) {
      // Rooms are unknown while Redis is unreachable: the client retries, perhaps on another box.
      session.done = true;
      session.ws.close(CloseCode.GOING_AWAY, 'rooms unavailable');
      return this.#releaseIfNoneHere(room);
    }
    const gone = session.done || session.ws.readyState !== WebSocket.OPEN;
    if (!result.ok) {
      this.#releaseIfNoneHere(room);
      if (!gone) this.#refuse(session, result.code, JOIN_CLOSE[result.code]);
      return;
    }
    // A resume token that resumed nothing made this a fresh join after all.
    const overShare = !result.resumed && !this.footprints.mayJoin(session.key);
    const outcome = gone || overShare ? null : this.rooms.join(room, peer, session, undefined, result.resumed ? msg.resume : newToken);
    if (!outcome?.ok) {
      // Admitted in Redis but not added here after all: give the place back.
      cluster.leave(room, peer, 'left');
      this.#releaseIfNoneHere(room);
      if (outcome) this.#refuse(session, outcome.code, JOIN_CLOSE[outcome.code]);
      else if (overShare && !gone) this.#addressFull(session);
      return;
    }
    // Resumed from another box: new to this registry, the same peer to everyone else.
    this.#admitted(session, msg, result.resumed ? { ...outcome, resumed: true, replaced: null } : outcome, result.remote);
    for (const [data, isBinary] of queued) this.receive(session, data, isBinary);
  }

  /** Stops listening to `room` in Redis once this box neither holds nor is admitting a member. */
  #releaseIfNoneHere(room: RoomId): void {
    if (this.rooms.size(room) === 0 && !this.#joining.has(room)) this.cluster?.release(room);
  }

  /** Welcomes a peer admitted to the room; `remote`: the members on other boxes. */
  #admitted(session: Session, msg: JoinMessage, outcome: Extract<JoinOutcome<Session>, { ok: true }>, remote: PeerId[]): void {
    if (session.joinTimer) clearTimeout(session.joinTimer);
    session.joinTimer = null;
    session.joined = { room: msg.room, peer: msg.peer };
    const { member, others } = outcome;
    this.#send(session, {
      type: 'welcome',
      version: PROTOCOL_VERSION,
      peer: msg.peer,
      peers: [...others.map((m) => m.id), ...remote],
      resumeToken: member.token,
      resumed: outcome.resumed,
      iceServers: iceServersFor(this.config.iceServers, this.config.turn, msg.peer, Date.now()),
      limits: this.#limits,
    });
    const tags = { room: this.log.tag(msg.room), peer: this.log.tag(msg.peer), peers: others.length + 1 };
    if (outcome.resumed) {
      this.stats.resumes++;
      this.log.event('resume', tags);
      if (outcome.replaced) {
        outcome.replaced.done = true;
        this.#refuse(outcome.replaced, 'ERR_REPLACED', CloseCode.REPLACED);
      }
      if (session.done) return; // the welcome did not fit: the peer is away again
      const frames = this.#away.resumed(member);
      // A socket that fails here is away again, and its queue still holds every frame.
      for (const frame of frames) if (!this.#sendOn(session, frame)) return;
      // Its pong tells that the socket read them; until then a replacing resume gets them again.
      if (frames.length > 0) session.ws.ping(CONFIRM_PING);
      return;
    }
    this.stats.joins++;
    this.log.event('join', tags);
    this.#sendAll(others, JSON.stringify({ type: 'peer-joined', peer: msg.peer } satisfies ServerMessage));
  }

  #signal(session: Session, msg: SignalMessage): void {
    if (!session.joined) return this.#error(session, 'ERR_NOT_JOINED');
    const { room, peer } = session.joined;
    const target = msg.to === peer ? undefined : this.rooms.get(room, msg.to);
    const elsewhere = !target && msg.to !== peer && this.cluster?.hasRemote(room, msg.to);
    if (!target && !elsewhere) return this.#error(session, 'ERR_UNKNOWN_PEER', msg.to);
    const frame = JSON.stringify({ type: 'signal', from: peer, data: msg.data } satisfies ServerMessage);
    if (!target) this.cluster!.relay(room, msg.to, frame);
    else if (!this.#deliver(target, frame)) return this.#error(session, 'ERR_PEER_UNREACHABLE', msg.to);
    this.stats.relayed++;
    this.stats.relayedBytes += frame.length;
  }

  #leave(session: Session): void {
    if (!session.joined) return this.#error(session, 'ERR_NOT_JOINED');
    const { room, peer } = session.joined;
    session.done = true;
    const others = this.#remove(room, peer, session);
    if (others) this.#announceLeft(others, peer, 'left', room);
    session.ws.close(CloseCode.NORMAL, 'left');
  }

  /** Removes a member for good (see RoomRegistry.remove for `onlyIf`) and forgets its queue. */
  #remove(room: RoomId, peer: PeerId, onlyIf?: Session | null): Member<Session>[] | null {
    const member = this.rooms.get(room, peer);
    const others = this.rooms.remove(room, peer, onlyIf);
    if (others && member) this.#away.drop(member);
    return others;
  }

  #announceLeft(others: Member<Session>[], peer: PeerId, reason: LeaveReason, room: RoomId): void {
    this.log.event('leave', { room: this.log.tag(room), peer: this.log.tag(peer), reason });
    if (this.cluster) {
      this.cluster.leave(room, peer, reason);
      this.#releaseIfNoneHere(room);
    }
    this.#sendAll(others, JSON.stringify({ type: 'peer-left', peer, reason } satisfies ServerMessage));
  }

  /**
   * Sends a room notice to the members that are connected now. Away members need none: the
   * welcome that resumes them lists the room as it is then.
   */
  #sendAll(members: Iterable<Member<Session>>, frame: string): void {
    for (const member of members) if (member.conn) this.#sendOn(member.conn, frame);
  }

  /**
   * Hands `frame` to `member`'s socket, or keeps it while the member is away (also when its socket
   * turns out too slow to take it). False when it could not be kept: the member's queue or the
   * box's budget is full.
   */
  #deliver(member: Member<Session>, frame: string): boolean {
    if (member.conn && this.#sendOn(member.conn, frame)) return true;
    return this.#away.queue(member, frame);
  }

  /**
   * Sends on a socket; false when the socket does not read what it is sent: it is then closed and
   * its peer, if any, is away (it may resume on a new socket and receive what is queued).
   */
  #sendOn(session: Session, frame: string): boolean {
    if (this.#outbox.send(session.ws, frame)) return true;
    this.#tooSlow(session);
    return false;
  }

  #tooSlow(session: Session): void {
    const ws = session.ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    this.stats.slowSockets++;
    this.stats.refusals.ERR_TOO_SLOW = (this.stats.refusals.ERR_TOO_SLOW ?? 0) + 1;
    this.log.event('slow', { buffered: ws.bufferedAmount, joined: session.joined !== null });
    if (session.joined && !session.done) {
      session.done = true;
      this.#goAway(session, CloseCode.TOO_SLOW);
    }
    session.done = true;
    // The close frame waits behind what the socket has not read: give it a moment, then cut.
    ws.close(CloseCode.TOO_SLOW, 'ERR_TOO_SLOW');
    setTimeout(() => ws.terminate(), TOO_SLOW_LINGER_MS).unref();
  }

  /**
   * Counts a bad or excess frame against the socket. Strikes decay one per second; past the limit
   * the socket is closed, so that abuse costs only the abuser.
   */
  #strike(session: Session, code: ErrorCode, now: number): void {
    const decayed = Math.floor((now - session.strikesAt) / 1000);
    if (decayed > 0) {
      session.strikes = Math.max(0, session.strikes - decayed);
      session.strikesAt += decayed * 1000;
    }
    session.strikes++;
    if (session.strikes <= this.config.maxStrikes) return this.#error(session, code);
    if (code === 'ERR_RATE_LIMITED') {
      this.stats.rateLimitedSockets++;
      this.#refuse(session, code, CloseCode.RATE_LIMITED);
    } else this.#refuse(session, 'ERR_ABUSE', CloseCode.ABUSE);
  }

  #error(session: Session, code: ErrorCode, peer?: PeerId): void {
    this.stats.refusals[code] = (this.stats.refusals[code] ?? 0) + 1;
    if (++session.refusals <= MAX_LOGGED_REFUSALS) this.log.event('refuse', { code });
    const msg: ServerMessage = { type: 'error', code, message: ERROR_TEXT[code] };
    if (peer) msg.peer = peer;
    this.#send(session, msg);
  }

  /** An error that ends the socket. */
  #refuse(session: Session, code: ErrorCode, closeCode: CloseCode): void {
    this.#error(session, code);
    const joined = session.joined;
    if (joined && !session.done) {
      const others = this.#remove(joined.room, joined.peer, session);
      if (others) this.#announceLeft(others, joined.peer, 'lost', joined.room);
    }
    session.done = true;
    if (session.ws.readyState === WebSocket.OPEN) session.ws.close(closeCode, code);
  }

  #send(session: Session, msg: ServerMessage): void {
    this.#sendOn(session, JSON.stringify(msg));
  }

  // ---- what other boxes report (through Redis) ----

  remoteJoined(room: RoomId, peer: PeerId): void {
    if (this.rooms.get(room, peer)) return;
    this.#sendAll(this.rooms.inRoom(room), JSON.stringify({ type: 'peer-joined', peer } satisfies ServerMessage));
  }

  remoteLeft(room: RoomId, peer: PeerId, reason: LeaveReason): void {
    if (this.rooms.get(room, peer)) return;
    this.#sendAll(this.rooms.inRoom(room), JSON.stringify({ type: 'peer-left', peer, reason } satisfies ServerMessage));
  }

  remoteMoved(room: RoomId, peer: PeerId): void {
    const member = this.rooms.get(room, peer);
    if (!member) return;
    const old = member.conn;
    this.#remove(room, peer);
    this.log.event('moved', { room: this.log.tag(room), peer: this.log.tag(peer) });
    if (old && !old.done) {
      old.done = true;
      this.#refuse(old, 'ERR_REPLACED', CloseCode.REPLACED);
    }
    this.#releaseIfNoneHere(room);
  }

  remoteSignal(room: RoomId, to: PeerId, frame: string): void {
    const target = this.rooms.get(room, to);
    if (target) this.#deliver(target, frame);
  }
}

const JOIN_CLOSE = {
  ERR_ROOM_FULL: CloseCode.ROOM_FULL,
  ERR_SERVER_FULL: CloseCode.SERVER_FULL,
  ERR_PEER_ID_TAKEN: CloseCode.PEER_ID_TAKEN,
} as const;

/** 128 random bits, base64url: the form of peer ids and resume tokens. */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}
