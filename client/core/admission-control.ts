/**
 * Hosts, the lock, knocks and removals as every participant runs them (PROTOCOL.md §10a).
 *
 * Entering: a newcomer sends a sealed `hello` to everyone the box lists and creates no connection
 * yet. Each Runde client answers with an `entry`: the newest host-signed room state it holds (and
 * its host proof, if it is a host). The newcomer takes the newest valid state among the answers;
 * it dials only when that state lets it in, and only once every peer answered or ENTRY_WAIT_MS
 * passed — a silent peer cannot make it conclude "open", and an old state passed on by anyone
 * loses to a newer one from anyone else. Waiting at a lock, it dials nobody; the `hello` was its
 * knock. A host lets it in by signing a new state, which reaches it sealed through the box.
 *
 * Answering: a participant answers (and keeps) a connection only from a peer the state lets in,
 * and only while it is in itself; everything else is held (bounded) or dropped. When a newer state
 * arrives it drops connections the state no longer allows, after telling those peers why.
 *
 * Statements are checked by statements.ts; forged ones are counted and ignored, whoever passes
 * them on. What a modified client with the participant link can still do: knock, and stay silent.
 */
import type { PeerId, RoomId } from '../../signaling/protocol.js';
import { Admission, decisions, type OwnAdmission } from './admission.js';
import { noteTrouble } from './diagnostics.js';
import { RundeError } from './errors.js';
import type { HostKey } from './host-key.js';
import { cleanName, MAX_RECEIVED_NAME_CHARS } from './peer-messages.js';
import {
  REQUEST_MAX_SKEW_MS,
  StatementChecker,
  asSignedStatement,
  sign,
  type HostRequest,
  type RoomState,
  type SignedStatement,
  type Statement,
} from './statements.js';

/**
 * Negotiation held per peer until the state lets it in: an offer and its ICE candidates fit many
 * times over. Beyond it, signals are dropped and counted.
 */
export const MAX_HELD_SIGNALS = 64;
/** Peers whose signals are held at once; a room has at most 8 people. */
export const MAX_HELD_KNOCKERS = 16;
/** How long a newcomer waits for every peer's answer before deciding on the answers it has. */
export const ENTRY_WAIT_MS = 3_000;
/** Host requests remembered to carry out each only once. */
const SEEN_REQUESTS = 256;

/** Control payloads sealed through the box, for peers without a connection. */
export type AdmissionSignal =
  | { runde: 'hello'; name: string; host?: SignedStatement }
  | { runde: 'entry'; state?: SignedStatement; host?: SignedStatement; waiting?: string }
  | { runde: 'host'; st: SignedStatement };

/** The admission payloads there are (PEERS.md §1). */
export const ADMISSION_SIGNAL_KINDS = ['hello', 'entry', 'host'] as const satisfies readonly AdmissionSignal['runde'][];

const isName = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_RECEIVED_NAME_CHARS;

/**
 * The admission payload in a sealed signal (PEERS.md "Sealed payloads"), its shape checked;
 * null for anything else. Whether its statements are signed by a host is checked later.
 */
export function parseAdmissionSignal(payload: unknown): AdmissionSignal | null {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return null;
  const p = payload as Record<string, unknown>;
  const signed = (v: unknown) => (v === undefined ? undefined : asSignedStatement(v));
  switch (p.runde) {
    case 'hello': {
      const host = signed(p.host);
      if (!isName(p.name) || host === null) return null;
      return host ? { runde: 'hello', name: p.name, host } : { runde: 'hello', name: p.name };
    }
    case 'entry': {
      const [state, host] = [signed(p.state), signed(p.host)];
      if (state === null || host === null || (p.waiting !== undefined && !isName(p.waiting))) return null;
      const entry: AdmissionSignal = { runde: 'entry' };
      if (state) entry.state = state;
      if (host) entry.host = host;
      if (p.waiting !== undefined) entry.waiting = p.waiting as string;
      return entry;
    }
    case 'host': {
      const st = asSignedStatement(p.st);
      return st ? { runde: 'host', st } : null;
    }
    default:
      return null;
  }
}

/** A signed statement over the data channel. */
export interface HostMessage {
  type: 'host';
  st: SignedStatement;
}

/** What admission needs from the mesh around it. */
export interface AdmissionPorts {
  readonly localId: PeerId;
  readonly room: RoomId;
  /** The meeting secret: the id of the one host key accepted (null: a meeting without hosts). */
  readonly hostKeyId: string | null;
  /** Our host key, when we opened the host link. */
  readonly host: HostKey | null;
  /** Peers in the meeting now (they proved the key). */
  present(): Iterable<PeerId>;
  /** Every connection, proved or not. */
  linked(): Iterable<PeerId>;
  /** Seals a control payload to `id` through the box. */
  sendSignal(id: PeerId, signal: AdmissionSignal): void;
  /** Settles when what was sealed for `id` has left. */
  sent(id: PeerId): Promise<void>;
  /** Tells every connected peer but `except` over the data channel. */
  broadcast(msg: HostMessage, except: PeerId | null): void;
  /** Hands held negotiation to the connection with `id` (making it if needed). */
  deliver(id: PeerId, signal: unknown): void;
  /** Dials `id`. */
  dial(id: PeerId): void;
  /** Closes the connection to `id` and drops it from the meeting. */
  drop(id: PeerId): void;
  /** We were turned away: the meeting ends here. */
  turnedAway(error: RundeError): void;
  /** A host asked us to do something (mute, lower the hand). */
  asked(request: HostRequest): void;
  /** The lock, the knocks, the hosts or our own standing changed. */
  changed(): void;
}

export class AdmissionControl {
  readonly state = new Admission();
  /** Our own standing. */
  own: OwnAdmission = 'checking';
  /** Signals dropped because a peer sent more than is held. */
  dropped = 0;
  /** Statements that failed their check (wrong key, bad signature, other room, malformed). */
  forged = 0;
  /** Valid statements older than what we hold, or requests too old or seen before. */
  stale = 0;
  readonly #ports: AdmissionPorts;
  readonly #checker: StatementChecker;
  readonly #held = new Map<PeerId, unknown[]>();
  /** Peers at the box we know of: the box's list when we came, and whoever said hello since. */
  readonly #known = new Set<PeerId>();
  /**
   * Peers that spoke the admission protocol to us (hello or entry). Only they are dialled or
   * answered: a Runde newcomer says hello before its offer, and a peer that never says anything
   * (a lurker) gets no connection from us, whatever the state.
   */
  readonly #heard = new Set<PeerId>();
  /** Peers whose answer we wait for before deciding (null: not deciding). */
  #pending: Set<PeerId> | null = null;
  #entryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Our name, said in our hello. */
  #name = '';
  readonly #seenRequests: string[] = [];
  /** Host decisions, one after the other: each builds on the state the previous one made. */
  #decisions: Promise<void> = Promise.resolve();
  readonly #proof: Promise<SignedStatement> | null;

  constructor(ports: AdmissionPorts) {
    this.#ports = ports;
    this.#checker = new StatementChecker(ports.room, ports.hostKeyId);
    const { host, room, localId } = ports;
    this.#proof = host ? sign(host, { kind: 'host', room, at: Date.now(), peer: localId }) : null;
    if (host) this.state.hosts.add(localId);
  }

  get isHost(): boolean {
    return this.#ports.host !== null;
  }

  /**
   * The box let us in (`peers`: who is there). A newcomer asks everyone before dialling anyone; a
   * participant already in (after the box restarted, or resuming) dials whoever it lacks.
   */
  enter(peers: readonly PeerId[], name: string): void {
    for (const id of peers) this.#known.add(id);
    this.#name = name;
    if (this.own === 'in') return this.#dialMissing(peers);
    if (this.own === 'declined' || this.own === 'removed') return;
    this.#setOwn('checking');
    const asked = peers.filter((id) => !this.state.isBanned(id));
    if (asked.length === 0) return this.#decide();
    this.#pending = new Set(asked);
    this.#entryTimer = setTimeout(() => this.#decide(), ENTRY_WAIT_MS);
    void this.#hello().then((hello) => {
      for (const id of asked) this.#ports.sendSignal(id, hello);
    });
  }

  /** Whether to dial (or answer) `id` at all. */
  mayConnect(id: PeerId): boolean {
    return !this.state.isBanned(id);
  }

  /**
   * Negotiation from `from`: true if it may go to a connection now; false if it is held until the
   * state lets `from` in and we are in ourselves (or dropped, beyond the bounds).
   */
  pass(from: PeerId, signal: unknown): boolean {
    if (this.own === 'in' && this.#heard.has(from) && this.state.allows(from)) return true;
    // Held within bounds: a peer (or a box that invents peers) must not fill this browser's memory.
    const held = this.#held.get(from) ?? [];
    if (held.length >= MAX_HELD_SIGNALS || (held.length === 0 && this.#held.size >= MAX_HELD_KNOCKERS)) {
      this.dropped++;
      noteTrouble('signal-held-full', { from, held: held.length, peers: this.#held.size });
      return false;
    }
    held.push(signal);
    this.#held.set(from, held);
    return false;
  }

  /** A sealed payload from `from`: true if it was an admission payload (handled, or dropped as malformed). */
  handleSignal(from: PeerId, payload: unknown): boolean {
    const runde = (payload as { runde?: unknown } | null)?.runde;
    if (runde === undefined) return false;
    const signal = parseAdmissionSignal(payload);
    if (signal) void this.#handleSignal(from, signal);
    else {
      this.dropped++;
      noteTrouble('signal-unknown', { from, runde: String(runde).slice(0, 20) });
    }
    return true;
  }

  /** A signed statement from a connected peer, over the data channel. */
  handleMessage(from: PeerId, msg: HostMessage): void {
    void this.#take(from, msg.st);
  }

  /** What a newly connected peer is told: the room state we hold, and that we are a host. */
  async greeting(): Promise<HostMessage[]> {
    const messages: HostMessage[] = [];
    if (this.state.signed) messages.push({ type: 'host', st: this.state.signed });
    if (this.#proof) messages.push({ type: 'host', st: await this.#proof });
    return messages;
  }

  /** The box says `id` left: its knock, held negotiation and answer go. */
  left(id: PeerId): void {
    this.#known.delete(id);
    this.#heard.delete(id);
    this.#held.delete(id);
    const changed = this.state.knocking.delete(id) || this.state.hosts.delete(id);
    if (this.#pending?.delete(id) && this.#pending.size === 0) this.#decide();
    if (changed) this.#ports.changed();
  }

  /** Whether a host is at the box now (a waiting newcomer says "no host yet" otherwise). */
  get hostPresent(): boolean {
    for (const id of this.state.hosts) if (id !== this.#ports.localId && this.#known.has(id)) return true;
    return false;
  }

  stop(): void {
    if (this.#entryTimer) clearTimeout(this.#entryTimer);
    this.#entryTimer = null;
    this.#pending = null;
  }

  // Host decisions. Each is a new signed state (or request), applied here and passed to everyone.

  setLocked(locked: boolean): void {
    this.#decideAsHost(locked ? decisions.lock(this.#inMeeting()) : decisions.unlock());
  }
  admit(id: PeerId): void {
    this.#decideAsHost(decisions.admit(id));
  }
  decline(id: PeerId): void {
    this.#decideAsHost(decisions.decline(id));
  }
  remove(id: PeerId): void {
    this.#decideAsHost(decisions.remove(id, this.#inMeeting()));
  }
  /** Asks one peer (or everyone, `*`) to mute; their own browser does it. */
  askToMute(peer: PeerId | '*'): void {
    this.#request('mute', peer);
  }
  askToLowerHand(peer: PeerId): void {
    this.#request('lower-hand', peer);
  }

  #inMeeting(): PeerId[] {
    return [this.#ports.localId, ...this.#ports.present()];
  }

  #decideAsHost(change: (s: RoomState) => Partial<RoomState>): void {
    const host = this.#ports.host;
    if (!host) return;
    this.#decisions = this.#decisions.then(async () => {
      const next = this.state.successor(this.#ports.room, change);
      await this.#applyState(next, await sign(host, next), null);
    });
  }

  #request(kind: HostRequest['kind'], peer: PeerId | '*'): void {
    const host = this.#ports.host;
    if (!host) return;
    void sign(host, { kind, room: this.#ports.room, at: Date.now(), by: this.#ports.localId, peer }).then((st) => this.#take(this.#ports.localId, st));
  }

  async #hello(): Promise<AdmissionSignal> {
    return this.#proof ? { runde: 'hello', name: this.#name, host: await this.#proof } : { runde: 'hello', name: this.#name };
  }

  async #handleSignal(from: PeerId, p: AdmissionSignal): Promise<void> {
    switch (p.runde) {
      case 'hello': {
        this.#known.add(from);
        this.#heard.add(from);
        this.#held.delete(from); // a hello starts over: what it offered before is stale
        if (p.host !== undefined) await this.#take(from, p.host);
        this.#noteKnock(from, cleanName(p.name));
        const entry: AdmissionSignal = { runde: 'entry' };
        if (this.state.signed) entry.state = this.state.signed;
        if (this.#proof) entry.host = await this.#proof;
        if (this.own === 'waiting') entry.waiting = this.#name;
        this.#ports.sendSignal(from, entry);
        return;
      }
      case 'entry':
        this.#known.add(from);
        this.#heard.add(from);
        if (p.host !== undefined) await this.#take(from, p.host);
        if (p.state !== undefined) await this.#take(from, p.state);
        if (p.waiting !== undefined) this.#noteKnock(from, cleanName(p.waiting));
        if (this.#pending?.delete(from) && this.#pending.size === 0) this.#decide();
        // An answer after we went in (a slow peer): dial it now.
        else if (this.own === 'in' && this.state.allows(from) && !this.#hasLink(from)) this.#ports.dial(from);
        return;
      case 'host':
        return this.#take(from, p.st);
    }
  }

  /** A newcomer the state does not let in is knocking. */
  #noteKnock(id: PeerId, name: string): void {
    if (this.state.standingOf(id) !== 'waiting' || this.state.knocking.get(id) === name) return;
    this.state.knocking.set(id, name);
    this.#ports.changed();
  }

  /** Checks a signed statement from `from` (a peer, or us) and acts on it. */
  async #take(from: PeerId, value: unknown): Promise<void> {
    const statement: Statement | null = await this.#checker.check(value);
    const signed = asSignedStatement(value);
    if (!statement || !signed) {
      this.forged++;
      noteTrouble('statement-forged', { from });
      return;
    }
    switch (statement.kind) {
      case 'state':
        return this.#applyState(statement, signed, from);
      case 'host':
        // Bound to the peer id: a proof passed on by another peer proves nothing about that peer.
        if (statement.peer === from && !this.state.hosts.has(from)) {
          this.state.hosts.add(from);
          this.#ports.changed();
        }
        return;
      default:
        return this.#handleRequest(statement, signed, from);
    }
  }

  async #applyState(state: RoomState, signed: SignedStatement, from: PeerId | null): Promise<void> {
    if (!this.state.take(state, signed)) {
      this.stale++;
      return;
    }
    const told: HostMessage = { type: 'host', st: signed };
    // Everyone connected learns it (each passes a new state on once, so it reaches peers that
    // have no connection to the host).
    this.#ports.broadcast(told, from);
    for (const id of [...this.#ports.linked()]) if (!this.state.allows(id)) this.#turnAway(id, signed);
    for (const id of [...this.#held.keys()]) if (this.state.isBanned(id)) this.#held.delete(id);
    // Peers without a connection that spoke to us hear it sealed: let-in knockers dial us then,
    // declined ones stop, and a newcomer that went in just before the lock learns it must knock.
    for (const id of this.#heard) if (id !== from && !this.#hasLink(id)) this.#ports.sendSignal(id, { runde: 'host', st: signed });
    this.#ownStandingChanged();
    this.#releaseHeld();
    this.#ports.changed();
  }

  #hasLink(id: PeerId): boolean {
    for (const linked of this.#ports.linked()) if (linked === id) return true;
    return false;
  }

  /** Tells `id` the state that turns it away, then closes the connection. */
  #turnAway(id: PeerId, signed: SignedStatement): void {
    this.#ports.sendSignal(id, { runde: 'host', st: signed });
    void this.#ports.sent(id).then(() => this.#ports.drop(id));
  }

  /** The state about us changed: in, back to waiting, or turned away. */
  #ownStandingChanged(): void {
    const standing = this.state.standingOf(this.#ports.localId);
    if (standing === 'declined' || standing === 'removed') {
      if (this.own === 'declined' || this.own === 'removed') return;
      this.stop();
      this.#setOwn(standing);
      this.#ports.turnedAway(new RundeError(standing === 'declined' ? 'ERR_DECLINED' : 'ERR_REMOVED', `You were ${standing}`));
      return;
    }
    if (standing === 'waiting') {
      if (this.isHost) {
        // A host is never kept out of her own meeting: she admits herself.
        if (this.own !== 'checking' || this.#pending === null) this.#decideAsHost(decisions.admit(this.#ports.localId));
        return;
      }
      if (this.own === 'in') {
        // Locked while we were not yet counted in: wait like any newcomer, connected to nobody.
        for (const id of [...this.#ports.linked()]) this.#ports.drop(id);
        this.#setOwn('waiting');
        void this.#hello().then((hello) => {
          for (const id of this.#known) this.#ports.sendSignal(id, hello);
        });
      } else if (this.own === 'checking') {
        this.#decide(); // a lock is reason enough to wait; a newer open state can still come
      }
      return;
    }
    // Let in while waiting, or a host's self-admission after the decision.
    if (this.own === 'waiting' || (this.own === 'checking' && this.#pending === null)) this.#becomeIn();
  }

  /** Every peer answered, or the wait is over: go in, wait at the lock, or self-admit as host. */
  #decide(): void {
    if (this.own !== 'checking') return;
    this.stop();
    const standing = this.state.standingOf(this.#ports.localId);
    if (standing === 'declined' || standing === 'removed') return this.#ownStandingChanged();
    if (standing === 'waiting') {
      if (this.isHost) return this.#decideAsHost(decisions.admit(this.#ports.localId));
      return this.#setOwn('waiting');
    }
    this.#becomeIn();
  }

  #becomeIn(): void {
    this.stop();
    this.#setOwn('in');
    this.#releaseHeld();
    this.#dialMissing(this.#heard);
  }

  /** Dials each of `ids` we heard from that the state lets in and that we have no connection to. */
  #dialMissing(ids: Iterable<PeerId>): void {
    const linked = new Set(this.#ports.linked());
    for (const id of [...ids]) if (this.#heard.has(id) && !linked.has(id) && this.state.allows(id)) this.#ports.dial(id);
  }

  /** Negotiation held from peers that may now connect goes to their connections. */
  #releaseHeld(): void {
    if (this.own !== 'in') return;
    for (const [id, held] of [...this.#held]) {
      if (!this.#heard.has(id) || !this.state.allows(id)) continue;
      this.#held.delete(id);
      for (const signal of held) this.#ports.deliver(id, signal);
    }
  }

  #handleRequest(request: HostRequest, signed: SignedStatement, from: PeerId): void {
    if (this.#seenRequests.includes(signed.sig) || Math.abs(Date.now() - request.at) > REQUEST_MAX_SKEW_MS) {
      this.stale++;
      return;
    }
    this.#seenRequests.push(signed.sig);
    if (this.#seenRequests.length > SEEN_REQUESTS) this.#seenRequests.shift();
    this.#ports.broadcast({ type: 'host', st: signed }, from === this.#ports.localId ? null : from);
    if (request.by === this.#ports.localId) return;
    if (request.peer === this.#ports.localId || request.peer === '*') this.#ports.asked(request);
  }

  #setOwn(own: OwnAdmission): void {
    if (this.own === own) return;
    this.own = own;
    this.#ports.changed();
  }
}
