import { expect, waitUntil } from '@open-wc/testing';
import { BlockHasher, HASH_BLOCK_BYTES, toHex } from '../../client/core/block-hash.js';
import { ChannelIds } from '../../client/core/file-channel.js';
import { OPFS_ROOT } from '../../client/core/file-sink.js';
import { randomMessageId, type PeerMessage } from '../../client/core/peer-messages.js';
import { endMeetings, meeting, MiB, offerOf, randomFile, sha256, WAIT } from './file-helpers.js';

/** Names of every temp file in the origin's private file system (all sessions). */
async function tempFiles(): Promise<string[]> {
  type Dir = FileSystemDirectoryHandle & { entries(): AsyncIterable<[string, FileSystemHandle]> };
  const root = (await (await navigator.storage.getDirectory()).getDirectoryHandle(OPFS_ROOT, { create: true })) as Dir;
  const names: string[] = [];
  for await (const [, session] of root.entries()) {
    for await (const [name] of (session as Dir).entries()) names.push(name);
  }
  return names;
}

describe('file transfer between in-page meshes against the real box', () => {
  afterEach(endMeetings);

  it('delivers a 5 MB file intact, with rising progress on both sides ending at its size', async () => {
    const [a, b] = await meeting(2);
    const file = randomFile(5 * MiB, 'five.bin');
    const [sent] = a.files.send(file, b.mesh.local.id);
    const received = await offerOf(b, sent);
    expect([received.name, received.size, received.mime, received.state]).to.deep.equal(['five.bin', file.size, file.type, 'offered']);
    expect(sent.state).to.equal('waiting');
    b.files.accept(received.id);
    await waitUntil(() => sent.state === 'done' && received.state === 'done', 'both done', WAIT);
    expect(received.file!.size).to.equal(file.size);
    expect(await sha256(received.file!)).to.equal(await sha256(file));
    expect(await tempFiles(), 'streamed to a temp file, not memory').to.include(sent.id);
    for (const side of [a, b]) {
      const progress = side.log.filter((e) => e.id === sent.id && e.state === 'active').map((e) => e.bytes);
      expect(new Set(progress).size, 'several progress events').to.be.greaterThan(2);
      expect(
        progress.every((n, i) => i === 0 || n >= progress[i - 1]),
        'never going back',
      ).to.equal(true);
      expect(side.log.filter((e) => e.id === sent.id).at(-1)!.bytes).to.equal(file.size);
    }
    await b.files.dispose();
    expect(await tempFiles(), 'dispose removes it').not.to.include(sent.id);
  });

  it('delivers through the in-memory fallback when there is no private file system', async () => {
    const [a, b] = await meeting(2, { storage: 'memory' });
    const file = randomFile(3 * MiB + 123);
    const [sent] = a.files.send(file, b.mesh.local.id);
    b.files.accept((await offerOf(b, sent)).id);
    await waitUntil(() => b.files.transfers.get(sent.id)!.state === 'done', 'done', WAIT);
    expect(await sha256(b.files.transfers.get(sent.id)!.file!)).to.equal(await sha256(file));
  });

  for (const who of ['sender', 'receiver'] as const) {
    it(`frees both ends when the ${who} cancels mid-way`, async () => {
      const [a, b] = await meeting(2);
      const [sent] = a.files.send(randomFile(16 * MiB), b.mesh.local.id);
      const received = await offerOf(b, sent);
      const channels: RTCDataChannel[] = [];
      b.files.on('updated', (t) => {
        if (t.id !== sent.id || t.state !== 'active' || t.bytes === 0 || t.bytes === t.size || channels.length) return;
        channels.push(sent.channel!, received.channel!);
        (who === 'sender' ? a : b).files.cancel(sent.id);
      });
      b.files.accept(received.id);
      await waitUntil(() => sent.state === 'cancelled' && received.state === 'cancelled', 'both cancelled', WAIT);
      await waitUntil(() => channels.every((c) => c.readyState === 'closed'), 'both channels closed', WAIT);
      expect(received.bytes).to.be.lessThan(received.size);
      await waitUntil(async () => !(await tempFiles()).includes(sent.id), 'temp file removed', WAIT);
      expect([...a.log, ...b.log].some((e) => e.id === sent.id && e.state === 'done')).to.equal(false);
      // The link still works for the next file.
      const [again] = a.files.send(randomFile(100_000), b.mesh.local.id);
      b.files.accept((await offerOf(b, again)).id);
      await waitUntil(() => again.state === 'done', 'next file done', WAIT);
    });
  }

  it('tells the sender when the receiver declines, and opens no channel', async () => {
    const [a, b] = await meeting(2);
    const [sent] = a.files.send(randomFile(1000), b.mesh.local.id);
    b.files.decline((await offerOf(b, sent)).id);
    await waitUntil(() => sent.state === 'declined', 'sender sees the decline', WAIT);
    expect(b.files.transfers.get(sent.id)!.state).to.equal('declined');
    expect(sent.channel).to.equal(null);
  });

  it('sends to everyone in a meeting of three', async () => {
    const [a, b, c] = await meeting(3);
    const file = randomFile(2 * MiB + 5, 'all.bin');
    const sent = a.files.send(file, 'everyone');
    expect(sent.map((t) => t.peer).sort()).to.deep.equal([b.mesh.local.id, c.mesh.local.id].sort());
    for (const side of [b, c]) {
      await waitUntil(() => side.files.transfers.size === 1, 'offer arrives', WAIT);
      side.files.accept([...side.files.transfers.keys()][0]);
    }
    await waitUntil(() => sent.every((t) => t.state === 'done'), 'both done', WAIT);
    const hash = await sha256(file);
    for (const side of [b, c]) expect(await sha256([...side.files.transfers.values()][0].file!)).to.equal(hash);
  });

  it('fails an offer whose channel id the sender may not use, without a crash', async () => {
    const [a, b] = await meeting(2);
    const link = a.mesh.peers.get(b.mesh.local.id)!.link;
    const theirs = link.isInitiator ? 0 : 1;
    for (const channel of [1, 500 + (1 - theirs)]) {
      const id = randomMessageId();
      a.mesh.sendTo(b.mesh.local.id, { type: 'file-offer', id, name: 'x.bin', size: 10, mime: '', channel });
      await waitUntil(() => b.files.transfers.get(id)?.state === 'failed', `channel ${channel} refused`, WAIT);
      expect(b.files.transfers.get(id)!.error).to.equal('ERR_BAD_OFFER');
    }
  });

  it('fails on a wrong digest and on more bytes than offered, and removes the temp file', async () => {
    const [a, b] = await meeting(2);
    const peerOfB = a.mesh.peers.get(b.mesh.local.id)!;
    const results: PeerMessage[] = [];
    a.mesh.on('message', (_, msg) => results.push(msg));
    for (const [channel, extra] of [
      [1000, 0],
      [1002, 5],
    ]) {
      const id = randomMessageId();
      const ch = channel + (peerOfB.link.isInitiator ? 0 : 1);
      a.mesh.sendTo(b.mesh.local.id, { type: 'file-offer', id, name: 'x.bin', size: 5, mime: '', channel: ch });
      await waitUntil(() => b.files.transfers.has(id), 'offer arrives', WAIT);
      b.files.accept(id);
      await waitUntil(() => results.some((m) => m.type === 'file-accept' && m.id === id), 'accepted', WAIT);
      const data = peerOfB.link.createChannel('crafted', ch);
      await waitUntil(() => data.readyState === 'open', 'crafted channel open', WAIT);
      data.send(new Uint8Array(5 + extra));
      a.mesh.sendTo(b.mesh.local.id, { type: 'file-done', id, sha256: '0'.repeat(64) });
      const received = b.files.transfers.get(id)!;
      await waitUntil(() => received.state === 'failed', 'receiver failed', WAIT);
      expect(received.error).to.equal(extra ? 'ERR_PROTOCOL' : 'ERR_INTEGRITY');
      expect(received.file).to.equal(null);
      if (!extra) await waitUntil(() => results.some((m) => m.type === 'file-result' && m.id === id && !m.ok), 'told', WAIT);
      await waitUntil(async () => !(await tempFiles()).includes(id), 'temp file removed', WAIT);
      data.close();
    }
  });

  it('fails the transfers of a peer that leaves', async () => {
    const [a, b] = await meeting(2);
    const [sent] = a.files.send(randomFile(16 * MiB), b.mesh.local.id);
    const received = await offerOf(b, sent);
    b.files.on('updated', (t) => {
      if (t.id === sent.id && t.bytes > 0 && !a.mesh.closed) a.mesh.leave();
    });
    b.files.accept(received.id);
    await waitUntil(() => received.state === 'failed' && sent.state === 'failed', 'both failed', WAIT);
    expect([received.error, sent.error]).to.deep.equal(['ERR_PEER_GONE', 'ERR_PEER_GONE']);
  });
});

describe('the block digest of a transfer', () => {
  /** SHA-256 over the SHA-256 of each 1 MiB block, straight from crypto.subtle. */
  async function reference(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
    const digests: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += HASH_BLOCK_BYTES) {
      digests.push(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.subarray(at, at + HASH_BLOCK_BYTES))));
    }
    const joined = new Uint8Array(digests.length * 32);
    digests.forEach((d, i) => {
      joined.set(d, i * 32);
    });
    return toHex(await crypto.subtle.digest('SHA-256', joined));
  }

  for (const size of [0, 1, 16_384, HASH_BLOCK_BYTES - 1, HASH_BLOCK_BYTES, HASH_BLOCK_BYTES + 1, 3.5 * HASH_BLOCK_BYTES]) {
    it(`matches crypto.subtle for ${size} bytes, however they are chunked`, async () => {
      const bytes = new Uint8Array(await randomFile(size).arrayBuffer());
      const expected = await reference(bytes);
      for (const chunk of [7_777, 16_384, HASH_BLOCK_BYTES]) {
        const hasher = new BlockHasher();
        for (let at = 0; at < size; at += chunk) hasher.update(bytes.subarray(at, at + chunk));
        expect(await hasher.digest(), `chunks of ${chunk}`).to.equal(expected);
      }
    });
  }

  it('is the SHA-256 of nothing for an empty file', async () => {
    expect(await new BlockHasher().digest()).to.equal('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('channel ids on one link', () => {
  it('gives the initiator even ids and the other side odd ids, from 2, never one in use', () => {
    const mine = new ChannelIds(true);
    expect([mine.take(), mine.take(), mine.take()]).to.deep.equal([2, 4, 6]);
    const theirs = new ChannelIds(false);
    expect(theirs.take()).to.equal(3);
    expect(mine.takeRemote(3)).to.equal(true);
    expect(mine.takeRemote(3), 'already in use').to.equal(false);
    expect(mine.takeRemote(8), 'our parity').to.equal(false);
    expect(mine.takeRemote(1), "simple-peer's channel").to.equal(false);
    expect(theirs.takeRemote(0)).to.equal(false);
  });

  it('wraps around past 1023 and skips ids still in use', () => {
    const ids = new ChannelIds(false);
    const all = Array.from({ length: 511 }, () => ids.take());
    expect(all[0]).to.equal(3);
    expect(all.at(-1)).to.equal(1023);
    expect(ids.take(), 'all taken').to.equal(null);
    ids.release(7);
    expect(ids.take()).to.equal(7);
  });
});
