/**
 * Files between participants. The offer, the answer and the end travel as control messages
 * (`file-*` in peer-messages.ts); the data of each transfer goes on a data channel of its own,
 * pre-negotiated with the id from the offer, so a large file never holds up chat or state.
 *
 *   sender                                  receiver
 *   file-offer {id, name, size, channel} ─►  'offered': accept() opens temp storage and the channel
 *                                       ◄─  file-accept
 *   opens its end, sends 16 KiB chunks  ═►  writes them, hashes them
 *   file-done {sha256}                  ─►  compares (block-hash.ts)
 *                                       ◄─  file-result {ok}
 *
 * Either side may cancel (`file-cancel`, then both close the channel). Memory stays flat: the
 * sender reads 1 MiB blocks and pauses while the channel's buffer is full; the receiver streams to
 * a temp file (file-sink.ts). Messages on different channels are not ordered with each other, so
 * `file-done` may overtake the last chunks and a channel's close may overtake `file-cancel`.
 */
import type { PeerId } from '../../signaling/protocol.js';
import { BlockHasher } from './block-hash.js';
import { Emitter } from './emitter.js';
import { ChannelIds, LOW_WATER_BYTES, opened, sendFile } from './file-channel.js';
import { FileStore, type FileSink } from './file-sink.js';
import type { Mesh, RemotePeer } from './mesh.js';
import type { Link } from './peer.js';
import { randomMessageId, type FileOfferMessage, type PeerMessage } from './peer-messages.js';
import type { FileTransferErrorCode, FileTransfersEvents, Transfer, TransferState } from './transfer.js';

export type { FileTransferErrorCode, FileTransfersEvents, Transfer, TransferState } from './transfer.js';

export const PROGRESS_INTERVAL_MS = 250;
/** How long a channel that closed early waits for the `file-cancel` or `file-result` behind it. */
export const CLOSE_GRACE_MS = 3_000;

const FINAL: ReadonlySet<TransferState> = new Set(['done', 'declined', 'cancelled', 'failed']);

export interface FileTransfersOptions {
  progressIntervalMs?: number;
  /** 'memory' skips OPFS (to test the fallback). */
  storage?: 'auto' | 'memory';
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
interface Job extends Mutable<Transfer> {
  link: Link;
  channelId: number | null;
  source: File | null;
  sink: FileSink | null;
  hasher: BlockHasher | null;
  /** The digest from `file-done`, once it came. */
  expected: string | null;
  lastEmit: number;
  graceTimer: ReturnType<typeof setTimeout> | null;
}

export class FileTransfers extends Emitter<FileTransfersEvents> {
  readonly #jobs = new Map<string, Job>();
  readonly #ids = new WeakMap<Link, ChannelIds>();
  readonly #off: Array<() => void>;
  readonly #interval: number;
  readonly #memoryOnly: boolean;
  #store: Promise<FileStore> | null = null;
  #disposed = false;

  /** One per mesh: it owns the channel ids of the mesh's links. */
  constructor(
    private readonly mesh: Mesh,
    options: FileTransfersOptions = {},
  ) {
    super();
    this.#interval = options.progressIntervalMs ?? PROGRESS_INTERVAL_MS;
    this.#memoryOnly = options.storage === 'memory';
    this.#off = [mesh.on('message', (peer, msg) => this.#handleMessage(peer, msg)), mesh.on('peerLeft', (id) => this.#handlePeerLeft(id))];
  }

  /** Every transfer of this meeting, oldest first. */
  get transfers(): ReadonlyMap<string, Transfer> {
    return this.#jobs;
  }

  /** Offers `file` to one peer or to everyone connected; one transfer per recipient. */
  send(file: File, to: PeerId | 'everyone'): Transfer[] {
    if (this.#disposed) return [];
    const peers = to === 'everyone' ? [...this.mesh.peers.values()] : [this.mesh.peers.get(to)];
    return peers.filter((p): p is RemotePeer => !!p?.connected).map((peer) => this.#offer(file, peer));
  }

  /** Takes an offered file: storage and channel are readied, then the sender is told to start. */
  accept(id: string): void {
    const job = this.#jobs.get(id);
    if (job?.direction !== 'receive' || job.state !== 'offered') return;
    this.#setState(job, 'active');
    void this.#startReceiving(job);
  }

  decline(id: string): void {
    const job = this.#jobs.get(id);
    if (job?.direction !== 'receive' || job.state !== 'offered') return;
    this.mesh.sendTo(job.peer, { type: 'file-decline', id });
    this.#end(job, 'declined');
  }

  /** Stops a transfer from either side (an undecided offer to us is declined). */
  cancel(id: string): void {
    const job = this.#jobs.get(id);
    if (!job || FINAL.has(job.state)) return;
    if (job.direction === 'receive' && job.state === 'offered') return this.decline(id);
    this.mesh.sendTo(job.peer, { type: 'file-cancel', id });
    this.#end(job, 'cancelled');
  }

  /** Cancels what is running, deletes every temp file (received files become unreadable). */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    for (const job of this.#jobs.values()) this.cancel(job.id);
    this.#disposed = true;
    for (const off of this.#off) off();
    this.clearListeners();
    await Promise.all([...this.#jobs.values()].map((job) => job.sink?.discard()));
    await (await this.#store)?.dispose();
  }

  #offer(file: File, peer: RemotePeer): Transfer {
    const job = this.#newJob(randomMessageId(), peer, 'send', file.name, file.size, file.type);
    job.source = file;
    job.channelId = this.#channelIds(peer.link).take();
    this.#jobs.set(job.id, job);
    this.emit('updated', job);
    const { id, name, size, mime, channelId } = job;
    if (channelId === null) this.#end(job, 'failed', 'ERR_NO_CHANNEL');
    else if (!this.mesh.sendTo(peer.id, { type: 'file-offer', id, name, size, mime, channel: channelId })) {
      this.#end(job, 'failed', 'ERR_PEER_GONE');
    }
    return job;
  }

  #handleMessage(peer: RemotePeer, msg: PeerMessage): void {
    if (this.#disposed || !msg.type.startsWith('file-')) return;
    if (msg.type === 'file-offer') return this.#handleOffer(peer, msg);
    const job = this.#jobs.get((msg as { id: string }).id);
    if (!job || job.peer !== peer.id) return; // not ours, or another peer's transfer
    const sending = job.direction === 'send';
    if (msg.type === 'file-cancel') this.#end(job, 'cancelled');
    else if (msg.type === 'file-accept' && sending) void this.#handleAccept(job);
    else if (msg.type === 'file-decline' && sending && job.state === 'waiting') this.#end(job, 'declined');
    else if (msg.type === 'file-result' && sending && job.state === 'verifying') {
      this.#end(job, msg.ok ? 'done' : 'failed', msg.ok ? null : 'ERR_INTEGRITY');
    } else if (msg.type === 'file-done' && !sending && job.expected === null) {
      job.expected = msg.sha256;
      void this.#verify(job);
    }
  }

  #handleOffer(peer: RemotePeer, msg: FileOfferMessage): void {
    if (this.#jobs.has(msg.id)) return;
    const job = this.#newJob(msg.id, peer, 'receive', msg.name, msg.size, msg.mime);
    this.#jobs.set(job.id, job);
    if (!this.#channelIds(peer.link).takeRemote(msg.channel)) {
      this.mesh.sendTo(peer.id, { type: 'file-decline', id: msg.id });
      return this.#end(job, 'failed', 'ERR_BAD_OFFER');
    }
    job.channelId = msg.channel;
    this.emit('offered', job);
    this.emit('updated', job);
  }

  #handlePeerLeft(id: PeerId): void {
    for (const job of this.#jobs.values()) if (job.peer === id) this.#end(job, 'failed', 'ERR_PEER_GONE');
  }

  // ── sending ──────────────────────────────────────────────────────────────────────────────

  async #handleAccept(job: Job): Promise<void> {
    if (job.state !== 'waiting') return;
    this.#setState(job, 'active');
    if (await this.#openChannel(job)) void this.#pump(job, job.channel!);
  }

  /** Sends the data, then the digest; the receiver's `file-result` ends the transfer. */
  async #pump(job: Job, channel: RTCDataChannel): Promise<void> {
    const sha256 = await sendFile(job.source!, channel, {
      live: () => job.state === 'active',
      progress: (bytes) => this.#progress(job, bytes),
      fail: (code) => this.#abort(job, code),
    });
    if (sha256 === null || job.state !== 'active') return;
    job.bytes = job.size;
    this.#setState(job, 'verifying');
    this.mesh.sendTo(job.peer, { type: 'file-done', id: job.id, sha256 });
  }

  // ── receiving ────────────────────────────────────────────────────────────────────────────

  async #startReceiving(job: Job): Promise<void> {
    this.#store ??= FileStore.open(this.#memoryOnly);
    const sink = await (await this.#store).sink(job.id, () => this.#abort(job, 'ERR_STORAGE'));
    if (job.state !== 'active' || this.#disposed) return void sink.discard();
    job.sink = sink;
    job.hasher = new BlockHasher();
    // The channel exists before the sender hears `file-accept`, so no chunk can arrive unheard.
    if (!this.#createChannel(job)) return;
    job.channel!.addEventListener('message', (e) => this.#handleChunk(job, e.data));
    if (!this.mesh.sendTo(job.peer, { type: 'file-accept', id: job.id })) return this.#end(job, 'failed', 'ERR_PEER_GONE');
    void this.#verify(job); // an empty file, or a `file-done` that came early
  }

  #handleChunk(job: Job, data: unknown): void {
    if (job.state !== 'active') return;
    if (!(data instanceof ArrayBuffer) || job.bytes + data.byteLength > job.size) return this.#abort(job, 'ERR_PROTOCOL');
    const bytes = new Uint8Array(data);
    job.hasher!.update(bytes);
    job.sink!.write(bytes);
    this.#progress(job, job.bytes + bytes.length);
    if (job.bytes === job.size) void this.#verify(job);
  }

  /** Once every byte and the sender's digest are here: compare, answer, keep or drop the file. */
  async #verify(job: Job): Promise<void> {
    if (job.state !== 'active' || !job.sink || job.expected === null || job.bytes < job.size) return;
    this.#setState(job, 'verifying');
    let result: [string, File];
    try {
      result = await Promise.all([job.hasher!.digest(), job.sink.finish(job.name, job.mime)]);
    } catch {
      return this.#abort(job, 'ERR_STORAGE');
    }
    if (FINAL.has(job.state)) return; // cancelled while checking
    const ok = result[0] === job.expected;
    this.mesh.sendTo(job.peer, { type: 'file-result', id: job.id, ok });
    if (ok) job.file = result[1];
    this.#end(job, ok ? 'done' : 'failed', ok ? null : 'ERR_INTEGRITY');
  }

  // ── both sides ───────────────────────────────────────────────────────────────────────────

  /** The sender's end, on `file-accept`; true once it is open and the transfer still on. */
  async #openChannel(job: Job): Promise<boolean> {
    if (!this.#createChannel(job)) return false;
    const open = await opened(job.channel!);
    if (FINAL.has(job.state)) return false;
    if (!open) this.#abort(job, 'ERR_CHANNEL');
    return open;
  }

  #createChannel(job: Job): boolean {
    try {
      const channel = job.link.createChannel('runde-file', job.channelId!);
      channel.binaryType = 'arraybuffer';
      channel.bufferedAmountLowThreshold = LOW_WATER_BYTES;
      channel.addEventListener('close', () => this.#handleChannelClosed(job));
      job.channel = channel;
      return true;
    } catch {
      this.#abort(job, 'ERR_CHANNEL'); // the id is still taken by a closing stream, or the link is gone
      return false;
    }
  }

  /** A close that overtook `file-cancel` or `file-result` gets a moment before it counts as a failure. */
  #handleChannelClosed(job: Job): void {
    if (FINAL.has(job.state) || job.graceTimer) return;
    job.graceTimer = setTimeout(() => this.#end(job, 'failed', 'ERR_CHANNEL'), CLOSE_GRACE_MS);
  }

  /** Fails a transfer and tells the peer to stop too. */
  #abort(job: Job, code: FileTransferErrorCode): void {
    if (FINAL.has(job.state)) return;
    this.mesh.sendTo(job.peer, { type: 'file-cancel', id: job.id });
    this.#end(job, 'failed', code);
  }

  /** The one way into a final state: frees the channel, the reader and (unless done) the temp file. */
  #end(job: Job, state: TransferState, error: FileTransferErrorCode | null = null): void {
    if (FINAL.has(job.state)) return;
    job.state = state;
    job.error = error;
    if (job.graceTimer) clearTimeout(job.graceTimer);
    job.graceTimer = null;
    job.source = null;
    job.hasher = null;
    if (state !== 'done') void job.sink?.discard();
    this.#closeChannel(job);
    this.emit('updated', job);
  }

  /** Closes our end; the id is free again once the stream is reset (the `close` event). */
  #closeChannel(job: Job): void {
    const { channel, channelId } = job;
    if (channelId === null) return;
    const ids = this.#channelIds(job.link);
    if (!channel || channel.readyState === 'closed') return ids.release(channelId);
    channel.addEventListener('close', () => ids.release(channelId), { once: true });
    channel.close();
  }

  #channelIds(link: Link): ChannelIds {
    let ids = this.#ids.get(link);
    if (!ids) this.#ids.set(link, (ids = new ChannelIds(link.isInitiator)));
    return ids;
  }

  #setState(job: Job, state: TransferState): void {
    job.state = state;
    this.emit('updated', job);
  }

  #progress(job: Job, bytes: number): void {
    job.bytes = bytes;
    const now = performance.now();
    if (bytes < job.size && now - job.lastEmit < this.#interval) return;
    job.lastEmit = now;
    this.emit('updated', job);
  }

  #newJob(id: string, peer: RemotePeer, direction: Job['direction'], name: string, size: number, mime: string): Job {
    const state = direction === 'send' ? 'waiting' : 'offered';
    return {
      ...{ id, peer: peer.id, direction, name, size, mime, state, bytes: 0, file: null, error: null, channel: null },
      ...{ link: peer.link, channelId: null, source: null, sink: null, hasher: null, expected: null, lastEmit: 0, graceTimer: null },
    };
  }
}
