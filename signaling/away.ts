/**
 * Peers whose socket dropped. Each keeps its place in its room for the grace period, so that it
 * can resume without anyone noticing, and collects the signals sent to it meanwhile.
 *
 * Everything here is bounded: signals per away peer (`maxPendingBytes`), all queued signals of
 * the box together (`maxQueuedBytes`, shared with what sockets hold unsent, see outbox.ts), and
 * away peers per client address (they count against the address's share, see footprint.ts).
 */
import type { Footprints } from './footprint.js';
import type { RoomId } from './protocol.js';
import type { Member } from './rooms.js';

interface Absence {
  readonly timer: NodeJS.Timeout;
  /** The address key of the socket that dropped: its share holds this peer until it returns. */
  readonly key: string;
}

export interface AwayLimits {
  graceMs: number;
  maxPendingBytes: number;
  maxQueuedBytes: number;
}

export class AwayPeers<C> {
  readonly #absent = new Map<Member<C>, Absence>();
  /** Bytes of the queues of all members (away, or resumed and not yet confirmed). */
  #queuedBytes = 0;

  /**
   * `expired` is called once a member's grace period ends without a resume (its queue is already
   * dropped); `otherQueued` reports what else shares the box-wide budget (socket backlogs).
   */
  constructor(
    private readonly limits: AwayLimits,
    private readonly footprints: Footprints,
    private readonly expired: (member: Member<C>, room: RoomId) => void,
    private readonly otherQueued: () => number = () => 0,
  ) {}

  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  get count(): number {
    return this.#absent.size;
  }

  /** `member` of `room` has just lost its connection (from address `key`): its grace period starts. */
  start(member: Member<C>, room: RoomId, key: string): void {
    this.#stop(member);
    const timer = setTimeout(() => {
      this.drop(member);
      this.expired(member, room);
    }, this.limits.graceMs);
    timer.unref();
    this.#absent.set(member, { timer, key });
    this.footprints.peerAway(key);
  }

  /**
   * Keeps `frame` for `member` until it resumes. False when its own queue or the box's budget is
   * full: the frame is dropped and the sender told (ERR_PEER_UNREACHABLE).
   */
  queue(member: Member<C>, frame: string): boolean {
    const size = frame.length;
    if (member.pendingBytes + size > this.limits.maxPendingBytes) return false;
    if (this.#queuedBytes + this.otherQueued() + size > this.limits.maxQueuedBytes) return false;
    member.pending.push(frame);
    member.pendingBytes += size;
    this.#queuedBytes += size;
    return true;
  }

  /**
   * `member` resumed: its grace period ends and its queue is handed out for delivery. The frames
   * stay queued (and counted) until `confirmed`, or until the next resume hands them out again.
   */
  resumed(member: Member<C>): readonly string[] {
    this.#stop(member);
    return member.pending.slice();
  }

  /** The resumed socket has read what `resumed` handed out (it answered a ping sent after them). */
  confirmed(member: Member<C>): void {
    this.drop(member);
  }

  /** `member` is gone for good (expired, left, moved, removed): forget its queue and its absence. */
  drop(member: Member<C>): void {
    this.#stop(member);
    this.#queuedBytes -= member.pendingBytes;
    member.pending = [];
    member.pendingBytes = 0;
  }

  /** Stops every grace timer (shutdown). */
  dispose(): void {
    for (const { timer } of this.#absent.values()) clearTimeout(timer);
    this.#absent.clear();
  }

  #stop(member: Member<C>): void {
    const absence = this.#absent.get(member);
    if (!absence) return;
    clearTimeout(absence.timer);
    this.#absent.delete(member);
    this.footprints.peerBack(absence.key);
  }
}
