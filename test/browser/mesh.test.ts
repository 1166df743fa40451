import { newVisitIdentity } from '../../client/core/visit-identity.js';
import { expect, waitUntil } from '@open-wc/testing';
import { Mesh } from '../../client/core/mesh.js';
import { meetingKeys } from '../../client/core/crypto.js';
import { newSecret } from '../../client/core/room-link.js';
import type { PeerId } from '../../signaling/protocol.js';
import { inbound } from './inbound.js';

const WAIT = { timeout: 25_000, interval: 100 };

/** The real box that the test runner started (web-test-runner.config.mjs). */
const { wsUrl } = (await (await fetch('/__runde-box.json')).json()) as { wsUrl: string };

type Keys = Awaited<ReturnType<typeof meetingKeys>>;

async function startMesh(keys: Keys, name: string): Promise<Mesh> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
  const mesh = new Mesh({ identity: await newVisitIdentity(), signalingUrl: wsUrl, ...keys, name, stream, audio: true, video: true });
  const joined = new Promise<void>((resolve) => mesh.on('joined', () => resolve()));
  mesh.join();
  await joined;
  return mesh;
}

describe('an in-page mesh of three against the real box', () => {
  const meshes: Mesh[] = [];
  afterEach(() => {
    for (const m of meshes.splice(0)) {
      m.leave();
      m.stream.getTracks().forEach((t) => {
        t.stop();
      });
    }
  });

  it('connects every pair: each receives the audio, video and names of the other two', async () => {
    const room = await meetingKeys(newSecret());
    for (const name of ['Ada', 'Bob', 'Cem']) meshes.push(await startMesh(room, name));
    await waitUntil(
      // The name comes in the first message on the data channel, just after "connected".
      () => meshes.every((m) => m.peers.size === 2 && [...m.peers.values()].every((p) => p.connected && p.stream && p.name)),
      'all pairs connected with streams and names',
      WAIT,
    );
    for (const m of meshes) {
      const names = [...m.peers.values()].map((p) => p.name).sort();
      expect(names).to.deep.equal(['Ada', 'Bob', 'Cem'].filter((n) => n !== m.local.name));
    }
    for (const m of meshes) {
      for (const p of m.peers.values()) {
        let last = { framesDecoded: 0, audioPackets: 0 };
        await waitUntil(
          async () => {
            last = await inbound(p.link.connection);
            return last.framesDecoded > 0 && last.audioPackets > 0;
          },
          `${m.local.name} receives ${p.name}`,
          WAIT,
        );
        expect(last.framesDecoded).to.be.greaterThan(0);
        expect(last.audioPackets).to.be.greaterThan(0);
      }
    }
  });

  it('tells the others about a mute at once, and drops a peer that leaves', async () => {
    const room = await meetingKeys(newSecret());
    for (const name of ['Ada', 'Bob', 'Cem']) meshes.push(await startMesh(room, name));
    const [a, b, c] = meshes;
    await waitUntil(() => meshes.every((m) => [...m.peers.values()].filter((p) => p.connected).length === 2), 'connected', WAIT);
    a.media.set({ audio: false });
    await waitUntil(() => b.peers.get(a.local.id)!.audio === false && c.peers.get(a.local.id)!.audio === false, 'mute seen', WAIT);
    expect(a.stream!.getAudioTracks()[0].enabled).to.equal(false);
    const gone = c.local.id;
    c.leave();
    await waitUntil(() => !a.peers.has(gone) && !b.peers.has(gone), 'leaver dropped', WAIT);
    expect(a.peers.size).to.equal(1);
  });

  it('drops and counts malformed data-channel messages without disturbing the call', async () => {
    const room = await meetingKeys(newSecret());
    for (const name of ['Ada', 'Bob']) meshes.push(await startMesh(room, name));
    const [a, b] = meshes;
    await waitUntil(() => a.peers.get(b.local.id)?.connected && b.peers.get(a.local.id)?.connected, 'connected', WAIT);
    const link = b.peers.get(a.local.id as PeerId)!.link;
    for (const junk of ['not json', '{"v":99,"type":"state"}', '{"v":1,"type":"state","name":5}', 'x'.repeat(20_000)]) link.send(junk);
    const seen = a.peers.get(b.local.id)!;
    await waitUntil(() => seen.dropped === 4, 'four drops counted', WAIT);
    b.media.set({ name: 'Bea' });
    await waitUntil(() => seen.name === 'Bea', 'a valid message still arrives', WAIT);
  });

  it('redials a pair whose connection broke, and media flows again on the new connection', async () => {
    const keys = await meetingKeys(newSecret());
    for (const name of ['Ada', 'Bob']) meshes.push(await startMesh(keys, name));
    const [a, b] = meshes;
    const bobAtAda = () => a.peers.get(b.local.id)!;
    const adaAtBob = () => b.peers.get(a.local.id)!;
    await waitUntil(() => bobAtAda()?.connected && adaAtBob()?.connected, 'connected', WAIT);
    const [oldA, oldB] = [bobAtAda().link, adaAtBob().link];
    const brokenAt = performance.now();
    oldA.connection.close(); // the underlying connection dies under Ada
    await waitUntil(() => bobAtAda().link !== oldA && adaAtBob().link !== oldB, 'both sides made a new connection', WAIT);
    await waitUntil(() => bobAtAda().connected && adaAtBob().connected, 'reconnected', WAIT);
    let frames = 0;
    await waitUntil(async () => (frames = (await inbound(adaAtBob().link.connection)).framesDecoded) > 0, 'frames on the new connection', WAIT);
    console.log(`media back ${Math.round(performance.now() - brokenAt)} ms after the connection broke`);
    expect(frames).to.be.greaterThan(0);
    expect(a.peers.size).to.equal(1);
    expect(b.peers.size).to.equal(1);
    expect(bobAtAda().generation).to.equal(2);
  });
});
