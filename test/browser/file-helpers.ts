/** Shared by the file-transfer tests: in-page meshes against the real box, random files. */
import { newVisitIdentity } from '../../client/core/visit-identity.js';
import { waitUntil } from '@open-wc/testing';
import { toHex } from '../../client/core/block-hash.js';
import { meetingKeys } from '../../client/core/crypto.js';
import { FileTransfers, type FileTransfersOptions, type Transfer } from '../../client/core/file-transfer.js';
import { Mesh } from '../../client/core/mesh.js';
import { newSecret } from '../../client/core/room-link.js';

export const WAIT = { timeout: 25_000, interval: 20 };
export const MiB = 1024 * 1024;

/** The real box that the test runner started (web-test-runner.config.mjs). */
const { wsUrl } = (await (await fetch('/__runde-box.json')).json()) as { wsUrl: string };

export interface Side {
  mesh: Mesh;
  files: FileTransfers;
  /** Every `updated` event, as it was at that moment. */
  log: Array<{ id: string; state: string; bytes: number }>;
}

/** Every side made and not yet ended, so a test that fails half-way still cleans up. */
const open: Side[] = [];

/** `count` participants without media in a fresh room, all connected, each with FileTransfers. */
export async function meeting(count: number, options: FileTransfersOptions = {}): Promise<Side[]> {
  const keys = await meetingKeys(newSecret());
  const sides: Side[] = [];
  for (let i = 0; i < count; i++) {
    const mesh = new Mesh({
      identity: await newVisitIdentity(),
      signalingUrl: wsUrl,
      ...keys,
      name: `P${i}`,
      stream: new MediaStream(),
      audio: false,
      video: false,
    });
    const joined = new Promise<void>((resolve) => mesh.on('joined', () => resolve()));
    mesh.join();
    await joined;
    const side: Side = { mesh, files: new FileTransfers(mesh, { progressIntervalMs: 10, ...options }), log: [] };
    side.files.on('updated', (t) => side.log.push({ id: t.id, state: t.state, bytes: t.bytes }));
    sides.push(side);
    open.push(side);
  }
  const connected = (s: Side) => [...s.mesh.peers.values()].filter((p) => p.connected).length === count - 1;
  await waitUntil(() => sides.every(connected), 'connected', WAIT);
  return sides;
}

/** Ends every meeting (for afterEach): temp files removed, connections closed. */
export async function endMeetings(): Promise<void> {
  for (const s of open.splice(0)) {
    await s.files.dispose();
    s.mesh.leave();
  }
}

/** The receiving side's transfer for `sent`, once the offer is there. */
export async function offerOf(side: Side, sent: Transfer): Promise<Transfer> {
  await waitUntil(() => side.files.transfers.has(sent.id), 'offer arrives', WAIT);
  return side.files.transfers.get(sent.id)!;
}

/** Random bytes made 64 KiB at a time (getRandomValues' limit). */
export function randomFile(bytes: number, name = 'random.bin'): File {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (let at = 0; at < bytes; at += 65_536) parts.push(crypto.getRandomValues(new Uint8Array(Math.min(65_536, bytes - at))));
  return new File(parts, name, { type: 'application/octet-stream' });
}

export const sha256 = async (blob: Blob) => toHex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
