/**
 * A stand-in for PeerLink in node: no WebRTC, but the same events in the same order as
 * simple-peer gives them, so that the mesh's state machine (generations, redials, held knocks,
 * admission) runs against a real box with real sealing. Links find their other end through the
 * offer and answer they pass through the box, as real descriptions carry real fingerprints.
 */
import { Emitter } from '../../client/core/emitter.js';
import type { Link, PeerLinkEvents, PeerLinkOptions } from '../../client/core/peer.js';

let nextId = 1;
const byId = new Map<number, FakeLink>();

/** What a fake link sends as its description: which link it is. */
interface FakeSignal {
  type: 'offer' | 'answer';
  link: number;
}

export class FakeLink extends Emitter<PeerLinkEvents> implements Link {
  readonly id = nextId++;
  readonly options: PeerLinkOptions;
  /** Signals fed to this link, in order. */
  readonly received: unknown[] = [];
  /** Text sent on its data channel. */
  readonly sent: string[] = [];
  other: FakeLink | null = null;
  open = false;
  destroyed = false;

  constructor(options: PeerLinkOptions) {
    super();
    this.options = options;
    byId.set(this.id, this);
    // simple-peer offers a task later, once the mesh has wired its listeners.
    if (options.initiator) setTimeout(() => this.#emitSignal({ type: 'offer', link: this.id }));
  }

  get connection(): RTCPeerConnection {
    throw new Error('a fake link has no RTCPeerConnection');
  }
  get remoteStreams(): MediaStream[] {
    return [];
  }
  get isInitiator(): boolean {
    return this.options.initiator;
  }

  signal(data: unknown): void {
    if (this.destroyed) return;
    this.received.push(data);
    const signal = data as Partial<FakeSignal>;
    const other = typeof signal.link === 'number' ? byId.get(signal.link) : undefined;
    if (!other || other.destroyed) return;
    this.other = other;
    if (signal.type === 'offer') this.#emitSignal({ type: 'answer', link: this.id });
    if (signal.type === 'answer') {
      // Both data channels open: the answerer's first (it saw the offer first).
      other.other = this;
      setTimeout(() => {
        other.#open();
        this.#open();
      });
    }
  }

  send(text: string): boolean {
    if (!this.open || this.destroyed) return false;
    this.sent.push(text);
    const other = this.other;
    setTimeout(() => other?.fire('message', text));
    return true;
  }

  /** Fires one of the link's events as if WebRTC had (tests). */
  fire<K extends keyof PeerLinkEvents>(event: K, ...args: Parameters<PeerLinkEvents[K]>): void {
    if (!this.destroyed) this.emit(event, ...args);
  }

  /** The connection breaks (ICE failed on both ends): both links close, as simple-peer's would. */
  break(): void {
    const other = this.other;
    this.#close();
    if (other) other.#close();
  }

  destroy(): void {
    this.#close();
  }

  receiverOf(): RTCRtpReceiver | null {
    return null;
  }
  updatePacketTime(): void {}
  replaceTrack(): void {}
  addStream(): void {}
  removeStream(): void {}
  createChannel(): RTCDataChannel {
    throw new Error('a fake link has no data channels of its own');
  }

  #emitSignal(signal: FakeSignal): void {
    if (!this.destroyed) this.emit('signal', signal);
  }

  #open(): void {
    if (this.destroyed || this.open) return;
    this.open = true;
    this.emit('connect');
  }

  #close(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    byId.delete(this.id);
    this.emit('close');
    this.clearListeners();
  }
}

/** A MediaStream with no tracks, which is all the mesh needs of one in node. */
export function emptyStream(): MediaStream {
  const tracks: MediaStreamTrack[] = [];
  return {
    id: 'empty',
    getTracks: () => tracks,
    getAudioTracks: () => [],
    getVideoTracks: () => [],
    addTrack: () => {},
    removeTrack: () => {},
  } as unknown as MediaStream;
}
