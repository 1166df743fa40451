/**
 * The mesh's state machine in node: a real box, real sealing (WebCrypto), `ws` as the browser's
 * WebSocket, and fake links (fake-link.ts) in place of WebRTC. What needs real media stays in
 * test/browser; this covers who connects to whom, in which generation, and what the lock holds.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { WebSocket } from 'ws';
import { MAX_HELD_SIGNALS } from '../../client/core/admission-control.js';
import { meetingKeys, seal } from '../../client/core/crypto.js';
import { troubleCount } from '../../client/core/diagnostics.js';
import type { RundeError } from '../../client/core/errors.js';
import { Mesh } from '../../client/core/mesh.js';
import { newSecret } from '../../client/core/room-link.js';
import type { PeerId } from '../../signaling/protocol.js';
import { emptyStream, FakeLink } from './fake-link.js';
import { boxFor, TestClient, waitFor } from './helpers.js';

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

type Keys = Awaited<ReturnType<typeof meetingKeys>>;

interface Party {
  mesh: Mesh;
  links: FakeLink[];
  failed: RundeError[];
}

async function party(t: TestContext, wsUrl: string, keys: Keys, name: string): Promise<Party> {
  const links: FakeLink[] = [];
  const failed: RundeError[] = [];
  const mesh = new Mesh({
    signalingUrl: wsUrl,
    ...keys,
    name,
    stream: emptyStream(),
    audio: true,
    video: true,
    createLink: (options) => {
      const link = new FakeLink(options);
      links.push(link);
      return link;
    },
  });
  mesh.on('failed', (err) => failed.push(err));
  t.after(() => mesh.leave());
  const joined = new Promise<void>((resolve) => mesh.on('joined', () => resolve()));
  mesh.join();
  await joined;
  return { mesh, links, failed };
}

/** Both sides see each other connected, with the name the other gave. */
const connectedPair = (a: Party, b: Party) =>
  waitFor(
    () => a.mesh.peers.get(b.mesh.local.id)?.connected === true && b.mesh.peers.get(a.mesh.local.id)?.name === a.mesh.local.name,
    'a and b connected and named',
  );

test('two people meet: each connects to the other once and learns its name', async (t) => {
  const box = await boxFor(t);
  const keys = await meetingKeys(newSecret());
  const ada = await party(t, box.wsUrl, keys, 'Ada');
  const bob = await party(t, box.wsUrl, keys, 'Bob');
  await connectedPair(bob, ada);
  await connectedPair(ada, bob);
  assert.equal(bob.links.length, 1);
  assert.equal(ada.links.length, 1);
  assert.equal(bob.links[0]!.isInitiator, true, 'the newcomer dials');
  assert.equal(ada.mesh.peers.get(bob.mesh.local.id)!.generation, 1);
  assert.equal(ada.mesh.droppedSignals + bob.mesh.droppedSignals, 0);
});

test('someone without the key never gets in: its signals do not open and it gets no connection', async (t) => {
  const box = await boxFor(t);
  const keys = await meetingKeys(newSecret());
  const other = await meetingKeys(newSecret());
  const ada = await party(t, box.wsUrl, keys, 'Ada');
  const eve = await party(t, box.wsUrl, { room: keys.room, signalKey: other.signalKey }, 'Eve');
  // Eve, the newcomer, knocks and offers: Ada cannot open either.
  await waitFor(() => ada.mesh.droppedSignals >= 2, "Eve's knock and offer dropped");
  assert.equal(ada.mesh.peers.size, 0);
  assert.equal(eve.mesh.peers.size, 0);
  assert.equal(ada.links.length, 0, 'no connection was made for the intruder');
});

test('a replayed signal is dropped, in order per sender', async (t) => {
  const box = await boxFor(t);
  const keys = await meetingKeys(newSecret());
  const ada = await party(t, box.wsUrl, keys, 'Ada');
  // A participant that speaks the protocol by hand, with the key.
  const raw = await TestClient.open(box.wsUrl);
  await raw.join(keys.room);
  const from = raw.id as PeerId;
  const to = ada.mesh.local.id;
  const first = await seal(keys.signalKey, from, to, 1, { runde: 'knock', name: 'Raw' });
  const before = troubleCount('signal-unopened');
  raw.send({ type: 'signal', to, data: first });
  raw.send({ type: 'signal', to, data: first }); // the same ciphertext again
  raw.send({ type: 'signal', to, data: await seal(keys.signalKey, from, to, 1, { runde: 'knock', name: 'Raw' }) }); // a new seal of an old number
  await waitFor(() => troubleCount('signal-unopened') - before === 2, 'two replays counted');
  assert.equal(ada.mesh.droppedSignals, 2);
  raw.close();
});

test('a broken connection is redialled by the smaller id in a new generation; the peer stays in the grid', async (t) => {
  const box = await boxFor(t);
  const keys = await meetingKeys(newSecret());
  const ada = await party(t, box.wsUrl, keys, 'Ada');
  const bob = await party(t, box.wsUrl, keys, 'Bob');
  await connectedPair(bob, ada);
  const left: PeerId[] = [];
  ada.mesh.on('peerLeft', (id) => left.push(id));
  bob.mesh.on('peerLeft', (id) => left.push(id));
  bob.links[0]!.break();
  const [dialler, answerer] = ada.mesh.local.id < bob.mesh.local.id ? [ada, bob] : [bob, ada];
  await waitFor(
    () => [ada, bob].every((p) => [...p.mesh.peers.values()].every((peer) => peer.connected && peer.generation === 2)),
    'both sides connected again in generation 2',
  );
  assert.equal(dialler.links.at(-1)!.isInitiator, true, 'the smaller id dialled');
  assert.equal(answerer.links.at(-1)!.isInitiator, false);
  assert.deepEqual(left, [], 'nobody left the grid for a redial that came back quickly');
});

/** Ada and Bob meet and lock the meeting; then Cem comes (and knocks). */
async function knockAtLock(t: TestContext): Promise<{ ada: Party; bob: Party; cem: Party }> {
  const box = await boxFor(t);
  const keys = await meetingKeys(newSecret());
  const ada = await party(t, box.wsUrl, keys, 'Ada');
  const bob = await party(t, box.wsUrl, keys, 'Bob');
  await connectedPair(bob, ada);
  ada.mesh.admission.setLocked(true);
  await waitFor(() => bob.mesh.admission.state.locked, 'the lock reached Bob');
  const cem = await party(t, box.wsUrl, keys, 'Cem');
  return { ada, bob, cem };
}

test('a locked meeting holds a knocker until it is let in, then it connects', async (t) => {
  const { ada, bob, cem } = await knockAtLock(t);
  await waitFor(() => ada.mesh.admission.state.knocking.get(cem.mesh.local.id) === 'Cem' && cem.mesh.admission.own === 'waiting', 'Cem knocks and waits');
  assert.equal(ada.mesh.peers.has(cem.mesh.local.id), false, 'no connection while locked');
  assert.equal(ada.links.length, 1);
  bob.mesh.admission.admit(cem.mesh.local.id); // anyone inside may let in
  await connectedPair(cem, ada);
  await connectedPair(cem, bob);
  assert.equal(cem.mesh.admission.own, 'in');
  assert.equal(ada.mesh.admission.state.knocking.size, 0);
});

test('a knocker turned away is told so and its meeting ends; a removed participant is dropped by everyone', async (t) => {
  const { ada, bob, cem } = await knockAtLock(t);
  await waitFor(() => ada.mesh.admission.state.knocking.has(cem.mesh.local.id), 'Cem knocks');
  ada.mesh.admission.decline(cem.mesh.local.id);
  await waitFor(() => cem.failed.length > 0, 'Cem told');
  assert.equal(cem.failed[0]!.code, 'ERR_DECLINED');
  assert.equal(cem.mesh.admission.own, 'declined');
  await waitFor(() => bob.mesh.admission.state.banned.has(cem.mesh.local.id), 'Bob knows Cem was declined');

  ada.mesh.admission.remove(bob.mesh.local.id);
  await waitFor(() => bob.failed.length > 0 && !ada.mesh.peers.has(bob.mesh.local.id), 'Bob removed');
  assert.equal(bob.failed[0]!.code, 'ERR_REMOVED');
});

test("a knocker cannot fill a participant's memory: held negotiation is bounded", async (t) => {
  const box = await boxFor(t);
  const keys = await meetingKeys(newSecret());
  const ada = await party(t, box.wsUrl, keys, 'Ada');
  ada.mesh.admission.setLocked(true);
  const raw = await TestClient.open(box.wsUrl, {}, { autoPong: true });
  await raw.join(keys.room);
  const from = raw.id as PeerId;
  const to = ada.mesh.local.id;
  const extra = 5;
  for (let seq = 1; seq <= MAX_HELD_SIGNALS + extra; seq++) {
    raw.send({ type: 'signal', to, data: await seal(keys.signalKey, from, to, seq, { g: 1, s: { candidate: seq } }) });
  }
  await waitFor(() => ada.mesh.droppedSignals === extra, `${extra} signals beyond the bound dropped`);
  assert.equal(ada.links.length, 0, 'nothing delivered while locked');
  raw.close();
});
