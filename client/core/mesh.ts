/**
 * The call: a full mesh of peer connections, one per other participant, introduced by the box.
 * It composes three collaborators and keeps the peers and our own state:
 *
 * - signal-channel.ts: sealed, ordered, replay-free signals through the box;
 * - admission-control.ts: hosts, the lock, knocks and removals every participant runs;
 * - link-supervisor.ts: redialling failed connections, letting unreachable peers go.
 *
 * The core is the store: state plus typed events, no UI. Features (chat, files, stats) sit on
 * top (meeting.ts) and talk through `sendTo`/`broadcast`/`message`.
 */
import type { PeerId, WelcomeMessage } from '../../signaling/protocol.js';
import { AdmissionControl, type AdmissionSignal, type HostMessage } from './admission-control.js';
import { audioPacketMs } from './codecs.js';
import { noteTrouble } from './diagnostics.js';
import { Emitter } from './emitter.js';
import type { RundeError } from './errors.js';
import { LinkSupervisor } from './link-supervisor.js';
import type { LocalState, MeshEvents, MeshOptions, RemotePeer } from './mesh-types.js';
import { PeerLink, type Link, type PeerLinkOptions } from './peer.js';
import { encodePeerMessage, parsePeerMessage, type PeerMessage, type StateMessage } from './peer-messages.js';
import { LocalMedia } from './local-media.js';
import { SignalChannel } from './signal-channel.js';
import { markJoinStep } from './timing.js';

export type { LocalState, MeshEvents, MeshOptions, RemotePeer } from './mesh-types.js';
export { DISCONNECTED_GRACE_MS, PEER_LOST_MS } from './link-supervisor.js';

/** A negotiation message as sealed through the box: the link generation and simple-peer's signal. */
export interface LinkSignal {
  g: number;
  s: unknown;
}

/** The negotiation payload of a sealed signal (PEERS.md "Sealed payloads"), or null. */
export function asLinkSignal(payload: unknown): LinkSignal | null {
  if (!payload || typeof payload !== 'object') return null;
  const { g, s } = payload as { g?: unknown; s?: unknown };
  return typeof g === 'number' && Number.isSafeInteger(g) && g > 0 && s !== undefined ? { g, s } : null;
}

/**
 * The longest that connected links put off renegotiating a new audio packet time while another
 * link is still connecting (#sizeChanged). Joining a meeting of 7 took 10 s in bench:mesh.
 */
export const PACKET_TIME_DEFER_MS = 10_000;

/** Whether a negotiation message is an offer (two newcomers may dial each other at once). */
function isOffer(signal: unknown): boolean {
  return (signal as { type?: unknown } | null)?.type === 'offer';
}

export class Mesh extends Emitter<MeshEvents> {
  /** Peers that proved they hold the meeting key (a signal of theirs decrypted). */
  readonly peers = new Map<PeerId, RemotePeer>();
  /** Every connection, including ones we dialled that have not proved the key yet. */
  readonly #links = new Map<PeerId, RemotePeer>();
  readonly relayOnly: boolean;
  /** Signals through the box (the facade reads its connection state). */
  readonly channel: SignalChannel;
  /** The lock, knocks and removals (the facade, meeting.ts, calls it directly). */
  readonly admission: AdmissionControl;
  readonly #supervisor: LinkSupervisor;
  /** Our name, microphone, camera, hand and screen (the facade calls it directly). */
  readonly media: LocalMedia;
  readonly #createLink: (options: PeerLinkOptions) => Link;
  /** Negotiation and unknown signals dropped here (the channel and admission count their own). */
  #dropped = 0;
  /** The Opus packet time the links ask for (codecs.ts `audioPacketMs`), by the meeting's size. */
  #audioPacketMs = audioPacketMs(1);
  /** Set while links wait to renegotiate a new packet time (#sizeChanged); its expiry forces it. */
  #packetTimeTimer: ReturnType<typeof setTimeout> | null = null;
  #iceServers: WelcomeMessage['iceServers'] = [];
  #closed = false;
  /** The box has let us in at least once (so a lost connection is a reconnect, not a first try). */
  everJoined = false;

  constructor(options: MeshOptions) {
    super();
    const id = options.identity.id;
    this.relayOnly = options.relayOnly ?? false;
    this.#createLink = options.createLink ?? ((o) => new PeerLink(o));
    this.media = new LocalMedia(id, options, {
      each: (fn) => {
        for (const peer of this.peers.values()) fn(peer.link);
      },
      changed: () => {
        this.broadcast(this.media.stateMessage());
        this.emit('localUpdated', this.local);
      },
    });
    this.channel = new SignalChannel({ signalingUrl: options.signalingUrl, room: options.room, localId: id, signalKey: options.signalKey });
    this.channel.on('welcome', (w) => this.#handleWelcome(w));
    // A newcomer announced by the box gets no connection until its offer decrypts.
    this.channel.on('peerLeft', (peer) => {
      if (this.#closed) return;
      this.channel.forget(peer);
      this.admission.left(peer);
      this.#removePeer(peer);
    });
    this.channel.on('payload', (from, payload) => this.#handlePayload(from, payload));
    this.channel.on('state', (state) => this.emit('signalingState', state));
    this.channel.on('failed', (err) => this.#fail(err));
    this.admission = new AdmissionControl({
      identity: options.identity,
      room: options.room,
      hostKeyId: options.hostKeyId ?? null,
      host: options.host ?? null,
      present: () => this.peers.keys(),
      linked: () => this.#links.keys(),
      sendSignal: (peer, signal: AdmissionSignal) => this.channel.send(peer, signal),
      sent: (peer) => this.channel.sent(peer),
      broadcast: (msg, except) => this.broadcast(msg, except),
      deliver: (peer, signal) => this.#deliver(peer, signal as LinkSignal),
      dial: (peer) => this.#ensureLink(peer, true),
      redial: (peer) => {
        const remote = this.#links.get(peer);
        if (remote) this.#replaceLink(remote, true);
      },
      drop: (peer) => this.#removePeer(peer),
      asked: (request) => this.emit('hostRequest', request),
      turnedAway: (err) => {
        this.#fail(err);
        this.channel.leave();
      },
      changed: () => this.emit('admissionChanged'),
    });
    this.#supervisor = new LinkSupervisor({
      localId: id,
      isCurrent: (peer, link) => !this.#closed && this.#links.get(peer)?.link === link,
      isMember: (peer) => this.peers.has(peer),
      drop: (peer) => this.#removePeer(peer),
      redial: (peer) => this.#replaceLink(this.#links.get(peer)!, true),
      down: (peer) => {
        const remote = this.#links.get(peer)!;
        remote.connected = false;
        this.emit('peerUpdated', remote);
      },
      lost: (peer) => {
        const remote = this.#links.get(peer);
        if (remote && !remote.connected && this.peers.delete(peer)) this.emit('peerLeft', peer);
      },
    });
  }

  get local(): LocalState {
    return this.media.local;
  }
  /** Camera and microphone; tracks are replaced in place when devices change. */
  get stream(): MediaStream {
    return this.media.stream;
  }
  get closed(): boolean {
    return this.#closed;
  }
  /** Signals through the box that were dropped: undecryptable, replayed, unknown or over bounds. */
  get droppedSignals(): number {
    return this.channel.dropped + this.admission.dropped + this.#dropped;
  }

  join(): void {
    this.channel.connect();
  }

  /** Leaves the meeting: the others are told at once, every connection closes. */
  leave(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.channel.leave();
    this.admission.stop();
    this.#supervisor.stop();
    for (const id of [...this.#links.keys()]) this.#removePeer(id);
    this.media.stopScreen();
  }

  sendTo(id: PeerId, msg: PeerMessage): boolean {
    const peer = this.peers.get(id);
    if (!peer?.connected) return false;
    return peer.link.send(encodePeerMessage(msg));
  }

  /** Sends `msg` to every connected peer but `except`. */
  broadcast(msg: PeerMessage, except: PeerId | null = null): void {
    const text = encodePeerMessage(msg);
    for (const peer of this.peers.values()) if (peer.id !== except) peer.link.send(text);
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
    this.emit('joined', welcome);
    // A newcomer asks everyone whether the meeting is locked before dialling anyone.
    this.admission.enter(welcome.peers, this.local.name, welcome.resumed);
  }

  /** An opened signal: admission control, or negotiation for a connection. */
  #handlePayload(from: PeerId, payload: unknown): void {
    if (this.#closed || !this.admission.mayConnect(from)) {
      this.#dropped++;
      noteTrouble('signal-unopened', { from, why: this.#closed ? 'closed' : 'banned' });
      return;
    }
    if (this.admission.handleSignal(from, payload)) return;
    const signal = asLinkSignal(payload);
    if (!signal) {
      this.#dropped++;
      noteTrouble('signal-unknown', { from });
      return;
    }
    if (this.admission.pass(from, signal)) this.#deliver(from, signal);
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
    } else if (isOffer(signal.s) && peer.link.isInitiator && !peer.connected) {
      // Both dialled (two newcomers let in at once): the smaller peer id's offer stands.
      if (this.local.id < from) return;
      this.#replaceLink(peer, false, signal.g);
    }
    // The peer holds the key: from now on it is part of the meeting for the UI.
    if (!this.peers.has(from)) {
      this.peers.set(from, peer);
      this.emit('peerJoined', peer);
    }
    peer.link.signal(signal.s);
  }

  #ensureLink(id: PeerId, initiator: boolean, generation = 1): RemotePeer {
    const existing = this.#links.get(id);
    if (existing) return existing;
    const peer: RemotePeer = {
      ...{ id, name: '', stateKnown: false, audio: false, video: false, hand: null, recording: false, stream: null, screen: null, screenId: null },
      ...{ connected: false, link: this.#newLink(initiator), generation, videoPaused: false, dropped: 0 },
    };
    this.#links.set(id, peer);
    this.#sizeChanged();
    this.#wire(peer);
    return peer;
  }

  #newLink(initiator: boolean): Link {
    return this.#createLink({
      initiator,
      iceServers: this.#iceServers,
      streams: this.media.streams(),
      relayOnly: this.relayOnly,
      audioPacketMs: () => this.#audioPacketMs,
    });
  }

  /**
   * When the meeting grows or shrinks across a size where the audio packet time changes, every
   * link whose last description asked for the old one negotiates again (PeerLink.updatePacketTime).
   * New links ask for the new time from their first description. The others wait until no link
   * is still connecting: a newcomer crossing the size (the fourth, the sixth) made every link of
   * the meeting renegotiate at the moment each person had to answer the newcomer, and on a busy
   * laptop that slowed the join itself. A link that never connects holds them at most
   * PACKET_TIME_DEFER_MS.
   */
  #sizeChanged(): void {
    const ms = audioPacketMs(this.#links.size + 1);
    if (ms === this.#audioPacketMs) return;
    this.#audioPacketMs = ms;
    if (!this.#packetTimeTimer) this.#packetTimeTimer = setTimeout(() => this.#updatePacketTimes(), PACKET_TIME_DEFER_MS);
    this.#updatePacketTimesIfSettled();
  }

  #updatePacketTimesIfSettled(): void {
    if (!this.#packetTimeTimer) return;
    for (const peer of this.#links.values()) if (!peer.connected) return;
    this.#updatePacketTimes();
  }

  #updatePacketTimes(): void {
    clearTimeout(this.#packetTimeTimer ?? undefined);
    this.#packetTimeTimer = null;
    if (this.#closed) return;
    for (const peer of this.#links.values()) peer.link.updatePacketTime();
  }

  /** A fresh connection for the same peer (its tile stays; media resumes when it connects). */
  #replaceLink(peer: RemotePeer, initiator: boolean, generation = peer.generation + 1): void {
    const old = peer.link;
    peer.link = this.#newLink(initiator);
    peer.generation = generation;
    peer.connected = false;
    old.destroy();
    this.#wire(peer);
    this.emit('peerUpdated', peer);
  }

  /** Connects a peer's current link to the mesh. */
  #wire(peer: RemotePeer): void {
    const { id, link } = peer;
    this.#supervisor.watch(id, link);
    link.on('signal', (data) => {
      if ((data as { type?: string }).type === 'offer') markJoinStep('offer-sent');
      this.channel.send(id, { g: peer.generation, s: data } satisfies LinkSignal);
    });
    link.on('iceConnected', () => markJoinStep('ice-connected'));
    link.on('iceServerError', (code, url) => {
      // 401/403 from a TURN server: our credentials were refused; relay-only cannot connect.
      if (this.relayOnly && /^turns?:/.test(url) && (code === 401 || code === 403 || code === 437)) this.emit('relayProblem', 'ERR_RELAY_REFUSED');
    });
    link.on('connect', () => {
      peer.connected = true;
      this.#supervisor.connected(id);
      this.#updatePacketTimesIfSettled();
      // Back after a failure long enough to have left the grid.
      if (!this.peers.has(id)) {
        this.peers.set(id, peer);
        this.emit('peerJoined', peer);
      }
      link.send(encodePeerMessage(this.media.stateMessage()));
      void this.admission.greeting().then((messages) => {
        for (const msg of messages) link.send(encodePeerMessage(msg));
      });
      this.emit('peerConnected', peer);
      this.emit('peerUpdated', peer);
    });
    link.on('stream', () => this.#sortStreams(peer));
    link.on('message', (text) => this.#handlePeerMessage(peer, text));
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
    if (msg.type === 'host') return this.admission.handleMessage(peer.id, msg as HostMessage);
    if (msg.type === 'video-paused') {
      peer.videoPaused = msg.paused;
      return this.emit('peerUpdated', peer);
    }
    if (msg.type !== 'state') return this.emit('message', peer, msg as Exclude<PeerMessage, StateMessage>);
    Object.assign(peer, {
      name: msg.name,
      stateKnown: true,
      audio: msg.audio,
      video: msg.video,
      hand: msg.hand,
      recording: msg.recording,
      screenId: msg.screen,
    });
    this.media.sawHand(msg.hand);
    this.#sortStreams(peer);
  }

  #removePeer(id: PeerId): void {
    const peer = this.#links.get(id);
    if (!peer) return;
    this.#links.delete(id);
    this.#sizeChanged();
    this.channel.forget(id);
    this.#supervisor.forget(id);
    peer.link.destroy();
    if (this.peers.delete(id)) this.emit('peerLeft', id);
    this.#updatePacketTimesIfSettled();
  }

  #fail(err: RundeError): void {
    this.#closed = true;
    this.admission.stop();
    this.#supervisor.stop();
    for (const id of [...this.#links.keys()]) this.#removePeer(id);
    this.emit('failed', err);
  }
}
