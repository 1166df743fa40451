/**
 * The call: a full mesh of peer connections, one per other participant, introduced by the box.
 * The core is the store: state plus typed events, no UI. The UI only calls its methods.
 * Features (chat, files, stats) sit on top and talk through `sendTo`/`broadcast`/`message`.
 */
import type { IceServer, PeerId, RoomId, WelcomeMessage } from '../../signaling/protocol.js';
import { Admission, asAdmissionSignal, type AdmissionSignal, type OwnAdmission } from './admission.js';
import { audioPacketMs } from './codecs.js';
import { fingerprintOf, open, safetyCode, seal } from './crypto.js';
import { noteFailure, noteTrouble } from './diagnostics.js';
import { Emitter } from './emitter.js';
import { RundeError } from './errors.js';
import { PeerLink } from './peer.js';
import { cleanName, encodePeerMessage, parsePeerMessage, type PeerMessage, type StateMessage } from './peer-messages.js';
import { newPeerId } from './room-link.js';
import { SignalingClient, type SignalingState } from './signaling-client.js';
import { backoffMs } from './signaling-client.js';
import { markJoinStep } from './timing.js';

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

/** A negotiation message as sealed through the box: the link generation and simple-peer's signal. */
interface LinkSignal {
  g: number;
  s: unknown;
}

function asLinkSignal(payload: unknown): LinkSignal | null {
  const p = payload as Partial<LinkSignal> | null;
  return p && typeof p === 'object' && Number.isSafeInteger(p.g) && (p.g as number) > 0 && p.s !== undefined ? (p as LinkSignal) : null;
}

export interface RemotePeer {
  readonly id: PeerId;
  /** What the peer calls itself (over the data channel); empty until it says. */
  name: string;
  /** Whether its microphone and camera are on, as it reports. */
  audio: boolean;
  video: boolean;
  /** Its place in the order of raised hands, or null. */
  hand: number | null;
  /** Camera and microphone. */
  stream: MediaStream | null;
  /** A shared screen, window or tab. */
  screen: MediaStream | null;
  /** The data channel is open. */
  connected: boolean;
  /** The current connection; replaced (not the peer) when a failed connection is redialled. */
  link: PeerLink;
  /** Generation of `link`: raised by the dialling side on every redial, so stale signals drop. */
  generation: number;
  /** Failed connections in a row (for the redial backoff). */
  failures: number;
  /** Malformed or unknown data-channel messages dropped from this peer. */
  dropped: number;
  /** It paused its video to us to save bandwidth (we show its avatar instead). */
  videoPaused: boolean;
  /** The stream id it announced for its screen (the stream itself may arrive before or after). */
  screenId: string | null;
}

export interface LocalState {
  readonly id: PeerId;
  name: string;
  audio: boolean;
  video: boolean;
  hand: number | null;
  screen: MediaStream | null;
}

export interface MeshEvents {
  /** The box let us in (again). */
  joined: (welcome: WelcomeMessage) => void;
  /** A peer connection exists; its media and name may follow. */
  peerJoined: (peer: RemotePeer) => void;
  /** The data channel to a peer opened: it can receive messages now. */
  peerConnected: (peer: RemotePeer) => void;
  /** A peer's connection state, name, microphone/camera/hand state or streams changed. */
  peerUpdated: (peer: RemotePeer) => void;
  peerLeft: (id: PeerId) => void;
  /** A valid message other than `state` arrived from a peer. */
  message: (peer: RemotePeer, msg: Exclude<PeerMessage, StateMessage>) => void;
  /** Our own name, microphone/camera/hand state, devices or screen changed. */
  localUpdated: (local: LocalState) => void;
  signalingState: (state: SignalingState) => void;
  /** The meeting cannot go on (room full, box refused); the mesh has been closed. */
  failed: (error: RundeError) => void;
  /** Relay-only mode cannot work: no TURN server offered, or it refused us. */
  relayProblem: (code: 'ERR_RELAY_UNAVAILABLE' | 'ERR_RELAY_REFUSED') => void;
  /** The lock, the knocks or our own admission changed. */
  admissionChanged: () => void;
}

export interface MeshOptions {
  /** `ws[s]://host/ws`, or several boxes that share rooms (tried in turn). */
  signalingUrl: string | readonly string[];
  room: RoomId;
  /** The room's signaling key (crypto.ts): every payload through the box is sealed with it. */
  signalKey: CryptoKey;
  name: string;
  /** Whatever local media could be had; an empty stream to only listen and watch. */
  stream: MediaStream;
  audio: boolean;
  video: boolean;
  /** Send and receive only through the TURN relay the box names (hides IP addresses from peers). */
  relayOnly?: boolean;
}

/**
 * Negotiation held per knocker until it is let in: an offer and its ICE candidates fit many times
 * over. Beyond it, signals are dropped and counted (`droppedSignals`).
 */
const MAX_HELD_SIGNALS = 64;
/** Knockers whose signals are held at once; a room has at most 8 people. */
const MAX_HELD_KNOCKERS = 16;

export class Mesh extends Emitter<MeshEvents> {
  /** Peers that proved they hold the meeting key (a signal of theirs decrypted). */
  readonly peers = new Map<PeerId, RemotePeer>();
  /** Signals through the box that failed to decrypt or were replays: dropped, never acted on. */
  droppedSignals = 0;
  /** Every connection, including ones we dialled that have not proved the key yet. */
  readonly #links = new Map<PeerId, RemotePeer>();
  readonly #signalKey: CryptoKey;
  readonly #room: RoomId;
  readonly relayOnly: boolean;
  readonly #sendSeq = new Map<PeerId, number>();
  readonly #lastSeq = new Map<PeerId, number>();
  /** Per-peer promise chains: sealing and opening are async, order must hold. */
  readonly #outbox = new Map<PeerId, Promise<void>>();
  readonly #inbox = new Map<PeerId, Promise<void>>();
  /** Who may connect (a lock, knocks, removals), kept alike by every participant. */
  readonly admission = new Admission();
  /** Our own standing: in, waiting at a lock, or turned away. */
  ownAdmission: OwnAdmission = 'in';
  /** Negotiation from knockers, held until someone lets them in. */
  readonly #held = new Map<PeerId, unknown[]>();
  readonly #lostTimers = new Map<PeerId, ReturnType<typeof setTimeout>>();
  /** The Opus packet time the links ask for (codecs.ts `audioPacketMs`), by the meeting's size. */
  #audioPacketMs = audioPacketMs(1);
  readonly local: LocalState;
  /** Camera and microphone; tracks are replaced in place when devices change. */
  readonly stream: MediaStream;
  readonly #signaling: SignalingClient;
  #iceServers: IceServer[] = [];
  #closed = false;
  /** The highest hand position seen in the room (a Lamport clock for the order of hands). */
  #handClock = 0;
  /** The box has let us in at least once (so a lost connection is a reconnect, not a first try). */
  everJoined = false;

  constructor(options: MeshOptions) {
    super();
    this.stream = options.stream;
    this.local = {
      id: newPeerId() as PeerId,
      name: cleanName(options.name),
      audio: options.audio,
      video: options.video,
      hand: null,
      screen: null,
    };
    this.#signalKey = options.signalKey;
    this.#room = options.room;
    this.relayOnly = options.relayOnly ?? false;
    this.#applyTrackState();
    this.#signaling = new SignalingClient(options.signalingUrl, options.room, this.local.id);
    this.#signaling.on('welcome', (w) => this.#handleWelcome(w));
    // A newcomer announced by the box gets no connection until its offer decrypts.
    this.#signaling.on('peerLeft', (id) => {
      this.#held.delete(id);
      if (this.admission.knocking.delete(id)) this.emit('admissionChanged');
      this.#removePeer(id);
    });
    this.#signaling.on('signal', (from, data) => this.#receiveSignal(from, data));
    this.#signaling.on('state', (state) => this.emit('signalingState', state));
    this.#signaling.on('failed', (err) => this.#fail(err));
  }

  get signalingState(): SignalingState {
    return this.#signaling.state;
  }
  /** While reconnecting: when the next attempt starts (ms since epoch). */
  get retryAt(): number {
    return this.#signaling.retryAt;
  }
  /** While reconnecting: the box said it was busy (full, or this address's share taken). */
  get signalingBusy(): boolean {
    return this.#signaling.busy;
  }
  get closed(): boolean {
    return this.#closed;
  }

  join(): void {
    this.#signaling.connect();
  }

  /** Leaves the meeting: the others are told at once, every connection closes. */
  leave(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#signaling.leave();
    for (const id of [...this.#links.keys()]) this.#removePeer(id);
    this.#stopScreen();
  }

  setAudio(on: boolean): void {
    this.local.audio = on;
    this.#localChanged();
  }

  setVideo(on: boolean): void {
    this.local.video = on;
    this.#localChanged();
  }

  setName(name: string): void {
    this.local.name = cleanName(name);
    this.#localChanged();
  }

  /** Raises the hand at the end of the room's queue, or lowers it. */
  setHand(raised: boolean): void {
    if (raised === (this.local.hand !== null)) return;
    this.local.hand = raised ? ++this.#handClock : null;
    this.#localChanged();
  }

  /**
   * Puts `track` in place of the current track of its kind, on every connection, without
   * renegotiation when there was one (RTCRtpSender.replaceTrack). The old track is stopped.
   */
  replaceTrack(track: MediaStreamTrack): void {
    const old = track.kind === 'audio' ? this.stream.getAudioTracks()[0] : this.stream.getVideoTracks()[0];
    if (old === track) return;
    for (const peer of this.peers.values()) peer.link.replaceTrack(old ?? null, track, this.stream);
    if (old) {
      this.stream.removeTrack(old);
      old.stop();
    }
    this.stream.addTrack(track);
    this.#localChanged();
  }

  /** Shares a screen, window or tab with everyone; the browser's own "stop" button ends it. */
  shareScreen(screen: MediaStream): void {
    this.#stopScreen();
    this.local.screen = screen;
    for (const track of screen.getTracks()) track.addEventListener('ended', () => this.stopScreenShare(), { once: true });
    for (const peer of this.peers.values()) peer.link.addStream(screen);
    this.#localChanged();
  }

  stopScreenShare(): void {
    if (!this.local.screen) return;
    this.#stopScreen();
    this.#localChanged();
  }

  #stopScreen(): void {
    const screen = this.local.screen;
    if (!screen) return;
    this.local.screen = null;
    for (const peer of this.peers.values()) peer.link.removeStream(screen);
    for (const track of screen.getTracks()) track.stop();
  }

  /**
   * The safety code of the connection to `id` (crypto.ts), from both DTLS fingerprints; null
   * until both descriptions are known.
   */
  async safetyCode(id: PeerId): Promise<string | null> {
    const pc = this.peers.get(id)?.link.connection;
    const mine = fingerprintOf(pc?.localDescription?.sdp);
    const theirs = fingerprintOf(pc?.remoteDescription?.sdp);
    return mine && theirs ? safetyCode(this.#room, mine, theirs) : null;
  }

  /** Locks or unlocks the meeting for everyone; unlocking lets the knockers in. */
  setLocked(locked: boolean): void {
    this.#applyLock(locked);
    this.broadcast({ type: 'lock', locked });
  }

  /** Lets a knocker in, for everyone. */
  admit(id: PeerId): void {
    this.#applyAdmit(id);
    this.broadcast({ type: 'admit', peer: id });
  }

  /** Turns a knocker away, for everyone. */
  decline(id: PeerId): void {
    this.#applyBan(id, 'declined');
    this.broadcast({ type: 'decline', peer: id });
  }

  /** Removes a participant: every peer drops it and ignores it for the rest of the meeting. */
  removeParticipant(id: PeerId): void {
    this.#applyBan(id, 'removed');
    this.broadcast({ type: 'remove', peer: id });
  }

  #applyLock(locked: boolean): void {
    if (locked === this.admission.locked) return;
    if (locked) this.admission.lock([this.local.id, ...this.peers.keys()]);
    else for (const id of this.admission.unlock()) this.#applyAdmit(id);
    this.emit('admissionChanged');
  }

  #applyAdmit(id: PeerId): void {
    if (this.admission.banned.has(id)) return;
    const wasKnocking = this.admission.knocking.has(id);
    this.admission.admit(id);
    const held = this.#held.get(id) ?? [];
    this.#held.delete(id);
    if (wasKnocking || held.length > 0) this.#sendSignal(id, { runde: 'admitted' } satisfies AdmissionSignal);
    for (const signal of held) this.#deliver(id, signal as LinkSignal);
    this.emit('admissionChanged');
  }

  #applyBan(id: PeerId, why: 'declined' | 'removed'): void {
    if (id === this.local.id || this.admission.banned.has(id)) return;
    const tell = this.admission.knocking.has(id) || this.#links.has(id);
    this.admission.ban(id);
    this.#held.delete(id);
    if (tell) this.#sendSignal(id, { runde: why } satisfies AdmissionSignal);
    // Let the sealed notice leave before the connection goes.
    void (this.#outbox.get(id) ?? Promise.resolve()).then(() => this.#removePeer(id));
    this.emit('admissionChanged');
  }

  #handleAdmissionSignal(from: PeerId, signal: AdmissionSignal): void {
    switch (signal.runde) {
      case 'knock':
        if (!this.admission.allows(from) && !this.admission.banned.has(from)) {
          this.admission.knocking.set(from, cleanName(signal.name));
          this.#sendSignal(from, { runde: 'wait' } satisfies AdmissionSignal);
          this.emit('admissionChanged');
        }
        return;
      case 'wait':
        if (this.ownAdmission === 'in' && this.peers.size === 0) this.#setOwnAdmission('waiting');
        return;
      case 'admitted':
        if (this.ownAdmission === 'waiting') this.#setOwnAdmission('in');
        return;
      case 'declined':
      case 'removed':
        if (this.ownAdmission === 'in' || this.ownAdmission === 'waiting') {
          this.#setOwnAdmission(signal.runde);
          this.#fail(new RundeError(signal.runde === 'declined' ? 'ERR_DECLINED' : 'ERR_REMOVED', `You were ${signal.runde}`));
          this.#signaling.leave();
        }
        return;
    }
  }

  #setOwnAdmission(state: OwnAdmission): void {
    this.ownAdmission = state;
    this.emit('admissionChanged');
  }

  #handleAdmissionMessage(msg: Extract<PeerMessage, { type: 'lock' | 'admit' | 'decline' | 'remove' | 'room-state' }>): void {
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
        this.admission.merge(msg);
        for (const id of msg.banned) if (this.#links.has(id)) this.#removePeer(id);
        this.emit('admissionChanged');
        return;
    }
  }

  sendTo(id: PeerId, msg: PeerMessage): boolean {
    const peer = this.peers.get(id);
    if (!peer?.connected) return false;
    return peer.link.send(encodePeerMessage(msg));
  }

  broadcast(msg: PeerMessage): void {
    const text = encodePeerMessage(msg);
    for (const peer of this.peers.values()) peer.link.send(text);
  }

  #localChanged(): void {
    this.#applyTrackState();
    this.broadcast(this.#stateMessage());
    this.emit('localUpdated', this.local);
  }

  /** Muting disables the track: no renegotiation, and the peers see silence/black at once. */
  #applyTrackState(): void {
    for (const t of this.stream.getAudioTracks()) t.enabled = this.local.audio;
    for (const t of this.stream.getVideoTracks()) t.enabled = this.local.video;
  }

  #stateMessage(): StateMessage {
    return {
      type: 'state',
      name: this.local.name,
      audio: this.local.audio && this.stream.getAudioTracks().length > 0,
      video: this.local.video && this.stream.getVideoTracks().length > 0,
      hand: this.local.hand,
      screen: this.local.screen?.id ?? null,
    };
  }

  #handleWelcome(welcome: WelcomeMessage): void {
    this.#iceServers = welcome.iceServers;
    this.everJoined = true;
    if (this.relayOnly && !welcome.iceServers.some((s) => [s.urls].flat().some((u) => /^turns?:/.test(u)))) {
      this.emit('relayProblem', 'ERR_RELAY_UNAVAILABLE');
    }
    // Reconcile: a live connection outlives the box (even a restarted one that forgot everyone):
    // keep it. Half-made ones start over, so that each pair ends with exactly one connection.
    for (const [id, peer] of [...this.#links]) if (!peer.connected) this.#removePeer(id);
    // The newcomer dials everyone already there, saying who it is first (for a locked meeting).
    for (const id of welcome.peers) {
      if (this.#links.has(id) || this.admission.banned.has(id)) continue;
      if (!welcome.resumed) this.#sendSignal(id, { runde: 'knock', name: this.local.name } satisfies AdmissionSignal);
      this.#ensureLink(id, true);
    }
    this.emit('joined', welcome);
  }

  /** Seals and relays a negotiation message, in order per peer. */
  #sendSignal(to: PeerId, data: unknown): void {
    const seq = (this.#sendSeq.get(to) ?? 0) + 1;
    this.#sendSeq.set(to, seq);
    const previous = this.#outbox.get(to) ?? Promise.resolve();
    const next = previous
      .then(() => seal(this.#signalKey, this.local.id, to, seq, data))
      .then((sealed) => this.#signaling.send(to, sealed))
      .catch(noteFailure('signal-send-failed', { to }));
    this.#outbox.set(to, next);
  }

  /** Opens a relayed signal, in order per sender; one that does not decrypt is dropped. */
  #receiveSignal(from: PeerId, data: unknown): void {
    const previous = this.#inbox.get(from) ?? Promise.resolve();
    const next = previous.then(async () => {
      const opened = await open(this.#signalKey, from, this.local.id, data);
      if (!opened || opened.seq <= (this.#lastSeq.get(from) ?? 0) || this.#closed || this.admission.banned.has(from)) {
        this.droppedSignals++;
        noteTrouble('signal-unopened', { from, why: !opened ? 'did not open' : this.#closed ? 'closed' : this.admission.banned.has(from) ? 'banned' : 'replayed' });
        return;
      }
      this.#lastSeq.set(from, opened.seq);
      const control = asAdmissionSignal(opened.payload);
      if (control) return this.#handleAdmissionSignal(from, control);
      const signal = asLinkSignal(opened.payload);
      if (!signal) {
        this.droppedSignals++;
        noteTrouble('signal-unknown', { from });
        return;
      }
      if (!this.admission.allows(from) && !this.#links.has(from)) {
        // A knocker's offer waits until someone lets it in, within bounds: a peer (or a box that
        // invents peers) must not fill this browser's memory by knocking.
        const held = this.#held.get(from) ?? [];
        if (held.length >= MAX_HELD_SIGNALS || (held.length === 0 && this.#held.size >= MAX_HELD_KNOCKERS)) {
          this.droppedSignals++;
          noteTrouble('signal-held-full', { from, held: held.length, knockers: this.#held.size });
          return;
        }
        held.push(signal);
        this.#held.set(from, held);
        return;
      }
      this.#deliver(from, signal);
    });
    this.#inbox.set(from, next.catch(noteFailure('signal-handling-failed', { from })));
  }

  /** The peer holds the key: from now on it is part of the meeting for the UI. */
  #verify(peer: RemotePeer): void {
    if (this.peers.has(peer.id)) return;
    this.peers.set(peer.id, peer);
    this.emit('peerJoined', peer);
  }

  /** Feeds a negotiation message to the peer's connection of its generation. */
  #deliver(from: PeerId, signal: LinkSignal): void {
    let peer = this.#links.get(from);
    if (!peer) {
      peer = this.#ensureLink(from, false, signal.g);
    } else if (signal.g > peer.generation) {
      this.#replaceLink(peer, false, signal.g); // the other side redialled
    } else if (signal.g < peer.generation) {
      return; // from a connection already given up
    }
    this.#verify(peer);
    peer.link.signal(signal.s);
  }

  #ensureLink(id: PeerId, initiator: boolean, generation = 1): RemotePeer {
    const existing = this.#links.get(id);
    if (existing) return existing;
    const peer: RemotePeer = {
      id,
      name: '',
      audio: false,
      video: false,
      hand: null,
      stream: null,
      screen: null,
      screenId: null,
      connected: false,
      link: this.#newLink(initiator),
      generation,
      failures: 0,
      videoPaused: false,
      dropped: 0,
    };
    this.#links.set(id, peer);
    this.#sizeChanged();
    this.#wire(peer);
    return peer;
  }

  #newLink(initiator: boolean): PeerLink {
    const streams = this.local.screen ? [this.stream, this.local.screen] : [this.stream];
    return new PeerLink({ initiator, iceServers: this.#iceServers, streams, relayOnly: this.relayOnly, audioPacketMs: () => this.#audioPacketMs });
  }

  /**
   * When the meeting grows or shrinks across a size where the audio packet time changes, every
   * link whose last description asked for the old one negotiates again (PeerLink.updatePacketTime).
   */
  #sizeChanged(): void {
    const ms = audioPacketMs(this.#links.size + 1);
    if (ms === this.#audioPacketMs) return;
    this.#audioPacketMs = ms;
    for (const peer of this.#links.values()) peer.link.updatePacketTime();
  }

  /** A fresh connection for the same peer (its tile stays; media resumes when it connects). */
  #replaceLink(peer: RemotePeer, initiator: boolean, generation: number): void {
    const old = peer.link;
    peer.link = this.#newLink(initiator);
    peer.generation = generation;
    peer.connected = false;
    old.destroy();
    this.#wire(peer);
    this.emit('peerUpdated', peer);
  }

  /**
   * A connection failed (ICE failed, stayed disconnected, or closed under us). The side with the
   * smaller peer id redials after a backoff; the other waits for that offer. The peer leaves the
   * meeting only when the box says so (or it says goodbye).
   */
  #linkFailed(peer: RemotePeer, link: PeerLink): void {
    if (this.#closed || peer.link !== link || this.#links.get(peer.id) !== peer) return;
    if (!this.peers.has(peer.id)) return this.#removePeer(peer.id); // never proved the key: just drop
    peer.connected = false;
    this.emit('peerUpdated', peer);
    if (!this.#lostTimers.has(peer.id)) {
      this.#lostTimers.set(peer.id, setTimeout(() => {
        this.#lostTimers.delete(peer.id);
        if (!peer.connected && this.#links.get(peer.id) === peer && this.peers.delete(peer.id)) this.emit('peerLeft', peer.id);
      }, PEER_LOST_MS));
    }
    const delay = backoffMs(peer.failures++);
    if (this.local.id < peer.id) {
      setTimeout(() => {
        if (peer.link === link && !this.#closed && this.#links.get(peer.id) === peer) this.#replaceLink(peer, true, peer.generation + 1);
      }, delay);
    } else {
      link.destroy();
    }
  }

  /** Connects a peer's current link to the mesh. */
  #wire(peer: RemotePeer): void {
    const { id, link } = peer;
    let disconnectedTimer: ReturnType<typeof setTimeout> | null = null;
    link.on('signal', (data) => {
      if ((data as { type?: string }).type === 'offer') markJoinStep('offer-sent');
      this.#sendSignal(id, { g: peer.generation, s: data } satisfies LinkSignal);
    });
    link.on('iceState', (state) => {
      if (disconnectedTimer) clearTimeout(disconnectedTimer);
      disconnectedTimer = null;
      if (state === 'disconnected') disconnectedTimer = setTimeout(() => this.#linkFailed(peer, link), DISCONNECTED_GRACE_MS);
      if (state === 'failed') this.#linkFailed(peer, link);
    });
    link.on('iceConnected', () => markJoinStep('ice-connected'));
    link.on('iceServerError', (code, url) => {
      // 401/403 from a TURN server: our credentials were refused; relay-only cannot connect.
      if (this.relayOnly && /^turns?:/.test(url) && (code === 401 || code === 403 || code === 437)) this.emit('relayProblem', 'ERR_RELAY_REFUSED');
    });
    link.on('connect', () => {
      peer.connected = true;
      peer.failures = 0;
      clearTimeout(this.#lostTimers.get(id));
      this.#lostTimers.delete(id);
      this.#verify(peer); // back after a failure long enough to have left the grid
      link.send(encodePeerMessage(this.#stateMessage()));
      const { locked, admitted, banned } = this.admission;
      if (locked || banned.size > 0) {
        link.send(encodePeerMessage({ type: 'room-state', locked, admitted: [...admitted], banned: [...banned] }));
      }
      if (this.ownAdmission === 'waiting') this.#setOwnAdmission('in');
      this.emit('peerConnected', peer);
      this.emit('peerUpdated', peer);
    });
    link.on('stream', () => this.#sortStreams(peer));
    link.on('message', (text) => this.#handlePeerMessage(peer, text));
    link.on('close', () => {
      if (disconnectedTimer) clearTimeout(disconnectedTimer);
      this.#linkFailed(peer, link);
    });
  }

  /** Tells the camera stream from the screen by the id the peer announced. */
  #sortStreams(peer: RemotePeer): void {
    const streams = peer.link.remoteStreams.filter((s) => s.getTracks().some((t) => t.readyState === 'live'));
    peer.screen = streams.find((s) => s.id === peer.screenId) ?? null;
    peer.stream = streams.find((s) => s.id !== peer.screenId) ?? null;
    this.emit('peerUpdated', peer);
  }

  #handlePeerMessage(peer: RemotePeer, text: string): void {
    const msg = parsePeerMessage(text);
    if (!msg) {
      peer.dropped++;
      noteTrouble('peer-message-invalid', { from: peer.id, bytes: text.length });
      return;
    }
    if (msg.type === 'lock' || msg.type === 'admit' || msg.type === 'decline' || msg.type === 'remove' || msg.type === 'room-state') {
      return this.#handleAdmissionMessage(msg);
    }
    if (msg.type === 'video-paused') {
      peer.videoPaused = msg.paused;
      return this.emit('peerUpdated', peer);
    }
    if (msg.type !== 'state') return this.emit('message', peer, msg);
    peer.name = msg.name;
    peer.audio = msg.audio;
    peer.video = msg.video;
    peer.hand = msg.hand;
    if (msg.hand !== null) this.#handClock = Math.max(this.#handClock, msg.hand);
    peer.screenId = msg.screen;
    this.#sortStreams(peer);
  }

  #removePeer(id: PeerId): void {
    const peer = this.#links.get(id);
    if (!peer) return;
    this.#links.delete(id);
    this.#sizeChanged();
    this.#outbox.delete(id);
    clearTimeout(this.#lostTimers.get(id));
    this.#lostTimers.delete(id);
    peer.link.destroy();
    if (this.peers.delete(id)) this.emit('peerLeft', id);
  }

  #fail(err: RundeError): void {
    this.#closed = true;
    for (const id of [...this.#links.keys()]) this.#removePeer(id);
    this.emit('failed', err);
  }
}
