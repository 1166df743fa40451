/**
 * Who may be in the meeting, as every participant keeps it: the newest host-signed room state
 * (statements.ts), who is knocking, and which peers proved they are hosts. No server enforces a
 * lock in a mesh: each participant answers only peers this state lets in.
 */
import type { PeerId } from '../../signaling/protocol.js';
import { MAX_LISTED, isNewer, listWith, type RoomState, type SignedStatement } from './statements.js';

/**
 * Where we stand ourselves: still asking the others whether the meeting is locked, in, waiting at
 * the lock, or turned away.
 */
export type OwnAdmission = 'checking' | 'in' | 'waiting' | 'declined' | 'removed';

/** How a room state treats one peer. */
export type Standing = 'in' | 'waiting' | 'declined' | 'removed';

export class Admission {
  #state: RoomState | null = null;
  #signed: SignedStatement | null = null;
  /** Newcomers waiting at the lock, with the name they gave. */
  readonly knocking = new Map<PeerId, string>();
  /** Peers that proved they hold the host key. */
  readonly hosts = new Set<PeerId>();

  /** The newest host-signed state; null while no host has decided anything (an open meeting). */
  get state(): RoomState | null {
    return this.#state;
  }
  get signed(): SignedStatement | null {
    return this.#signed;
  }
  get locked(): boolean {
    return this.#state?.locked ?? false;
  }

  /**
   * Everyone removed or declined by any valid state seen, older ones included: a co-host's newer
   * state made without knowing of a removal must not undo it.
   */
  readonly #removed = new Set<PeerId>();
  readonly #declined = new Set<PeerId>();

  standingOf(id: PeerId): Standing {
    if (this.#removed.has(id)) return 'removed';
    if (this.#declined.has(id)) return 'declined';
    const s = this.#state;
    return !s?.locked || s.admitted.includes(id) ? 'in' : 'waiting';
  }

  /** Whether a connection from `id` may be answered now. */
  allows(id: PeerId): boolean {
    return this.standingOf(id) === 'in';
  }

  isBanned(id: PeerId): boolean {
    const standing = this.standingOf(id);
    return standing === 'declined' || standing === 'removed';
  }

  /**
   * Takes what `state` says: all of it if it is newer than the held state ('newer'), else only
   * removals and declines the held state lacks ('bans'), else nothing ('stale').
   */
  take(state: RoomState, signed: SignedStatement): 'newer' | 'bans' | 'stale' {
    const before = this.#removed.size + this.#declined.size;
    for (const id of state.removed) this.#removed.add(id);
    for (const id of state.declined) this.#declined.add(id);
    const banned = this.#removed.size + this.#declined.size > before;
    const newer = isNewer(state, signed.sig, this.#state, this.#signed?.sig ?? '');
    if (newer) {
      this.#state = state;
      this.#signed = signed;
    }
    for (const id of [...this.knocking.keys()]) if (this.standingOf(id) !== 'waiting') this.knocking.delete(id);
    return newer ? 'newer' : banned ? 'bans' : 'stale';
  }

  /**
   * The state a host decision makes of the current one. `at` is the host's clock but always above
   * the state it replaces, so that a co-host whose clock runs behind is not ignored.
   */
  successor(room: RoomState['room'], change: (s: RoomState) => Partial<RoomState>, now = Date.now()): RoomState {
    const held: RoomState = this.#state ?? { kind: 'state', room, at: 0, locked: false, admitted: [], declined: [], removed: [] };
    // Built on every ban known here, not only the held state's.
    const base = { ...held, removed: [...this.#removed].slice(-MAX_LISTED), declined: [...this.#declined].slice(-MAX_LISTED) };
    const next = { ...base, ...change(base) };
    const banned = new Set([...next.removed, ...next.declined]);
    return { ...next, admitted: next.admitted.filter((id) => !banned.has(id)), kind: 'state', room, at: Math.max(now, held.at + 1) };
  }
}

/** Decisions as changes of a room state (pure, so that they are tested alone). */
export const decisions = {
  /** Locking admits everyone in the meeting now. */
  lock: (present: readonly PeerId[]) => (): Partial<RoomState> => ({ locked: true, admitted: present.slice(-MAX_LISTED) }),
  unlock: () => (): Partial<RoomState> => ({ locked: false }),
  admit:
    (id: PeerId) =>
    (s: RoomState): Partial<RoomState> => ({ admitted: listWith(s.admitted, id) }),
  decline:
    (id: PeerId) =>
    (s: RoomState): Partial<RoomState> => ({ declined: listWith(s.declined, id), admitted: s.admitted.filter((x) => x !== id) }),
  /**
   * Removing locks the meeting, so that the removed person cannot simply come back with the link
   * (a new visit has a new peer id): whoever is in now stays admitted.
   */
  remove:
    (id: PeerId, present: readonly PeerId[]) =>
    (s: RoomState): Partial<RoomState> => ({
      locked: true,
      removed: listWith(s.removed, id),
      admitted: (s.locked ? s.admitted : present).filter((x) => x !== id),
    }),
};
