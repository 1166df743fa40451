/**
 * The page that `npm run bench:files` loads in each browser (bundled into .tmp/bench/files/):
 * a mesh without media and a FileTransfers, driven from the script through `window.bench`.
 */
import { newVisitIdentity } from '../../client/core/visit-identity.js';
import { meetingKeys } from '../../client/core/crypto.js';
import { FileTransfers, type Transfer } from '../../client/core/file-transfer.js';
import { Mesh } from '../../client/core/mesh.js';

const PIECE_BYTES = 64 * 1024; // getRandomValues' limit per call
const BLOB_BYTES = 1024 * 1024;

export interface BenchStatus {
  state: Transfer['state'] | 'none';
  bytes: number;
  size: number;
  error: string | null;
  /** Receiver: ms from accept() to verified done. */
  ms: number | null;
}

let mesh: Mesh | null = null;
let files: FileTransfers | null = null;
let file: File | null = null;
let current: Transfer | null = null;
let acceptedAt = 0;
let doneMs: number | null = null;

const bench = {
  /** Joins the room of `secret` and resolves once the box let us in. */
  async join(secret: string, name: string): Promise<void> {
    const keys = await meetingKeys(secret);
    mesh = new Mesh({
      identity: await newVisitIdentity(),
      signalingUrl: `ws://${location.host}/ws`,
      ...keys,
      name,
      stream: new MediaStream(),
      audio: false,
      video: false,
    });
    files = new FileTransfers(mesh);
    files.on('offered', (t) => (current = t));
    files.on('updated', (t) => {
      if (t === current && t.state === 'done' && t.direction === 'receive') doneMs = performance.now() - acceptedAt;
    });
    const joined = new Promise<void>((resolve) => mesh!.on('joined', () => resolve()));
    mesh.join();
    await joined;
  },

  connected(): boolean {
    return !!mesh && [...mesh.peers.values()].some((p) => p.connected);
  },

  /**
   * A file of random bytes, built as Blobs of 1 MiB so that the page never holds more than one
   * MiB of it at a time: the browser keeps Blob data outside the page's heap (and may page it to disk).
   */
  makeFile(megabytes: number): number {
    const blobs: Blob[] = [];
    for (let i = 0; i < megabytes; i++) {
      const pieces: Uint8Array<ArrayBuffer>[] = [];
      for (let at = 0; at < BLOB_BYTES; at += PIECE_BYTES) pieces.push(crypto.getRandomValues(new Uint8Array(PIECE_BYTES)));
      blobs.push(new Blob(pieces));
    }
    file = new File(blobs, 'bench.bin', { type: 'application/octet-stream' });
    return file.size;
  },

  send(): void {
    [current] = files!.send(file!, 'everyone');
    file = null; // only the transfer holds it now
  },

  hasOffer(): boolean {
    return current?.state === 'offered';
  },

  accept(): void {
    acceptedAt = performance.now();
    files!.accept(current!.id);
  },

  status(): BenchStatus {
    const t = current;
    return t ? { state: t.state, bytes: t.bytes, size: t.size, error: t.error, ms: doneMs } : { state: 'none', bytes: 0, size: 0, error: null, ms: null };
  },

  async leave(): Promise<void> {
    await files?.dispose();
    mesh?.leave();
  },
};

declare global {
  interface Window {
    bench: typeof bench;
  }
}

window.bench = bench;
