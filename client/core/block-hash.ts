/**
 * The integrity digest of a file transfer (the `sha256` of `file-done`).
 *
 * WebCrypto has no incremental SHA-256, and a transfer must not hold the whole file to hash it.
 * Rather than write our own SHA-256 in TypeScript (crypto code of our own is a risk, and it would
 * run on the main thread that also moves the data), both ends hash consecutive 1 MiB blocks with
 * the native `crypto.subtle.digest` and take the SHA-256 of the concatenated block digests:
 *
 *   digest = SHA-256( SHA-256(block 0) ‖ SHA-256(block 1) ‖ … )   (an empty file: SHA-256 of nothing)
 *
 * Every block but the last is exactly HASH_BLOCK_BYTES long, however the data was chunked on the
 * wire, so the sender and the receiver always agree. It is not the `sha256sum` of the file.
 */

export const HASH_BLOCK_BYTES = 1024 * 1024;

export class BlockHasher {
  #block = new Uint8Array(HASH_BLOCK_BYTES);
  #filled = 0;
  readonly #digests: Array<Promise<ArrayBuffer>> = [];
  #finished = false;

  /** Feeds the next bytes of the file, in order. */
  update(bytes: Uint8Array): void {
    if (this.#finished) throw new Error('BlockHasher: update after digest');
    let offset = 0;
    while (offset < bytes.length) {
      const n = Math.min(bytes.length - offset, HASH_BLOCK_BYTES - this.#filled);
      this.#block.set(bytes.subarray(offset, offset + n), this.#filled);
      this.#filled += n;
      offset += n;
      if (this.#filled === HASH_BLOCK_BYTES) this.#flush();
    }
  }

  /** The digest of everything fed so far, as 64 lowercase hex characters. Ends the hasher. */
  async digest(): Promise<string> {
    if (!this.#finished && this.#filled > 0) this.#flush();
    this.#finished = true;
    const digests = await Promise.all(this.#digests);
    const joined = new Uint8Array(digests.length * 32);
    digests.forEach((d, i) => {
      joined.set(new Uint8Array(d), i * 32);
    });
    return toHex(await crypto.subtle.digest('SHA-256', joined));
  }

  #flush(): void {
    // digest() copies its input before it returns (WebCrypto: "get a copy of the bytes"), so the
    // block buffer can be refilled at once; only one 1 MiB buffer ever lives here.
    this.#digests.push(crypto.subtle.digest('SHA-256', this.#block.subarray(0, this.#filled)));
    this.#filled = 0;
  }
}

export function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}
