/**
 * A token bucket per socket: `burst` messages at once, refilled at `perSecond`.
 * Pure; the clock is passed in so tests need no waiting.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.#tokens = burst;
    this.#last = now;
  }

  /** Takes one token; false when the bucket is empty and the message must be dropped. */
  take(now: number): boolean {
    const elapsed = now - this.#last;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.burst, this.#tokens + (elapsed * this.perSecond) / 1000);
      this.#last = now;
    }
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
