/**
 * The sealed signal channel: everything the mesh says to one peer through the box, sealed with
 * the room's signaling key (crypto.ts), and everything it hears back, opened in order and with
 * replays dropped. The box sees only ciphertext and who sends to whom.
 *
 * Sealing and opening are asynchronous (WebCrypto), so each peer has its own promise chain out
 * and in: signals leave and arrive in the order they were given.
 */
import type { PeerId, RoomId, WelcomeMessage } from '../../signaling/protocol.js';
import { open, seal } from './crypto.js';
import { noteFailure, noteTrouble } from './diagnostics.js';
import { Emitter } from './emitter.js';
import type { RundeError } from './errors.js';
import { SignalingClient, type SignalingState } from './signaling-client.js';

export interface SignalChannelEvents {
  /** The box let us in (again). */
  welcome: (welcome: WelcomeMessage) => void;
  /** A signal from `from` opened: in order, sealed for us, not seen before. */
  payload: (from: PeerId, payload: unknown) => void;
  /** The box says `id` left the room. */
  peerLeft: (id: PeerId) => void;
  state: (state: SignalingState) => void;
  /** The box connection ended for good. */
  failed: (error: RundeError) => void;
}

export interface SignalChannelOptions {
  /** `ws[s]://host/ws`, or several boxes that share rooms (tried in turn). */
  signalingUrl: string | readonly string[];
  room: RoomId;
  /** Our own id in the room. */
  localId: PeerId;
  /** The room's signaling key. */
  signalKey: CryptoKey;
}

export class SignalChannel extends Emitter<SignalChannelEvents> {
  /** Signals that failed to open or were replays: dropped, never acted on. */
  dropped = 0;
  readonly #localId: PeerId;
  readonly #key: CryptoKey;
  readonly #client: SignalingClient;
  readonly #sendSeq = new Map<PeerId, number>();
  /** The highest sequence number opened per sender; kept after it leaves, so nothing replays. */
  readonly #lastSeq = new Map<PeerId, number>();
  readonly #outbox = new Map<PeerId, Promise<void>>();
  readonly #inbox = new Map<PeerId, Promise<void>>();
  #closed = false;

  constructor(options: SignalChannelOptions) {
    super();
    this.#localId = options.localId;
    this.#key = options.signalKey;
    this.#client = new SignalingClient(options.signalingUrl, options.room, options.localId);
    this.#client.on('welcome', (welcome) => this.emit('welcome', welcome));
    this.#client.on('peerLeft', (id) => this.emit('peerLeft', id));
    this.#client.on('signal', (from, data) => this.#receive(from, data));
    this.#client.on('state', (state) => this.emit('state', state));
    this.#client.on('failed', (err) => this.emit('failed', err));
  }

  get state(): SignalingState {
    return this.#client.state;
  }
  /** While reconnecting: when the next attempt starts (ms since epoch). */
  get retryAt(): number {
    return this.#client.retryAt;
  }
  /** While reconnecting: the box said it was busy (full, or this address's share taken). */
  get busy(): boolean {
    return this.#client.busy;
  }

  connect(): void {
    this.#client.connect();
  }

  /** Leaves the room for good; signals still being opened are dropped. */
  leave(): void {
    this.#closed = true;
    this.#client.leave();
  }

  /** Seals `payload` for `to` and relays it, after every earlier signal to `to`. */
  send(to: PeerId, payload: unknown): void {
    const seq = (this.#sendSeq.get(to) ?? 0) + 1;
    this.#sendSeq.set(to, seq);
    const next = this.sent(to)
      .then(() => seal(this.#key, this.#localId, to, seq, payload))
      .then((sealed) => this.#client.send(to, sealed))
      .catch(noteFailure('signal-send-failed', { to }));
    this.#outbox.set(to, next);
  }

  /** Settles once every signal given for `to` so far has been handed to the box (or failed). */
  sent(to: PeerId): Promise<void> {
    return this.#outbox.get(to) ?? Promise.resolve();
  }

  /** Forgets what is queued for a peer that is gone (its replay guard stays). */
  forget(id: PeerId): void {
    this.#outbox.delete(id);
  }

  #receive(from: PeerId, data: unknown): void {
    const next = (this.#inbox.get(from) ?? Promise.resolve()).then(async () => {
      const opened = await open(this.#key, from, this.#localId, data);
      const why = !opened ? 'did not open' : this.#closed ? 'closed' : opened.seq <= (this.#lastSeq.get(from) ?? 0) ? 'replayed' : null;
      if (why || !opened) {
        this.dropped++;
        noteTrouble('signal-unopened', { from, why });
        return;
      }
      this.#lastSeq.set(from, opened.seq);
      this.emit('payload', from, opened.payload);
    });
    this.#inbox.set(from, next.catch(noteFailure('signal-handling-failed', { from })));
  }
}
