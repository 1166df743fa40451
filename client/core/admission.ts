/**
 * Who may be in the meeting, as every participant keeps it. There is no server to enforce a
 * lock in a mesh: each peer accepts connections only from admitted peers, and decisions are
 * broadcast to all. A modified client can still knock; it cannot get in unless someone admits it.
 */
import type { PeerId } from '../../signaling/protocol.js';

/** Where we stand ourselves: in (or joining an open meeting), waiting at a lock, or turned away. */
export type OwnAdmission = 'in' | 'waiting' | 'declined' | 'removed';

export class Admission {
  locked = false;
  /** Peers let in while locked (and everyone present when the lock was set). */
  readonly admitted = new Set<PeerId>();
  /** Declined or removed: ignored for the rest of the meeting. */
  readonly banned = new Set<PeerId>();
  /** Newcomers waiting at the lock, with the name they gave. */
  readonly knocking = new Map<PeerId, string>();

  /** Whether a connection from `id` may be answered now. */
  allows(id: PeerId): boolean {
    return !this.banned.has(id) && (!this.locked || this.admitted.has(id));
  }

  lock(present: Iterable<PeerId>): void {
    this.locked = true;
    for (const id of present) this.admitted.add(id);
  }

  /** Unlocks; returns the knockers, who are now let in. */
  unlock(): PeerId[] {
    this.locked = false;
    const waiting = [...this.knocking.keys()];
    this.knocking.clear();
    return waiting;
  }

  admit(id: PeerId): void {
    this.admitted.add(id);
    this.knocking.delete(id);
  }

  ban(id: PeerId): void {
    this.banned.add(id);
    this.admitted.delete(id);
    this.knocking.delete(id);
  }

  /**
   * Takes in what another participant knows (sent to newcomers and on reconnects). Returns the
   * knockers an unlock in that state lets in, as `unlock` does.
   */
  merge(state: { locked: boolean; admitted: readonly PeerId[]; banned: readonly PeerId[] }): PeerId[] {
    for (const id of state.admitted) this.admitted.add(id);
    for (const id of state.banned) this.ban(id);
    if (!state.locked) return this.unlock();
    this.locked = true;
    return [];
  }
}

/** Control payloads sealed through the box, for peers without a data channel yet. */
export type AdmissionSignal = { runde: 'knock'; name: string } | { runde: 'wait' } | { runde: 'admitted' } | { runde: 'declined' } | { runde: 'removed' };

export function asAdmissionSignal(payload: unknown): AdmissionSignal | null {
  if (!payload || typeof payload !== 'object') return null;
  const p = payload as { runde?: unknown; name?: unknown };
  switch (p.runde) {
    case 'knock':
      return typeof p.name === 'string' ? { runde: 'knock', name: p.name } : null;
    case 'wait':
    case 'admitted':
    case 'declined':
    case 'removed':
      return { runde: p.runde };
    default:
      return null;
  }
}
