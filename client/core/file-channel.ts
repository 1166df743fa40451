/**
 * The data channels that carry file data: which negotiated ids each side of a link may pick, and
 * sending a file on one with backpressure and flat memory.
 */
import { BlockHasher } from './block-hash.js';

/** 16 KiB messages arrive whole in every current browser. */
export const CHUNK_BYTES = 16 * 1024;
/** The sender reads the file in blocks this large (and reads the next one while sending). */
export const READ_BLOCK_BYTES = 1024 * 1024;
/** The sender pauses above this many buffered bytes (Chromium closes a channel at 16 MiB)… */
export const HIGH_WATER_BYTES = 1024 * 1024;
/** …and resumes at `bufferedamountlow` below this. */
export const LOW_WATER_BYTES = 256 * 1024;

/** Ids 0 and 1 belong to simple-peer's own channel. */
export const FIRST_FILE_CHANNEL = 2;
/** Chromium and Firefox negotiate 1024 SCTP streams; negotiated ids above that fail. */
export const LAST_FILE_CHANNEL = 1023;

/**
 * The channel ids in use on one link. Two senders could pick the same id at the same moment, so
 * the link's initiator picks even ids and the other side odd ones. An id is taken until its
 * channel has closed on our side (the SCTP stream reset is done), so a stream is never reused
 * while data of an old transfer may still be on it. Ids are handed out round-robin for the same
 * reason: a just-closed stream is the last one picked again.
 */
export class ChannelIds {
  readonly #inUse = new Set<number>();
  readonly #first: number;
  #next: number;

  constructor(readonly initiator: boolean) {
    this.#first = initiator ? FIRST_FILE_CHANNEL : FIRST_FILE_CHANNEL + 1;
    this.#next = this.#first;
  }

  /** A free id of our parity for a transfer we send, or null when all of them are taken. */
  take(): number | null {
    for (let tries = 0; tries < (LAST_FILE_CHANNEL + 1) / 2; tries++) {
      const id = this.#next;
      this.#next = id + 2 > LAST_FILE_CHANNEL ? this.#first : id + 2;
      if (!this.#inUse.has(id)) {
        this.#inUse.add(id);
        return id;
      }
    }
    return null;
  }

  /** Takes an id that the other side picked; false when it may not use it (wrong parity, taken). */
  takeRemote(id: number): boolean {
    const theirs = id % 2 === (this.initiator ? 1 : 0);
    if (!theirs || id < FIRST_FILE_CHANNEL || id > LAST_FILE_CHANNEL || this.#inUse.has(id)) return false;
    this.#inUse.add(id);
    return true;
  }

  release(id: number): void {
    this.#inUse.delete(id);
  }

  get size(): number {
    return this.#inUse.size;
  }
}

/**
 * Resolves once `channel` has at most `threshold` bytes buffered, or has closed (the caller checks
 * which). Uses `bufferedamountlow`, not polling, so a paused sender costs nothing.
 */
export function drained(channel: RTCDataChannel, threshold: number): Promise<void> {
  if (channel.bufferedAmount <= threshold || channel.readyState !== 'open') return Promise.resolve();
  channel.bufferedAmountLowThreshold = threshold;
  return new Promise((resolve) => {
    const done = () => {
      channel.removeEventListener('bufferedamountlow', done);
      channel.removeEventListener('close', done);
      resolve();
    };
    channel.addEventListener('bufferedamountlow', done);
    channel.addEventListener('close', done);
  });
}

/** Resolves true once `channel` is open, false if it closes first. */
export function opened(channel: RTCDataChannel): Promise<boolean> {
  if (channel.readyState === 'open') return Promise.resolve(true);
  if (channel.readyState !== 'connecting') return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      channel.removeEventListener('open', onOpen);
      channel.removeEventListener('close', onClose);
      resolve(ok);
    };
    const onOpen = done(true);
    const onClose = done(false);
    channel.addEventListener('open', onOpen);
    channel.addEventListener('close', onClose);
  });
}

export interface SendHooks {
  /** False once the transfer was cancelled or failed: stop quietly. */
  live(): boolean;
  /** Bytes that have left the channel's buffer. */
  progress(bytes: number): void;
  fail(code: 'ERR_READ' | 'ERR_CHANNEL'): void;
}

/**
 * Reads `file` in 1 MiB blocks (the next one while the current one goes out), hashes each block
 * and sends it in CHUNK_BYTES messages, pausing while more than HIGH_WATER_BYTES are buffered.
 * Resolves with the digest (block-hash.ts) once the last byte has left the buffer, or with null
 * when stopped or failed (after `fail`).
 */
export async function sendFile(file: File, channel: RTCDataChannel, hooks: SendHooks): Promise<string | null> {
  const hasher = new BlockHasher();
  let queued = 0;
  let next = readBlock(file, 0);
  try {
    for (let offset = 0; offset < file.size; offset += READ_BLOCK_BYTES) {
      const block = await next;
      next = readBlock(file, offset + READ_BLOCK_BYTES);
      if (!hooks.live()) return null;
      if (!block || block instanceof Error) return fail(hooks, 'ERR_READ');
      hasher.update(block);
      for (let i = 0; i < block.length; i += CHUNK_BYTES) {
        if (channel.bufferedAmount > HIGH_WATER_BYTES) await drained(channel, LOW_WATER_BYTES);
        if (!hooks.live()) return null;
        channel.send(block.subarray(i, i + CHUNK_BYTES));
        queued += Math.min(CHUNK_BYTES, block.length - i);
        hooks.progress(queued - channel.bufferedAmount);
      }
    }
    await drained(channel, 0); // the last byte has left, so 100 % is true
    const sha256 = await hasher.digest();
    if (!hooks.live()) return null;
    return channel.readyState === 'open' ? sha256 : fail(hooks, 'ERR_CHANNEL');
  } catch {
    return hooks.live() ? fail(hooks, 'ERR_CHANNEL') : null; // send() on a closing channel
  }
}

function fail(hooks: SendHooks, code: 'ERR_READ' | 'ERR_CHANNEL'): null {
  hooks.fail(code);
  return null;
}

/** The block at `offset` (null past the end); a read error comes back as a value, never a rejection. */
function readBlock(file: File, offset: number): Promise<Uint8Array<ArrayBuffer> | Error | null> {
  if (offset >= file.size) return Promise.resolve(null);
  return file
    .slice(offset, offset + READ_BLOCK_BYTES)
    .arrayBuffer()
    .then(
      (buffer) => new Uint8Array(buffer),
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    );
}
