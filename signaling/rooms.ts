/**
 * The room and peer registry of the signaling box: pure state, no sockets, no timers.
 *
 * `C` is whatever the server uses to reach a peer (a socket wrapper); the registry only stores it.
 * Rooms exist while they have members; a member whose socket dropped stays "away" (conn null)
 * until it resumes or the server expires it.
 */
import type { ErrorCode, PeerId, ResumeToken, RoomId } from './protocol.js';

export interface Member<C> {
  readonly id: PeerId;
  readonly token: ResumeToken;
  /** The live connection, or null while the peer is away within its grace period. */
  conn: C | null;
  /**
   * Frames addressed to the peer while it was away. They are sent when it resumes and kept until
   * its new socket confirms that it read them, so that a second resume replacing that socket
   * first gets them again (signals are sequence-numbered: a client drops what it already has).
   */
  pending: string[];
  pendingBytes: number;
}

export interface RegistryLimits {
  maxPeersPerRoom: number;
  maxRooms: number;
  maxPeers: number;
}

export type JoinOutcome<C> =
  | { ok: true; resumed: false; member: Member<C>; others: Member<C>[] }
  | { ok: true; resumed: true; member: Member<C>; others: Member<C>[]; replaced: C | null }
  | { ok: false; code: Extract<ErrorCode, 'ERR_ROOM_FULL' | 'ERR_SERVER_FULL' | 'ERR_PEER_ID_TAKEN'> };

export class RoomRegistry<C> {
  readonly #rooms = new Map<RoomId, Map<PeerId, Member<C>>>();
  #peers = 0;

  constructor(
    private readonly limits: RegistryLimits,
    private readonly newToken: () => ResumeToken,
  ) {}

  get roomCount(): number {
    return this.#rooms.size;
  }
  get peerCount(): number {
    return this.#peers;
  }

  /**
   * Adds `peer` to `room` on `conn`, or resumes it when `resume` is the token of the member that
   * already holds that id (the old connection, if still live, is returned as `replaced`).
   * A resume for an id that is no longer in the room is a plain join. `token`: the new member's
   * token when the caller chose it (several boxes: admitted in Redis before it is added here).
   */
  join(room: RoomId, peer: PeerId, conn: C, resume?: ResumeToken, token?: ResumeToken): JoinOutcome<C> {
    const members = this.#rooms.get(room);
    const existing = members?.get(peer);
    if (members && existing) {
      if (resume === undefined || !safeEqual(resume, existing.token)) {
        return { ok: false, code: 'ERR_PEER_ID_TAKEN' };
      }
      const replaced = existing.conn;
      existing.conn = conn;
      return { ok: true, resumed: true, member: existing, others: othersOf(members, peer), replaced };
    }
    if (this.#peers >= this.limits.maxPeers) return { ok: false, code: 'ERR_SERVER_FULL' };
    if (!members && this.#rooms.size >= this.limits.maxRooms) {
      return { ok: false, code: 'ERR_SERVER_FULL' };
    }
    if (members && members.size >= this.limits.maxPeersPerRoom) {
      return { ok: false, code: 'ERR_ROOM_FULL' };
    }
    const member: Member<C> = { id: peer, token: token ?? this.newToken(), conn, pending: [], pendingBytes: 0 };
    const room2 = members ?? new Map<PeerId, Member<C>>();
    const others = othersOf(room2, peer);
    room2.set(peer, member);
    if (!members) this.#rooms.set(room, room2);
    this.#peers++;
    return { ok: true, resumed: false, member, others };
  }

  /** Whether a join of `peer` with `resume` would resume the member that holds that id. */
  canResume(room: RoomId, peer: PeerId, resume: ResumeToken | undefined): boolean {
    const existing = this.get(room, peer);
    return existing !== undefined && resume !== undefined && safeEqual(resume, existing.token);
  }

  get(room: RoomId, peer: PeerId): Member<C> | undefined {
    return this.#rooms.get(room)?.get(peer);
  }

  /** Members in `room` (0 when there is no such room). */
  size(room: RoomId): number {
    return this.#rooms.get(room)?.size ?? 0;
  }

  /** Every room with its members' ids. */
  *members(): IterableIterator<[RoomId, PeerId[]]> {
    for (const [room, members] of this.#rooms) yield [room, [...members.keys()]];
  }

  /** Every member of `room`, in join order. */
  inRoom(room: RoomId): Member<C>[] {
    return [...(this.#rooms.get(room)?.values() ?? [])];
  }

  /** Members of `room` other than `except`, in join order. */
  others(room: RoomId, except: PeerId): Member<C>[] {
    const members = this.#rooms.get(room);
    return members ? othersOf(members, except) : [];
  }

  /**
   * Marks the member away if `conn` is still its connection (a replaced socket closing late must
   * not mark the resumed member away). Returns whether it did.
   */
  markAway(room: RoomId, peer: PeerId, conn: C): boolean {
    const member = this.get(room, peer);
    if (!member || member.conn !== conn) return false;
    member.conn = null;
    return true;
  }

  /**
   * Removes the member. With `onlyIf` set, removes it only while that is still its connection
   * (`null`: only while it is away). Returns the remaining members, or null when nothing changed.
   */
  remove(room: RoomId, peer: PeerId, onlyIf?: C | null): Member<C>[] | null {
    const members = this.#rooms.get(room);
    const member = members?.get(peer);
    if (!members || !member) return null;
    if (onlyIf !== undefined && member.conn !== onlyIf) return null;
    members.delete(peer);
    this.#peers--;
    if (members.size === 0) this.#rooms.delete(room);
    return [...members.values()];
  }
}

function othersOf<C>(members: Map<PeerId, Member<C>>, except: PeerId): Member<C>[] {
  const out: Member<C>[] = [];
  for (const m of members.values()) if (m.id !== except) out.push(m);
  return out;
}

/** Compares two tokens in time independent of where they first differ. */
function safeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
