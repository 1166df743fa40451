/**
 * One WebRTC connection to one remote peer. The only importer of simple-peer: the rest of the
 * client sees typed events and never the library.
 */
import SimplePeer from 'simple-peer';
import type { IceServer } from '../../signaling/protocol.js';
import { DEFAULT_AUDIO_PACKET_MS, videoCodecOrder, withAudioPacketTime, withOpusDtx } from './codecs.js';
import { noteTrouble } from './diagnostics.js';
import { Emitter } from './emitter.js';

export interface PeerLinkOptions {
  /** The newcomer initiates (it makes the offer); see PROTOCOL.md §4. */
  initiator: boolean;
  /** Exactly the box's list: never simple-peer's public defaults. */
  iceServers: IceServer[];
  /** Local media to send: camera/microphone, and a shared screen if any. */
  streams: MediaStream[];
  /** Only relayed candidates (TURN): the other side never learns this browser's addresses. */
  relayOnly: boolean;
  /**
   * The Opus packet time (ms) to ask the other side for, read at every offer and answer so that
   * a renegotiation follows the meeting's size (codecs.ts `audioPacketMs`); default 20 ms.
   */
  audioPacketMs?: () => number;
}

export interface PeerLinkEvents {
  /** A negotiation message to relay through the box. */
  signal: (data: unknown) => void;
  /** ICE found a working path (media can flow). */
  iceConnected: () => void;
  /** The ICE connection state changed (connected, disconnected, failed, …). */
  iceState: (state: RTCIceConnectionState) => void;
  /** A STUN/TURN server answered with an error (e.g. 401: credentials refused). */
  iceServerError: (code: number, url: string) => void;
  /** The data channel is open. */
  connect: () => void;
  /** A remote media stream arrived, gained or lost a track. */
  stream: (stream: MediaStream) => void;
  /** A text message arrived on the data channel. */
  message: (text: string) => void;
  /** The connection ended (failed, or closed by either side). */
  close: () => void;
}

/**
 * A connection as the mesh and the features see it: PeerLink in the app, a fake in the mesh's
 * unit tests (test/node/mesh.test.ts).
 */
export interface Link {
  on<K extends keyof PeerLinkEvents>(event: K, listener: PeerLinkEvents[K]): () => void;
  /** The underlying RTCPeerConnection, for getStats and sender parameters. */
  readonly connection: RTCPeerConnection;
  readonly remoteStreams: MediaStream[];
  /** Whether this side made the offer. */
  readonly isInitiator: boolean;
  signal(data: unknown): void;
  send(text: string): boolean;
  receiverOf(track: MediaStreamTrack): RTCRtpReceiver | null;
  updatePacketTime(): void;
  replaceTrack(old: MediaStreamTrack | null, track: MediaStreamTrack, stream: MediaStream): void;
  addStream(stream: MediaStream): void;
  removeStream(stream: MediaStream): void;
  createChannel(label: string, id: number): RTCDataChannel;
  destroy(): void;
}

const decoder = new TextDecoder();

/** How long the answering side waits for the initiator's offer before it asks for one (updatePacketTime). */
export const PACKET_TIME_OFFER_WAIT_MS = 3_000;

export class PeerLink extends Emitter<PeerLinkEvents> implements Link {
  readonly #peer: SimplePeer.Instance;
  #destroyed = false;
  readonly #remote = new Set<MediaStream>();
  readonly #initiator: boolean;
  readonly #packetMs: () => number;
  #packetTimer: ReturnType<typeof setTimeout> | null = null;
  /** The audio packet time our latest offer or answer asked for; null before the first. */
  #askedPacketMs: number | null = null;
  /** Video transceivers whose codec order is set already (see codecs.ts). */
  readonly #ordered = new WeakSet<RTCRtpTransceiver>();

  constructor(options: PeerLinkOptions) {
    super();
    this.#initiator = options.initiator;
    this.#packetMs = options.audioPacketMs ?? (() => DEFAULT_AUDIO_PACKET_MS);
    this.#peer = new SimplePeer({
      initiator: options.initiator,
      trickle: true,
      config: { iceServers: options.iceServers, iceTransportPolicy: options.relayOnly ? 'relay' : 'all' },
      streams: options.streams,
      // Always offer to receive both kinds, so a peer without a camera still gets video.
      offerOptions: { offerToReceiveAudio: true, offerToReceiveVideo: true },
      sdpTransform: (sdp: string) => {
        this.#askedPacketMs = this.#packetMs();
        return withOpusDtx(withAudioPacketTime(sdp, this.#askedPacketMs));
      },
    });
    this.#peer.on('signal', (data) => this.#handleSignal(data));
    this.#peer.on('connect', () => this.#handleConnect());
    this.#peer.on('track', (track: MediaStreamTrack, stream: MediaStream) => this.#handleTrack(track, stream));
    this.#peer.on('data', (data: Uint8Array) => this.#handleData(data));
    this.#peer.on('error', (err: Error & { code?: string }) => this.#handleError(err));
    this.#peer.on('close', () => this.#handleClose());
    this.#peer.on('iceStateChange', (state: RTCIceConnectionState) => this.#handleIceState(state));
    this.connection.addEventListener('icecandidateerror', (e) => this.#handleIceError(e as RTCPeerConnectionIceErrorEvent));
    this.#orderCodecs();
  }

  get connected(): boolean {
    return this.#peer.connected;
  }

  /** The underlying RTCPeerConnection, for getStats and sender parameters. */
  get connection(): RTCPeerConnection {
    return (this.#peer as unknown as { _pc: RTCPeerConnection })._pc;
  }

  get remoteStreams(): MediaStream[] {
    return [...this.#remote];
  }

  /** Feeds a negotiation message that came from this peer through the box. */
  signal(data: unknown): void {
    if (this.#destroyed) return;
    try {
      this.#peer.signal(data as SimplePeer.SignalData);
      // A transceiver the other side asked for is added at once and offered in a microtask.
      // (Those a remote offer creates need nothing: the answer follows the offer's order.)
      if ((data as { transceiverRequest?: unknown }).transceiverRequest) this.#orderCodecs();
    } catch {
      // a malformed signal from the other side: simple-peer destroys itself and emits error
    }
  }

  /** The receiver of a remote track on this connection; null once the connection is gone. */
  receiverOf(track: MediaStreamTrack): RTCRtpReceiver | null {
    if (this.#destroyed) return null;
    return this.connection.getReceivers().find((r) => r.track === track) ?? null;
  }

  /**
   * Negotiates again if our latest offer or answer asked for another audio packet time than
   * `audioPacketMs` gives now. Nothing before the first description (it will carry the current
   * value). The initiator offers at once. The other side only answers, so it would have to ask
   * the initiator for an offer; but both sides mostly see the meeting change at the same moment,
   * and an ask that crosses the initiator's offer costs a second full round. Under load every
   * negotiation step takes seconds (bench:mesh at N = 6: createOffer 1–4 s), so it first waits
   * PACKET_TIME_OFFER_WAIT_MS for that offer and asks only if, with no negotiation under way,
   * its latest answer still has the old value.
   */
  updatePacketTime(): void {
    if (!this.#packetTimeOutdated()) return;
    if (this.#initiator) return this.#negotiate();
    this.#askLater();
  }

  /**
   * The answering side's wait, counted afresh from the latest change. An offer that arrived but
   * is not answered yet (each step can take seconds under load) gets another wait: its answer
   * may well carry the new value.
   */
  #askLater(): void {
    if (this.#packetTimer) clearTimeout(this.#packetTimer);
    this.#packetTimer = setTimeout(() => {
      this.#packetTimer = null;
      if (!this.#packetTimeOutdated()) return;
      if (this.connection.signalingState !== 'stable') return this.#askLater();
      this.#negotiate();
    }, PACKET_TIME_OFFER_WAIT_MS);
  }

  #packetTimeOutdated(): boolean {
    return !this.#destroyed && this.#askedPacketMs !== null && this.#askedPacketMs !== this.#packetMs();
  }

  /** The initiator offers; the other side asks it to (simple-peer queues it behind one under way). */
  #negotiate(): void {
    try {
      // Public in simple-peer 9 (its README), missing from @types/simple-peer.
      (this.#peer as SimplePeer.Instance & { negotiate(): void }).negotiate();
    } catch {
      // destroyed meanwhile: nothing to negotiate
    }
  }

  /** Sends a text message on the data channel; false when it is not open. */
  send(text: string): boolean {
    if (this.#destroyed || !this.#peer.connected) return false;
    try {
      this.#peer.send(text);
      return true;
    } catch {
      return false; // channel closing: the close event follows
    }
  }

  /**
   * Replaces a sent track without renegotiation; with no old track (a device that appeared
   * later) the new one is added, which does renegotiate.
   */
  replaceTrack(old: MediaStreamTrack | null, track: MediaStreamTrack, stream: MediaStream): void {
    if (this.#destroyed) return;
    try {
      if (old) this.#peer.replaceTrack(old, track, stream);
      else this.#peer.addTrack(track, stream);
      this.#orderCodecs();
    } catch {
      // the connection is closing; nothing to replace
    }
  }

  addStream(stream: MediaStream): void {
    if (this.#destroyed) return;
    for (const track of stream.getTracks()) this.#peer.addTrack(track, stream);
    this.#orderCodecs();
  }

  removeStream(stream: MediaStream): void {
    if (this.#destroyed) return;
    for (const track of stream.getTracks()) {
      try {
        this.#peer.removeTrack(track, stream);
      } catch {
        // never added to this connection (it joined after the track ended)
      }
    }
  }

  /**
   * A data channel of our own beside simple-peer's, pre-negotiated with a fixed id so that no
   * SDP round trip is needed (and simple-peer's `ondatachannel` never sees it). Both ends must
   * create it with the same id.
   */
  createChannel(label: string, id: number): RTCDataChannel {
    return this.connection.createDataChannel(label, { negotiated: true, id, ordered: true });
  }

  /** Whether this side made the offer; it decides which channel ids each side picks. */
  get isInitiator(): boolean {
    return (this.#peer as unknown as { initiator: boolean }).initiator;
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#peer.destroy();
  }

  /**
   * Asks for the cheaper video codec first on every video transceiver not yet ordered. Called
   * right after each place that adds one, before simple-peer makes its offer (a microtask later).
   */
  #orderCodecs(): void {
    const codecs = videoCodecOrder();
    if (!codecs || this.#destroyed) return;
    for (const transceiver of this.connection.getTransceivers()) {
      if (this.#ordered.has(transceiver) || transceiver.receiver.track.kind !== 'video') continue;
      this.#ordered.add(transceiver);
      try {
        transceiver.setCodecPreferences(codecs);
      } catch {
        // stopped, or a browser that refuses the list: it keeps its own order
      }
    }
  }

  #handleSignal(data: unknown): void {
    if (this.#destroyed) return;
    this.emit('signal', data);
  }

  #handleIceState(state: RTCIceConnectionState): void {
    if (this.#destroyed) return;
    this.emit('iceState', state);
    if (state === 'connected' || state === 'completed') this.emit('iceConnected');
  }

  #handleIceError(e: RTCPeerConnectionIceErrorEvent): void {
    if (this.#destroyed) return;
    this.emit('iceServerError', e.errorCode, e.url);
  }

  #handleConnect(): void {
    if (this.#destroyed) return;
    this.emit('connect');
  }

  #handleTrack(track: MediaStreamTrack, stream: MediaStream): void {
    if (this.#destroyed) return;
    this.#remote.add(stream);
    const changed = () => {
      if (!this.#destroyed) this.emit('stream', stream);
    };
    track.addEventListener('unmute', changed);
    track.addEventListener('ended', changed);
    stream.addEventListener('removetrack', changed);
    this.emit('stream', stream);
  }

  #handleData(data: Uint8Array): void {
    if (this.#destroyed) return;
    this.emit('message', decoder.decode(data));
  }

  #handleError(err: Error & { code?: string }): void {
    // The close event follows; the code tells why, for the debug log only.
    if (!this.#destroyed) noteTrouble('link-error', { code: err.code ?? 'ERR_PEER' });
  }

  #handleClose(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    if (this.#packetTimer) clearTimeout(this.#packetTimer);
    this.emit('close');
    this.clearListeners();
  }
}
