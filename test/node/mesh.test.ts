/**
 * The mesh's state machine in node: a real box, real sealing (WebCrypto), `ws` as the browser's
 * WebSocket, and fake links (fake-link.ts) in place of WebRTC. What needs real media stays in
 * test/browser; this covers who connects to whom, in which generation, and what the lock holds.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { MAX_HELD_SIGNALS } from '../../client/core/admission-control.js';
import { meetingKeys, seal } from '../../client/core/crypto.js';
import { troubleCount } from '../../client/core/diagnostics.js';
import { hostKeyFrom, newHostSecret } from '../../client/core/host-key.js';
import { newSecret } from '../../client/core/room-link.js';
import { sign } from '../../client/core/statements.js';
import type { PeerId } from '../../signaling/protocol.js';
import { boxFor, TestClient, waitFor } from './helpers.js';
import { FakeLink } from './fake-link.js';
import { connectedPair, hostedMeeting, party, type Party } from './mesh-party.js';

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
  // Eve, the newcomer, says hello: Ada cannot open it, so Eve hears nothing, dials nobody, and keeps asking.
  await waitFor(() => ada.mesh.droppedSignals >= 1 && eve.mesh.admission.waitingForAnswers, "Eve's hello dropped, Eve still asking");
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
  const first = await seal(keys.signalKey, from, to, 1, { runde: 'hello', name: 'Raw', key: 'K'.repeat(43), nonce: 'N'.repeat(22) });
  const before = troubleCount('signal-unopened');
  raw.send({ type: 'signal', to, data: first });
  raw.send({ type: 'signal', to, data: first }); // the same ciphertext again
  raw.send({ type: 'signal', to, data: await seal(keys.signalKey, from, to, 1, { runde: 'hello', name: 'Raw', key: 'K'.repeat(43), nonce: 'N'.repeat(22) }) }); // a new seal of an old number
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

/** Ada (host) and Bob meet and Ada locks the meeting; then Cem comes (and knocks). */
async function knockAtLock(t: TestContext) {
  const box = await boxFor(t);
  const { host, keys } = await hostedMeeting();
  const ada = await party(t, box.wsUrl, keys, 'Ada', host);
  const bob = await party(t, box.wsUrl, keys, 'Bob');
  await connectedPair(bob, ada);
  ada.mesh.admission.setLocked(true);
  await waitFor(() => bob.mesh.admission.state.locked, 'the lock reached Bob');
  const cem = await party(t, box.wsUrl, keys, 'Cem');
  return { box, host, keys, ada, bob, cem };
}

test('a locked meeting holds a knocker until a host lets it in, then it connects to everyone', async (t) => {
  const { ada, bob, cem } = await knockAtLock(t);
  await waitFor(() => ada.mesh.admission.state.knocking.get(cem.mesh.local.id) === 'Cem' && cem.mesh.admission.own === 'waiting', 'Cem knocks and waits');
  assert.equal(cem.links.length, 0, 'a knocker dials nobody');
  assert.equal(ada.mesh.peers.has(cem.mesh.local.id), false, 'no connection while locked');
  assert.equal(cem.mesh.admission.hostPresent, true, 'Cem knows a host is there');
  bob.mesh.admission.admit(cem.mesh.local.id); // Bob is no host: nothing happens
  ada.mesh.admission.admit(cem.mesh.local.id);
  await connectedPair(cem, ada);
  await connectedPair(cem, bob);
  assert.equal(cem.mesh.admission.own, 'in');
  assert.equal(ada.mesh.admission.state.knocking.size, 0);
  assert.equal(bob.mesh.admission.state.knocking.size, 0);
});

test('declined: told and ended; removed: dropped by everyone, and the meeting locks so a new visit must knock', async (t) => {
  const { box, keys, ada, bob, cem } = await knockAtLock(t);
  await waitFor(() => ada.mesh.admission.state.knocking.has(cem.mesh.local.id), 'Cem knocks');
  ada.mesh.admission.decline(cem.mesh.local.id);
  await waitFor(() => cem.failed.length > 0, 'Cem told');
  assert.equal(cem.failed[0]!.code, 'ERR_DECLINED');
  assert.equal(cem.mesh.admission.own, 'declined');
  await waitFor(() => bob.mesh.admission.state.isBanned(cem.mesh.local.id), 'Bob knows Cem was declined');

  ada.mesh.admission.setLocked(false);
  await waitFor(() => !bob.mesh.admission.state.locked, 'unlocked');
  ada.mesh.admission.remove(bob.mesh.local.id);
  await waitFor(() => bob.failed.length > 0 && !ada.mesh.peers.has(bob.mesh.local.id), 'Bob removed');
  assert.equal(bob.failed[0]!.code, 'ERR_REMOVED');
  assert.equal(ada.mesh.admission.state.locked, true, 'removing locked the meeting');
  // Bob opens the participant link again: a new visit, a new id, and a knock.
  const bob2 = await party(t, box.wsUrl, keys, 'Bob');
  await waitFor(() => bob2.mesh.admission.own === 'waiting' && ada.mesh.admission.state.knocking.has(bob2.mesh.local.id), 'Bob knocks again');
  assert.equal(bob2.links.length, 0);
});

test('a lurker that joins silently is never dialled, and its offers are held while the meeting is locked', async (t) => {
  const box = await boxFor(t);
  const { host, keys } = await hostedMeeting();
  const ada = await party(t, box.wsUrl, keys, 'Ada', host);
  ada.mesh.admission.setLocked(true);
  await waitFor(() => ada.mesh.admission.state.locked, 'locked');
  // The lurker has the participant link (the key) and joins the box's room, silently.
  const lurker = await TestClient.open(box.wsUrl, {}, { autoPong: true });
  await lurker.join(keys.room);
  const lurkerId = lurker.id as PeerId;
  const ben = await party(t, box.wsUrl, keys, 'Ben');
  await waitFor(() => ben.mesh.admission.own === 'waiting', 'Ben waits at the lock');
  assert.equal(ben.links.length, 0, 'Ben dialled nobody, the lurker included');
  // The lurker offers to both; neither answers.
  for (const [seq, to] of [ada.mesh.local.id, ben.mesh.local.id].entries()) {
    lurker.send({ type: 'signal', to, data: await seal(keys.signalKey, lurkerId, to, seq + 1, { g: 1, s: { type: 'offer', sdp: 'x' } }) });
  }
  ada.mesh.admission.admit(ben.mesh.local.id);
  await connectedPair(ben, ada);
  assert.equal(ada.links.length, 1, 'Ada connected to Ben only');
  assert.equal(ben.links.length, 1, 'Ben connected to Ada only');
  assert.ok(ben.links.every((l) => l.received.length > 0) && !ben.mesh.peers.has(lurkerId));
  lurker.close();
});

test('forged statements are counted and ignored: a non-host cannot ban the host or unlock', async (t) => {
  const { ada, bob, cem, keys } = await knockAtLock(t);
  await waitFor(() => bob.mesh.admission.state.knocking.has(cem.mesh.local.id), 'Cem knocks');
  // Bob runs a modified client: he signs with a key of his own, and passes on a real statement altered.
  const fake = await hostKeyFrom(newHostSecret());
  const room = keys.room;
  const forged = await sign(fake, { kind: 'state', room, at: Date.now() + 60_000, locked: false, admitted: [], declined: [], removed: [ada.mesh.local.id] });
  const real = ada.mesh.admission.state.signed!;
  const altered = { ...real, st: real.st.replace('"locked":true', '"locked":false') };
  const before = ada.mesh.admission.forged + cem.mesh.admission.forged;
  for (const st of [forged, altered]) {
    bob.mesh.sendTo(ada.mesh.local.id, { type: 'host', st });
    bob.mesh.channel.send(cem.mesh.local.id, { runde: 'host', st });
  }
  await waitFor(() => ada.mesh.admission.forged + cem.mesh.admission.forged - before === 4, 'four forgeries counted');
  assert.equal(ada.mesh.admission.state.locked, true);
  assert.equal(ada.mesh.admission.state.isBanned(ada.mesh.local.id), false);
  assert.equal(cem.mesh.admission.own, 'waiting', 'Cem still waits');
  assert.equal(ada.failed.length, 0);
});

test('a co-host from the host link can admit, and a host who comes back lets herself in', async (t) => {
  const { box, host, keys, ada, cem } = await knockAtLock(t);
  const ada2 = await party(t, box.wsUrl, keys, 'Ada on the phone', host);
  await waitFor(() => ada2.mesh.admission.own === 'in' && ada2.mesh.peers.get(ada.mesh.local.id)?.connected === true, 'the co-host is in without knocking');
  await waitFor(() => ada2.mesh.admission.state.knocking.has(cem.mesh.local.id), 'the co-host sees the knock');
  ada2.mesh.admission.admit(cem.mesh.local.id);
  await connectedPair(cem, ada);
  await waitFor(() => cem.mesh.admission.hostPresent && ada.mesh.admission.state.hosts.has(ada2.mesh.local.id), 'hosts known');
});

test('two newcomers let in at once dial each other once', async (t) => {
  const { box, keys, ada, cem } = await knockAtLock(t);
  const dan = await party(t, box.wsUrl, keys, 'Dan');
  await waitFor(() => ada.mesh.admission.state.knocking.size === 2, 'two knock');
  ada.mesh.admission.setLocked(false);
  await connectedPair(cem, dan);
  await connectedPair(dan, cem);
  await waitFor(() => [cem, dan].every((p) => p.mesh.peers.size === 3 && [...p.mesh.peers.values()].every((x) => x.connected)), 'all connected');
});

test('a newcomer who makes the meeting four: the others renegotiate their audio packet time only once its link is up', async (t) => {
  // Which party each link belongs to, and whether all of that party's links were open when the
  // mesh asked one to renegotiate (FakeLink.updatePacketTime does nothing itself).
  const calls: Array<{ who: string; allOpen: boolean }> = [];
  const original = FakeLink.prototype.updatePacketTime;
  t.after(() => (FakeLink.prototype.updatePacketTime = original));
  const box = await boxFor(t);
  const keys = await meetingKeys(newSecret());
  const people: Party[] = [];
  for (const name of ['Ada', 'Bob', 'Cem']) {
    people.push(await party(t, box.wsUrl, keys, name));
    await waitFor(
      () => people.every((p) => p.mesh.peers.size === people.length - 1 && [...p.mesh.peers.values()].every((x) => x.connected)),
      `${name} connected`,
    );
  }
  FakeLink.prototype.updatePacketTime = function (this: FakeLink) {
    const owner = people.find((p) => p.links.includes(this));
    if (owner) calls.push({ who: owner.mesh.local.name, allOpen: owner.links.every((l) => l.open || l.destroyed) });
  };
  people.push(await party(t, box.wsUrl, keys, 'Dan'));
  await waitFor(() => people.every((p) => p.mesh.peers.size === 3 && [...p.mesh.peers.values()].every((x) => x.connected)), 'four connected');
  await waitFor(() => ['Ada', 'Bob', 'Cem'].every((who) => calls.some((c) => c.who === who)), 'Ada, Bob and Cem renegotiate');
  assert.deepEqual(
    calls.filter((c) => c.who !== 'Dan' && !c.allOpen),
    [],
    'no renegotiation while the link to Dan was still connecting',
  );
});

test("a knocker cannot fill a participant's memory: held negotiation is bounded", async (t) => {
  const box = await boxFor(t);
  const { host, keys } = await hostedMeeting();
  const ada = await party(t, box.wsUrl, keys, 'Ada', host);
  ada.mesh.admission.setLocked(true);
  await waitFor(() => ada.mesh.admission.state.locked, 'locked');
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
