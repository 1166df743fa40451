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
import { type AdmissionSignal, type HostMessage, parseAdmissionSignal } from './admission-signals.js';
import { cleanName } from './peer-messages.js';
import { checkProof, newNonce, peerIdOfKey, prove, type VisitIdentity } from './visit-identity.js';
import { REQUEST_MAX_SKEW_MS, StatementChecker, sign, type HostRequest, type RoomState, type SignedStatement } from './statements.js';

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

export { ADMISSION_SIGNAL_KINDS, parseAdmissionSignal, type AdmissionSignal, type HostMessage } from './admission-signals.js';

/** What admission needs from the mesh around it. */
export interface AdmissionPorts {
  readonly identity: VisitIdentity;
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
  /** Replaces the connection with `id` by a fresh one we dial (the other side dropped its end). */
  redial(id: PeerId): void;
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
   * Peers that proved their id to us (a signed nonce, visit-identity.ts). Only they are dialled or
   * answered: a Runde newcomer says hello and proves itself before its offer, and a peer that
   * never does (a lurker, or someone using the id of a participant who left) gets no connection.
   */
  readonly #heard = new Set<PeerId>();
  /** The nonce in our hello to each peer, until its entry proves it with it; and the one in our entry, until its proof does. */
  readonly #helloNonces = new Map<PeerId, string>();
  readonly #entryNonces = new Map<PeerId, string>();
  /** What a peer's hello said, kept until its proof arrives (nothing of it counts before). */
  readonly #hellos = new Map<PeerId, Extract<AdmissionSignal, { runde: 'hello' }>>();
  /** Peers we said hello to (since our last fresh start). */
  readonly #greeted = new Set<PeerId>();
  /** The names proven peers gave (hello, or an entry while waiting): a knock shows them. */
  readonly #names = new Map<PeerId, string>();
  /** The wait for answers is over: a proven host's answer is enough to decide. */
  #waitedLong = false;
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
    const { host, room } = ports;
    const localId = ports.identity.id;
    this.#proof = host ? sign(host, { kind: 'host', room, at: Date.now(), peer: localId }) : null;
    if (host) this.state.hosts.add(localId);
  }

  get isHost(): boolean {
    return this.#ports.host !== null;
  }

  get #id(): PeerId {
    return this.#ports.identity.id;
  }

  /**
   * The box let us in (`peers`: who is there). A newcomer asks everyone before dialling anyone; a
   * participant already in (after the box restarted, or resuming) dials whoever it lacks.
   */
  enter(peers: readonly PeerId[], name: string, resumed: boolean): void {
    for (const id of peers) this.#known.add(id);
    this.#name = name;
    if (this.own === 'declined' || this.own === 'removed') return;
    const asked = peers.filter((id) => !this.state.isBanned(id));
    if (this.own === 'in') {
      // Resumed: the others still know us. A fresh session after a long outage (or a restarted
      // box): the others may have forgotten us, so we introduce ourselves again, then dial.
      if (resumed) this.#dialMissing(peers);
      else this.#sayHello(asked);
      return;
    }
    this.#setOwn('checking');
    if (asked.length === 0) return this.#decide();
    this.#pending = new Set(asked);
    this.#waitedLong = false;
    this.#entryTimer = setTimeout(() => {
      this.#waitedLong = true;
      this.#maybeDecide();
    }, ENTRY_WAIT_MS);
    this.#sayHello(asked);
  }

  /** Sends each of `ids` a hello with a fresh nonce of its own. */
  #sayHello(ids: Iterable<PeerId>): void {
    const targets = [...ids];
    for (const id of targets) this.#greeted.add(id);
    void (async () => {
      const host = this.#proof ? await this.#proof : undefined;
      for (const id of targets) {
        const nonce = newNonce();
        this.#helloNonces.set(id, nonce);
        const hello: AdmissionSignal = { runde: 'hello', name: this.#name, key: this.#ports.identity.publicKey, nonce };
        if (host) hello.host = host;
        this.#ports.sendSignal(id, hello);
      }
    })();
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
    this.#helloNonces.delete(id);
    this.#entryNonces.delete(id);
    this.#hellos.delete(id);
    this.#names.delete(id);
    this.#greeted.delete(id);
    const changed = this.state.knocking.delete(id) || this.state.hosts.delete(id);
    if (this.#pending?.delete(id)) this.#maybeDecide();
    if (changed) this.#ports.changed();
  }

  /** Whether a host is at the box now (a waiting newcomer says "no host yet" otherwise). */
  get hostPresent(): boolean {
    for (const id of this.state.hosts) if (id !== this.#id && this.#known.has(id)) return true;
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
  askToStopRecording(peer: PeerId): void {
    this.#request('stop-recording', peer);
  }

  #inMeeting(): PeerId[] {
    return [this.#id, ...this.#ports.present()];
  }

  #decideAsHost(change: (s: RoomState) => Partial<RoomState>): void {
    const host = this.#ports.host;
    if (!host) return;
    this.#decisions = this.#decisions.then(async () => {
      const next = this.state.successor(this.#ports.room, change);
      // Admissions of peers no longer at the box are dropped: ids are per visit, so they are
      // worth nothing, and the list stays short in a long meeting.
      const atBox = new Set([this.#id, ...this.#known, ...this.#ports.present()]);
      next.admitted = next.admitted.filter((id) => atBox.has(id));
      await this.#applyState(next, await sign(host, next), null);
    });
  }

  #request(kind: HostRequest['kind'], peer: PeerId | '*'): void {
    const host = this.#ports.host;
    if (!host) return;
    void sign(host, { kind, room: this.#ports.room, at: Date.now(), by: this.#id, peer }).then((st) => this.#take(this.#id, st));
  }

  async #handleSignal(from: PeerId, p: AdmissionSignal): Promise<void> {
    switch (p.runde) {
      case 'hello': {
        // A hello starts over: what this id offered or proved before counts no more.
        this.#known.add(from);
        this.#heard.delete(from);
        this.#held.delete(from);
        if ((await peerIdOfKey(p.key)) !== from) return this.#refuse(from, 'hello-key');
        this.#hellos.set(from, p);
        const nonce = newNonce();
        this.#entryNonces.set(from, nonce);
        const { identity, room } = this.#ports;
        const entry: AdmissionSignal = { runde: 'entry', key: identity.publicKey, nonce, proof: await prove(identity, room, from, p.nonce) };
        if (this.state.signed) entry.state = this.state.signed;
        if (this.#proof) entry.host = await this.#proof;
        if (this.own === 'waiting') entry.waiting = this.#name;
        // Tells a participant greeting us again whether we still hold our end of its connection.
        if (this.#hasLink(from)) entry.linked = true;
        this.#ports.sendSignal(from, entry);
        return;
      }
      case 'proof': {
        const hello = this.#hellos.get(from);
        const nonce = this.#entryNonces.get(from);
        if (!hello || !nonce || !(await checkProof(this.#ports.room, from, this.#ports.identity.id, nonce, hello.key, p.proof))) {
          return this.#refuse(from, 'proof');
        }
        this.#hellos.delete(from);
        this.#entryNonces.delete(from);
        this.#heard.add(from);
        if (hello.host !== undefined) await this.#take(from, hello.host);
        this.#noteKnock(from, cleanName(hello.name));
        // A state that changed since our entry (a lock in between) must reach it before it dials.
        const signed = this.state.signed;
        if (signed && !this.state.allows(from)) this.#ports.sendSignal(from, { runde: 'host', st: signed });
        this.#releaseHeld();
        return;
      }
      case 'entry': {
        const nonce = this.#helloNonces.get(from);
        if (!nonce || !(await checkProof(this.#ports.room, from, this.#ports.identity.id, nonce, p.key, p.proof))) return this.#refuse(from, 'entry');
        this.#helloNonces.delete(from);
        this.#known.add(from);
        this.#heard.add(from);
        this.#ports.sendSignal(from, { runde: 'proof', proof: await prove(this.#ports.identity, this.#ports.room, from, p.nonce) });
        if (p.host !== undefined) await this.#take(from, p.host);
        if (p.state !== undefined) await this.#take(from, p.state);
        if (p.waiting !== undefined) this.#noteKnock(from, cleanName(p.waiting));
        if (this.#pending?.delete(from)) this.#maybeDecide();
        // An answer after we went in (a slow peer, or one we greeted again): dial it now, or
        // anew if it dropped its end of our connection (it saw us leave the box).
        else if (this.own === 'in' && this.state.allows(from)) {
          if (!this.#hasLink(from)) this.#ports.dial(from);
          else if (!p.linked) this.#ports.redial(from);
        }
        return;
      }
      case 'host':
        return this.#take(from, p.st);
    }
  }

  /** Someone who could not prove the id it uses: counted, and nothing it said counts. */
  #refuse(from: PeerId, what: string): void {
    this.forged++;
    noteTrouble('peer-unproven', { from, what });
  }

  /** The name a proven peer said in its hello (before its data channel can say more), if any. */
  nameOf(id: PeerId): string | undefined {
    return this.#names.get(id);
  }

  /** A proven peer gave its name; if the state does not let it in, it is knocking. */
  #noteKnock(id: PeerId, name: string): void {
    this.#names.set(id, name);
    if (this.state.standingOf(id) !== 'waiting' || this.state.knocking.get(id) === name) return;
    this.state.knocking.set(id, name);
    this.#ports.changed();
  }

  /** Checks a signed statement from `from` (a peer, or us) and acts on it. */
  async #take(from: PeerId, value: unknown): Promise<void> {
    const checked = await this.#checker.checkSigned(value);
    if (!checked) {
      this.forged++;
      noteTrouble('statement-forged', { from });
      return;
    }
    const { statement, signed } = checked;
    switch (statement.kind) {
      case 'state':
        return this.#applyState(statement, signed, from);
      case 'host':
        // Bound to the peer id: a proof passed on by another peer proves nothing about that peer.
        if (statement.peer === from && this.#heard.has(from) && !this.state.hosts.has(from)) {
          this.state.hosts.add(from);
          this.#ports.changed();
        }
        return;
      default:
        return this.#handleRequest(statement, signed, from);
    }
  }

  async #applyState(state: RoomState, signed: SignedStatement, from: PeerId | null): Promise<void> {
    const taken = this.state.take(state, signed);
    if (taken === 'stale') {
      this.stale++;
      return;
    }
    // An older state that removed someone the newer one does not name (two co-hosts at once):
    // the removal holds here, and a host signs a state that names it, for everyone.
    if (taken === 'bans' && this.isHost) this.#decideAsHost(() => ({}));
    const told: HostMessage = { type: 'host', st: signed };
    // Everyone connected learns it (each passes a new state on once, so it reaches peers that
    // have no connection to the host).
    this.#ports.broadcast(told, from);
    const linked = new Set(this.#ports.linked());
    for (const id of linked) if (!this.state.allows(id)) this.#turnAway(id, signed);
    for (const id of [...this.#held.keys()]) if (this.state.isBanned(id)) this.#held.delete(id);
    for (const id of this.#heard) {
      if (linked.has(id)) continue;
      // A proven peer this state keeps out is knocking (the state may have come after its hello).
      const name = this.#names.get(id);
      if (name !== undefined && this.state.standingOf(id) === 'waiting') this.state.knocking.set(id, name);
      // It hears the state sealed: let-in knockers dial us then, declined ones stop, and a
      // newcomer that went in just before a lock learns that it must knock.
      if (id !== from) this.#ports.sendSignal(id, { runde: 'host', st: signed });
    }
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
    const standing = this.state.standingOf(this.#id);
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
        if (this.own !== 'checking' || this.#pending === null) this.#decideAsHost(decisions.admit(this.#id));
        return;
      }
      if (this.own === 'in') {
        // Locked while we were not yet counted in: wait like any newcomer, connected to nobody.
        for (const id of [...this.#ports.linked()]) this.#ports.drop(id);
        this.#setOwn('waiting');
        this.#sayHello(this.#known);
      } else if (this.own === 'checking') {
        this.#decide(); // a lock is reason enough to wait; a newer open state can still come
      }
      return;
    }
    // Let in while waiting, or a host's self-admission after the decision.
    if (this.own === 'waiting' || (this.own === 'checking' && this.#pending === null)) this.#becomeIn();
  }

  /**
   * Decides once every peer asked has answered (or left), or, after ENTRY_WAIT_MS, once a proven
   * host has answered (its state is current) or when we are a host ourselves. A silent peer never
   * makes a participant conclude "open": as long as no host answered, it waits for everyone.
   */
  #maybeDecide(): void {
    if (this.#pending === null) return;
    if (this.#pending.size === 0) return this.#decide();
    if (!this.#waitedLong) return;
    // A host decides for herself (a silent connection must not keep her out of her own meeting).
    if (this.isHost) return this.#decide();
    for (const id of this.state.hosts) if (id !== this.#id && this.#heard.has(id)) return this.#decide();
    if (this.#pending.size > 0) this.#ports.changed(); // still waiting: the UI says for whom
  }

  /** Still asking after ENTRY_WAIT_MS, for lack of an answer from some peer and from any host. */
  get waitingForAnswers(): boolean {
    return this.own === 'checking' && this.#waitedLong && (this.#pending?.size ?? 0) > 0;
  }

  /** Every peer answered, or a host did: go in, wait at the lock, or self-admit as host. */
  #decide(): void {
    if (this.own !== 'checking') return;
    this.stop();
    const standing = this.state.standingOf(this.#id);
    if (standing === 'declined' || standing === 'removed') return this.#ownStandingChanged();
    if (standing === 'waiting') {
      if (this.isHost) return this.#decideAsHost(decisions.admit(this.#id));
      this.#setOwn('waiting');
      // Whoever came while we were still asking has not heard our knock yet.
      return this.#sayHello([...this.#known].filter((id) => !this.#greeted.has(id)));
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
    // Remembered by what it says, so that no other spelling of it runs twice.
    const key = `${request.kind}|${request.at}|${request.by}|${request.peer}`;
    if (this.#seenRequests.includes(key) || Math.abs(Date.now() - request.at) > REQUEST_MAX_SKEW_MS) {
      this.stale++;
      return;
    }
    this.#seenRequests.push(key);
    if (this.#seenRequests.length > SEEN_REQUESTS) this.#seenRequests.shift();
    this.#ports.broadcast({ type: 'host', st: signed }, from === this.#id ? null : from);
    if (request.by === this.#id) return;
    if (request.peer === this.#id || request.peer === '*') this.#ports.asked(request);
  }

  #setOwn(own: OwnAdmission): void {
    if (this.own === own) return;
    this.own = own;
    this.#ports.changed();
  }
}
