/**
 * Where a received file goes while it arrives, so that memory stays flat however large it is:
 * a temporary file in the Origin Private File System (OPFS) written in 1 MiB batches, or, where
 * OPFS cannot be written (older Safari, private windows), Blob parts that the browser may keep
 * outside the page's heap.
 *
 * OPFS layout: `runde-files/<session>/<transfer id>`. Each FileStore holds a Web Lock named after
 * its session folder for its lifetime; a new store removes the folders whose lock nobody holds
 * (left behind by a crashed or closed tab), so temp files never pile up.
 */
import { noteFailure } from './diagnostics.js';
import { randomMessageId } from './peer-messages.js';

/** Bytes collected before one write to the temp file (each write is a round trip to the browser). */
export const WRITE_BATCH_BYTES = 1024 * 1024;
/** Bytes of chunks combined into one Blob in the fallback, so the chunks' buffers can be collected. */
export const BLOB_PART_BYTES = 4 * 1024 * 1024;
export const OPFS_ROOT = 'runde-files';

export interface FileSink {
  /** 'opfs' writes to a temp file; 'memory' keeps Blob parts. */
  readonly kind: 'opfs' | 'memory';
  /** Appends bytes in order; `bytes` must not change afterwards. Storage errors go to onError. */
  write(bytes: Uint8Array): void;
  /** Everything written, as a File. Rejects if storing failed. */
  finish(name: string, type: string): Promise<File>;
  /** Drops what was written, temp file included; a finished File becomes unreadable. Idempotent. */
  discard(): Promise<void>;
}

type OnError = (err: unknown) => void;

class MemorySink implements FileSink {
  readonly kind = 'memory';
  #parts: Uint8Array[] = [];
  #partBytes = 0;
  #blobs: Blob[] = [];

  write(bytes: Uint8Array): void {
    this.#parts.push(bytes);
    this.#partBytes += bytes.length;
    if (this.#partBytes >= BLOB_PART_BYTES) this.#combine();
  }

  async finish(name: string, type: string): Promise<File> {
    this.#combine();
    return new File(this.#blobs, name, { type });
  }

  async discard(): Promise<void> {
    this.#parts = [];
    this.#blobs = [];
  }

  #combine(): void {
    if (this.#parts.length === 0) return;
    this.#blobs.push(new Blob(this.#parts as BlobPart[]));
    this.#parts = [];
    this.#partBytes = 0;
  }
}

class OpfsSink implements FileSink {
  readonly kind = 'opfs';
  #batch = new Uint8Array(WRITE_BATCH_BYTES);
  #filled = 0;
  /** The writes in flight, in order; each waits for the one before. */
  #queue: Promise<void> = Promise.resolve();
  #failed = false;
  #closed = false;

  constructor(
    private readonly dir: FileSystemDirectoryHandle,
    private readonly name: string,
    private readonly handle: FileSystemFileHandle,
    private readonly writable: FileSystemWritableFileStream,
    private readonly onError: OnError,
  ) {}

  write(bytes: Uint8Array): void {
    if (this.#closed) return;
    let offset = 0;
    while (offset < bytes.length) {
      const n = Math.min(bytes.length - offset, WRITE_BATCH_BYTES - this.#filled);
      this.#batch.set(bytes.subarray(offset, offset + n), this.#filled);
      this.#filled += n;
      offset += n;
      if (this.#filled === WRITE_BATCH_BYTES) this.#flush();
    }
  }

  async finish(name: string, type: string): Promise<File> {
    this.#flush();
    await this.#queue;
    if (this.#failed) throw new Error('writing the temp file failed');
    this.#closed = true;
    await this.writable.close();
    // A File that reads from disk: wrapping it renames it without copying the data.
    return new File([await this.handle.getFile()], name, { type });
  }

  async discard(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await this.writable.abort().catch(noteFailure('file-cleanup-failed', { step: 'abort' }));
    }
    await this.dir.removeEntry(this.name).catch(noteFailure('file-cleanup-failed', { step: 'remove' }));
  }

  #flush(): void {
    if (this.#filled === 0 || this.#closed) return;
    const data = this.#batch.subarray(0, this.#filled);
    this.#batch = new Uint8Array(WRITE_BATCH_BYTES);
    this.#filled = 0;
    this.#queue = this.#queue
      .then(() => (this.#failed || this.#closed ? undefined : this.writable.write(data as BufferSource)))
      .catch((err: unknown) => {
        if (this.#failed) return;
        this.#failed = true;
        this.onError(err);
      });
  }
}

/** The folder of one FileTransfers' temp files, or memory only. */
export class FileStore {
  private constructor(
    private readonly root: FileSystemDirectoryHandle | null,
    private readonly session: string,
    private readonly dir: FileSystemDirectoryHandle | null,
    private readonly release: () => void,
  ) {}

  /** Never rejects: without a usable OPFS the store keeps files in memory. */
  static async open(memoryOnly = false): Promise<FileStore> {
    const memory = new FileStore(null, '', null, () => {});
    if (memoryOnly || !navigator.storage?.getDirectory) return memory;
    try {
      const root = await (await navigator.storage.getDirectory()).getDirectoryHandle(OPFS_ROOT, { create: true });
      await sweep(root);
      const session = randomMessageId();
      const release = await holdLock(`${OPFS_ROOT}/${session}`);
      return new FileStore(root, session, await root.getDirectoryHandle(session, { create: true }), release);
    } catch {
      return memory;
    }
  }

  /** A sink for transfer `id`: a temp file when possible, else memory. */
  async sink(id: string, onError: OnError): Promise<FileSink> {
    if (!this.dir) return new MemorySink();
    try {
      const handle = await this.dir.getFileHandle(id, { create: true });
      return new OpfsSink(this.dir, id, handle, await handle.createWritable(), onError);
    } catch {
      return new MemorySink(); // e.g. Safari before createWritable
    }
  }

  /** Removes the session folder (call after discarding every sink) and lets go of its lock. */
  async dispose(): Promise<void> {
    await this.root?.removeEntry(this.session, { recursive: true }).catch(noteFailure('file-cleanup-failed', { step: 'session' }));
    this.release();
  }
}

/** Holds a Web Lock until the returned function is called (no-op where Web Locks are missing). */
function holdLock(name: string): Promise<() => void> {
  if (!navigator.locks) return Promise.resolve(() => {});
  return new Promise((granted) => {
    void navigator.locks.request(name, () => new Promise<void>((release) => granted(release)));
  });
}

/** Removes session folders whose owner is gone (its lock is free). */
async function sweep(root: FileSystemDirectoryHandle): Promise<void> {
  if (!navigator.locks) return;
  // List first, then ask for the locks: a store takes its lock before it makes its folder, so a
  // folder seen here belongs to a lock that the query below sees held (if its owner is alive).
  // The async iterator is in lib "DOM.AsyncIterable", which the project's tsconfig does not load.
  const names: string[] = [];
  for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
  const held = new Set(((await navigator.locks.query()).held ?? []).map((lock) => lock.name));
  for (const name of names) {
    if (!held.has(`${OPFS_ROOT}/${name}`)) await root.removeEntry(name, { recursive: true }).catch(noteFailure('file-cleanup-failed', { step: 'stale' }));
  }
}
