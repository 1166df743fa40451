/**
 * Keeps each peer's connection alive: notices a connection that failed (ICE failed, stayed
 * disconnected, or closed under us), has the side with the smaller peer id redial after a
 * backoff while the other waits for its offer, and lets a peer that stays unreachable leave the
 * grid until it comes back. A peer leaves the meeting only when the box says so (or it says
 * goodbye); this module never ends a meeting.
 */
import type { PeerId } from '../../signaling/protocol.js';
import type { Link } from './peer.js';
import { backoffMs } from './signaling-client.js';

/**
 * A connection whose ICE stays "disconnected" this long is given up and redialled. Chromium
 * reports "disconnected" only after about 6 s without answers, so this adds little.
 */
export const DISCONNECTED_GRACE_MS = 1_000;
/**
 * A peer whose connection failed and did not come back within this time leaves the grid (its
 * tab may have died: the box would tell only after its own grace period). If it comes back, it
 * reappears.
 */
export const PEER_LOST_MS = 2_000;

/** What the supervisor needs from the mesh around it. */
export interface SupervisorPorts {
  readonly localId: PeerId;
  /** `link` is still the connection the mesh uses for `id` (not replaced, not closed). */
  isCurrent(id: PeerId, link: Link): boolean;
  /** `id` proved the room key (it is in the meeting, not just dialling). */
  isMember(id: PeerId): boolean;
  /** Drops a connection that never proved the key. */
  drop(id: PeerId): void;
  /** Dials `id` again with a fresh connection and a higher generation. */
  redial(id: PeerId): void;
  /** The connection to `id` is down (it stays in the grid for now). */
  down(id: PeerId): void;
  /** `id` stayed unreachable for PEER_LOST_MS: it leaves the grid (unless it came back). */
  lost(id: PeerId): void;
}

export class LinkSupervisor {
  readonly #ports: SupervisorPorts;
  /** Failed connections in a row per peer (for the redial backoff). */
  readonly #failures = new Map<PeerId, number>();
  readonly #lostTimers = new Map<PeerId, ReturnType<typeof setTimeout>>();
  readonly #redialTimers = new Map<PeerId, ReturnType<typeof setTimeout>>();
  #stopped = false;

  constructor(ports: SupervisorPorts) {
    this.#ports = ports;
  }

  /** Watches a peer's current connection (call again for each replacement). */
  watch(id: PeerId, link: Link): void {
    let disconnected: ReturnType<typeof setTimeout> | null = null;
    const clear = () => {
      if (disconnected) clearTimeout(disconnected);
      disconnected = null;
    };
    link.on('iceState', (state) => {
      clear();
      if (state === 'disconnected') disconnected = setTimeout(() => this.#failed(id, link), DISCONNECTED_GRACE_MS);
      if (state === 'failed') this.#failed(id, link);
    });
    link.on('close', () => {
      clear();
      this.#failed(id, link);
    });
  }

  /** The data channel to `id` opened: it is back, the backoff starts over. */
  connected(id: PeerId): void {
    this.#failures.delete(id);
    this.#clear(this.#lostTimers, id);
  }

  /** `id` left the meeting: no timer of its stays. */
  forget(id: PeerId): void {
    this.#failures.delete(id);
    this.#clear(this.#lostTimers, id);
    this.#clear(this.#redialTimers, id);
  }

  /** The meeting is over: every timer goes. */
  stop(): void {
    this.#stopped = true;
    for (const timer of [...this.#lostTimers.values(), ...this.#redialTimers.values()]) clearTimeout(timer);
    this.#lostTimers.clear();
    this.#redialTimers.clear();
  }

  /** Failures in a row for `id` (tests, diagnostics). */
  failures(id: PeerId): number {
    return this.#failures.get(id) ?? 0;
  }

  #failed(id: PeerId, link: Link): void {
    if (this.#stopped || !this.#ports.isCurrent(id, link)) return;
    if (!this.#ports.isMember(id)) return this.#ports.drop(id); // never proved the key: just drop
    this.#ports.down(id);
    if (!this.#lostTimers.has(id)) {
      this.#lostTimers.set(
        id,
        setTimeout(() => {
          this.#lostTimers.delete(id);
          this.#ports.lost(id);
        }, PEER_LOST_MS),
      );
    }
    const failures = this.failures(id);
    this.#failures.set(id, failures + 1);
    if (this.#ports.localId < id) {
      this.#clear(this.#redialTimers, id);
      this.#redialTimers.set(
        id,
        setTimeout(() => {
          this.#redialTimers.delete(id);
          if (!this.#stopped && this.#ports.isCurrent(id, link)) this.#ports.redial(id);
        }, backoffMs(failures)),
      );
    } else {
      link.destroy();
    }
  }

  #clear(timers: Map<PeerId, ReturnType<typeof setTimeout>>, id: PeerId): void {
    clearTimeout(timers.get(id));
    timers.delete(id);
  }
}
