/**
 * The data channels that carry file data: which negotiated ids each side of a link may pick, and
 * waiting for a channel's send buffer to drain (backpressure).
 */

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
