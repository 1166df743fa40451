/**
 * The call: a full mesh of peer connections, one per other participant, introduced by the box.
 * The core is the store: state plus typed events, no UI. The UI only calls its methods.
 */
import type { IceServer, PeerId, RoomId, WelcomeMessage } from '../../signaling/protocol.js';
import { Emitter } from './emitter.js';
import type { RundeError } from './errors.js';
import { PeerLink } from './peer.js';
import { cleanName, encodePeerMessage, parsePeerMessage, type PeerMessage } from './peer-messages.js';
import { newPeerId } from './room-link.js';
import { SignalingClient, type SignalingState } from './signaling-client.js';
import { markJoinStep } from './timing.js';

export interface RemotePeer {
  readonly id: PeerId;
  /** What the peer calls itself (over the data channel); empty until it says. */
  name: string;
  /** Whether its microphone and camera are on, as it reports. */
  audio: boolean;
  video: boolean;
  stream: MediaStream | null;
  /** The data channel is open. */
  connected: boolean;
  readonly link: PeerLink;
  /** Malformed or unknown data-channel messages dropped from this peer. */
  dropped: number;
}

export interface LocalState {
  readonly id: PeerId;
  name: string;
  audio: boolean;
  video: boolean;
}

export interface MeshEvents {
  /** The box let us in (again). */
  joined: (welcome: WelcomeMessage) => void;
  /** A peer connection exists; its media and name may follow. */
  peerJoined: (peer: RemotePeer) => void;
  /** A peer's connection state, name, microphone/camera state or stream changed. */
  peerUpdated: (peer: RemotePeer) => void;
  peerLeft: (id: PeerId) => void;
  /** Our own name or microphone/camera state changed. */
  localUpdated: (local: LocalState) => void;
  signalingState: (state: SignalingState) => void;
  /** The meeting cannot go on (room full, box refused); the mesh has been closed. */
  failed: (error: RundeError) => void;
}

export interface MeshOptions {
  /** `ws[s]://host/ws` */
  signalingUrl: string;
  room: RoomId;
  name: string;
  /** Whatever local media could be had; null to only listen and watch. */
  stream: MediaStream | null;
  audio: boolean;
  video: boolean;
}

export class Mesh extends Emitter<MeshEvents> {
  readonly peers = new Map<PeerId, RemotePeer>();
  readonly local: LocalState;
  readonly stream: MediaStream | null;
  readonly #signaling: SignalingClient;
  #iceServers: IceServer[] = [];
  #closed = false;
  /** The box has let us in at least once (so a lost connection is a reconnect, not a first try). */
  everJoined = false;

  constructor(options: MeshOptions) {
    super();
    this.stream = options.stream;
    this.local = { id: newPeerId() as PeerId, name: cleanName(options.name), audio: options.audio, video: options.video };
    this.#applyTrackState();
    this.#signaling = new SignalingClient(options.signalingUrl, options.room, this.local.id);
    this.#signaling.on('welcome', (w) => this.#handleWelcome(w));
    this.#signaling.on('peerJoined', (id) => this.#ensureLink(id, false));
    this.#signaling.on('peerLeft', (id) => this.#removePeer(id));
    this.#signaling.on('signal', (from, data) => this.#ensureLink(from, false).link.signal(data));
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

  join(): void {
    this.#signaling.connect();
  }

  /** Leaves the meeting: the others are told at once, every connection closes. */
  leave(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#signaling.leave();
    for (const id of [...this.peers.keys()]) this.#removePeer(id);
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

  #localChanged(): void {
    this.#applyTrackState();
    this.#broadcast(this.#stateMessage());
    this.emit('localUpdated', this.local);
  }

  /** Muting disables the track: no renegotiation, and the peer sees silence/black at once. */
  #applyTrackState(): void {
    for (const t of this.stream?.getAudioTracks() ?? []) t.enabled = this.local.audio;
    for (const t of this.stream?.getVideoTracks() ?? []) t.enabled = this.local.video;
  }

  #stateMessage(): PeerMessage {
    const hasAudio = (this.stream?.getAudioTracks().length ?? 0) > 0;
    const hasVideo = (this.stream?.getVideoTracks().length ?? 0) > 0;
    return {
      v: 1,
      type: 'state',
      name: this.local.name,
      audio: this.local.audio && hasAudio,
      video: this.local.video && hasVideo,
    };
  }

  #broadcast(msg: PeerMessage): void {
    const text = encodePeerMessage(msg);
    for (const peer of this.peers.values()) peer.link.send(text);
  }

  #handleWelcome(welcome: WelcomeMessage): void {
    this.#iceServers = welcome.iceServers;
    this.everJoined = true;
    const present = new Set(welcome.peers);
    if (!welcome.resumed) {
      // A fresh session: whatever we had belongs to the old one.
      for (const id of [...this.peers.keys()]) this.#removePeer(id);
    } else {
      for (const id of [...this.peers.keys()]) if (!present.has(id)) this.#removePeer(id);
    }
    // The newcomer dials everyone already there.
    for (const id of welcome.peers) if (!this.peers.has(id)) this.#ensureLink(id, true);
    this.emit('joined', welcome);
  }

  #ensureLink(id: PeerId, initiator: boolean): RemotePeer {
    const existing = this.peers.get(id);
    if (existing) return existing;
    const link = new PeerLink({ initiator, iceServers: this.#iceServers, stream: this.stream });
    const peer: RemotePeer = { id, name: '', audio: false, video: false, stream: null, connected: false, link, dropped: 0 };
    this.peers.set(id, peer);
    link.on('signal', (data) => {
      if ((data as { type?: string }).type === 'offer') markJoinStep('offer-sent');
      this.#signaling.send(id, data);
    });
    link.on('iceConnected', () => markJoinStep('ice-connected'));
    link.on('connect', () => {
      peer.connected = true;
      link.send(encodePeerMessage(this.#stateMessage()));
      this.emit('peerUpdated', peer);
    });
    link.on('stream', (stream) => {
      peer.stream = stream;
      this.emit('peerUpdated', peer);
    });
    link.on('message', (text) => this.#handlePeerMessage(peer, text));
    link.on('close', () => {
      if (this.peers.get(id) === peer) this.#removePeer(id);
    });
    this.emit('peerJoined', peer);
    return peer;
  }

  #handlePeerMessage(peer: RemotePeer, text: string): void {
    const msg = parsePeerMessage(text);
    if (!msg) {
      peer.dropped++;
      return;
    }
    peer.name = msg.name;
    peer.audio = msg.audio;
    peer.video = msg.video;
    this.emit('peerUpdated', peer);
  }

  #removePeer(id: PeerId): void {
    const peer = this.peers.get(id);
    if (!peer) return;
    this.peers.delete(id);
    peer.link.destroy();
    this.emit('peerLeft', id);
  }

  #fail(err: RundeError): void {
    this.#closed = true;
    for (const id of [...this.peers.keys()]) this.#removePeer(id);
    this.emit('failed', err);
  }
}
