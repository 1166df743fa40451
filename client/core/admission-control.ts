/**
 * The lock, the knocks and removals as every participant runs them. There is no server to
 * enforce a lock in a mesh: each participant answers only admitted peers, holds a knocker's
 * negotiation until someone lets it in, and tells everyone of each decision (admission.ts keeps
 * the state; this module is the protocol around it, PROTOCOL.md §6).
 *
 * What a modified client can do: knock (bounded: MAX_HELD_SIGNALS per knocker, MAX_HELD_KNOCKERS
 * at once), and, once in, lock, admit or remove like anyone else — every participant is equal.
 */
import type { PeerId } from '../../signaling/protocol.js';
import { Admission, asAdmissionSignal, type AdmissionSignal, type OwnAdmission } from './admission.js';
import { noteTrouble } from './diagnostics.js';
import { RundeError } from './errors.js';
import { cleanName, type PeerMessage } from './peer-messages.js';

/**
 * Negotiation held per knocker until it is let in: an offer and its ICE candidates fit many times
 * over. Beyond it, signals are dropped and counted.
 */
export const MAX_HELD_SIGNALS = 64;
/** Knockers whose signals are held at once; a room has at most 8 people. */
export const MAX_HELD_KNOCKERS = 16;

export type AdmissionMessage = Extract<PeerMessage, { type: 'lock' | 'admit' | 'decline' | 'remove' | 'room-state' }>;

/** What admission needs from the mesh around it. */
export interface AdmissionPorts {
  readonly localId: PeerId;
  /** Peers in the meeting now (they proved the key). */
  present(): Iterable<PeerId>;
  /** A connection to `id` exists, proved or not. */
  hasLink(id: PeerId): boolean;
  /** Seals a control payload to `id` through the box. */
  sendSignal(id: PeerId, signal: AdmissionSignal): void;
  /** Settles when what was sealed for `id` has left. */
  sent(id: PeerId): Promise<void>;
  /** Tells every connected peer over the data channel. */
  broadcast(msg: AdmissionMessage): void;
  /** Hands a let-in knocker's held negotiation to its connection. */
  deliver(id: PeerId, signal: unknown): void;
  /** Closes the connection to `id` and drops it from the meeting. */
  drop(id: PeerId): void;
  /** We were turned away: the meeting ends here. */
  turnedAway(error: RundeError): void;
  /** The lock, the knocks or our own standing changed. */
  changed(): void;
}

export class AdmissionControl {
  readonly state = new Admission();
  /** Our own standing: in, waiting at a lock, or turned away. */
  own: OwnAdmission = 'in';
  /** Signals dropped because a knocker sent more than is held. */
  dropped = 0;
  readonly #held = new Map<PeerId, unknown[]>();
  readonly #ports: AdmissionPorts;

  constructor(ports: AdmissionPorts) {
    this.#ports = ports;
  }

  /** Locks or unlocks the meeting for everyone; unlocking lets the knockers in. */
  setLocked(locked: boolean): void {
    this.#applyLock(locked);
    this.#ports.broadcast({ type: 'lock', locked });
  }

  /** Lets a knocker in, for everyone. */
  admit(id: PeerId): void {
    this.#applyAdmit(id);
    this.#ports.broadcast({ type: 'admit', peer: id });
  }

  /** Turns a knocker away, for everyone. */
  decline(id: PeerId): void {
    this.#applyBan(id, 'declined');
    this.#ports.broadcast({ type: 'decline', peer: id });
  }

  /** Removes a participant: every peer drops it and ignores it for the rest of the meeting. */
  remove(id: PeerId): void {
    this.#applyBan(id, 'removed');
    this.#ports.broadcast({ type: 'remove', peer: id });
  }

  /** Whether to dial (or answer) `id` at all. */
  mayConnect(id: PeerId): boolean {
    return !this.state.banned.has(id);
  }

  /** Says who we are before dialling into a meeting that may be locked. */
  knock(id: PeerId, name: string): void {
    this.#ports.sendSignal(id, { runde: 'knock', name });
  }

  /**
   * A sealed payload from `from`: handles it if it is a control payload (true). Otherwise the
   * caller goes on with it as negotiation.
   */
  handleSignal(from: PeerId, payload: unknown): boolean {
    const signal = asAdmissionSignal(payload);
    if (!signal) return false;
    this.#handleSignal(from, signal);
    return true;
  }

  /**
   * Negotiation from `from`: true if it may go to a connection now; false if it is held until
   * someone lets `from` in (or dropped, beyond the bounds).
   */
  pass(from: PeerId, signal: unknown): boolean {
    if (this.state.allows(from) || this.#ports.hasLink(from)) return true;
    // A knocker's offer waits, within bounds: a peer (or a box that invents peers) must not fill
    // this browser's memory by knocking.
    const held = this.#held.get(from) ?? [];
    if (held.length >= MAX_HELD_SIGNALS || (held.length === 0 && this.#held.size >= MAX_HELD_KNOCKERS)) {
      this.dropped++;
      noteTrouble('signal-held-full', { from, held: held.length, knockers: this.#held.size });
      return false;
    }
    held.push(signal);
    this.#held.set(from, held);
    return false;
  }

  /** A lock decision from a participant, over the data channel. */
  handleMessage(msg: AdmissionMessage): void {
    switch (msg.type) {
      case 'lock':
        return this.#applyLock(msg.locked);
      case 'admit':
        return this.#applyAdmit(msg.peer);
      case 'decline':
        return this.#applyBan(msg.peer, 'declined');
      case 'remove':
        return this.#applyBan(msg.peer, 'removed');
      case 'room-state':
        for (const id of this.state.merge(msg)) this.#applyAdmit(id);
        for (const id of msg.banned) if (this.#ports.hasLink(id)) this.#ports.drop(id);
        this.#ports.changed();
        return;
    }
  }

  /** What a newly connected peer must learn of the room, or null when there is nothing to tell. */
  roomState(): AdmissionMessage | null {
    const { locked, admitted, banned } = this.state;
    return locked || banned.size > 0 ? { type: 'room-state', locked, admitted: [...admitted], banned: [...banned] } : null;
  }

  /** A data channel opened: whoever waited at a lock is in now. */
  connected(): void {
    if (this.own === 'waiting') this.#setOwn('in');
  }

  /** The box says `id` left: its knock and held negotiation go. */
  left(id: PeerId): void {
    this.#held.delete(id);
    if (this.state.knocking.delete(id)) this.#ports.changed();
  }

  #applyLock(locked: boolean): void {
    if (locked === this.state.locked) return;
    if (locked) this.state.lock([this.#ports.localId, ...this.#ports.present()]);
    else for (const id of this.state.unlock()) this.#applyAdmit(id);
    this.#ports.changed();
  }

  #applyAdmit(id: PeerId): void {
    if (this.state.banned.has(id)) return;
    const wasKnocking = this.state.knocking.has(id);
    this.state.admit(id);
    const held = this.#held.get(id) ?? [];
    this.#held.delete(id);
    if (wasKnocking || held.length > 0) this.#ports.sendSignal(id, { runde: 'admitted' });
    for (const signal of held) this.#ports.deliver(id, signal);
    this.#ports.changed();
  }

  #applyBan(id: PeerId, why: 'declined' | 'removed'): void {
    if (id === this.#ports.localId || this.state.banned.has(id)) return;
    const tell = this.state.knocking.has(id) || this.#ports.hasLink(id);
    this.state.ban(id);
    this.#held.delete(id);
    if (tell) this.#ports.sendSignal(id, { runde: why });
    // Let the sealed notice leave before the connection goes.
    void this.#ports.sent(id).then(() => this.#ports.drop(id));
    this.#ports.changed();
  }

  #handleSignal(from: PeerId, signal: AdmissionSignal): void {
    switch (signal.runde) {
      case 'knock':
        if (!this.state.allows(from) && !this.state.banned.has(from)) {
          this.state.knocking.set(from, cleanName(signal.name));
          this.#ports.sendSignal(from, { runde: 'wait' });
          this.#ports.changed();
        }
        return;
      case 'wait':
        if (this.own === 'in' && isEmpty(this.#ports.present())) this.#setOwn('waiting');
        return;
      case 'admitted':
        if (this.own === 'waiting') this.#setOwn('in');
        return;
      case 'declined':
      case 'removed':
        if (this.own === 'in' || this.own === 'waiting') {
          this.#setOwn(signal.runde);
          this.#ports.turnedAway(new RundeError(signal.runde === 'declined' ? 'ERR_DECLINED' : 'ERR_REMOVED', `You were ${signal.runde}`));
        }
        return;
    }
  }

  #setOwn(state: OwnAdmission): void {
    this.own = state;
    this.#ports.changed();
  }
}

function isEmpty(ids: Iterable<PeerId>): boolean {
  for (const _ of ids) return false;
  return true;
}
