/**
 * Host keys, signed statements and the admission rules (host-key.ts, statements.ts,
 * admission.ts), in node with its WebCrypto. The protocol around them runs in mesh.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { Admission, decisions } from '../../client/core/admission.js';
import { AdmissionControl, type AdmissionSignal } from '../../client/core/admission-control.js';
import { hostKeyFrom, newHostSecret, type HostKey } from '../../client/core/host-key.js';
import { newNonce, newVisitIdentity, prove } from '../../client/core/visit-identity.js';
import { hostLinkFor, linkFor, parseMeetingLink, roomIdFor } from '../../client/core/room-link.js';
import { MAX_LISTED, StatementChecker, parseStatement, sign, type RoomState, type Statement } from '../../client/core/statements.js';
import type { PeerId } from '../../signaling/protocol.js';
import { newPeerId, waitFor } from './helpers.js';

const ROOM = await roomIdFor('room-for-admission-tests-0');
const [ADA, BOB, CEM] = [newPeerId(), newPeerId(), newPeerId()];
const state = (over: Partial<RoomState> = {}): RoomState => ({
  kind: 'state',
  room: ROOM,
  at: 1000,
  locked: true,
  admitted: [ADA],
  declined: [],
  removed: [],
  ...over,
});

test('the host key comes from the host secret alike everywhere, and the meeting secret is its id', async () => {
  const secret = newHostSecret();
  const [a, b] = [await hostKeyFrom(secret), await hostKeyFrom(secret)];
  assert.equal(a.publicKey, b.publicKey, 'the same key in every browser');
  const expected = createHash('sha256').update(Buffer.from(a.publicKey, 'base64url')).digest().subarray(0, 16).toString('base64url');
  assert.equal(a.meetingSecret, expected, 'meeting secret = first 16 bytes of SHA-256(public key), base64url (PROTOCOL.md §10a)');
  assert.equal(a.meetingSecret.length, 22, '128 bits');
  assert.notEqual((await hostKeyFrom(newHostSecret())).publicKey, a.publicKey);
  assert.equal(a.privateKey.extractable, false, 'the kept key cannot be exported');
});

test('host and participant links parse apart; a host link is never taken for a participant link', () => {
  const h = newHostSecret();
  const hostLink = hostLinkFor(h, 'https://runde.example/');
  assert.equal(hostLink, `https://runde.example/#host:${h}`);
  assert.deepEqual(parseMeetingLink(hostLink), { hostSecret: h });
  assert.deepEqual(parseMeetingLink(`host:${h}`), { hostSecret: h });
  const s = newHostSecret();
  assert.deepEqual(parseMeetingLink(linkFor(s, 'https://runde.example/')), { secret: s });
  for (const bad of ['host:', `host:${h.slice(1)}`, 'host:!!!!!!!!!!!!!!!!!!!!!!', `#host;${h}`]) assert.equal(parseMeetingLink(bad), null, bad);
});

test("a statement counts only when signed by the meeting's host key, unaltered, for this room", async () => {
  const host = await hostKeyFrom(newHostSecret());
  const other = await hostKeyFrom(newHostSecret());
  const checker = new StatementChecker(ROOM, host.meetingSecret);
  const good = await sign(host, state());
  assert.deepEqual(await checker.check(good), state());
  const forgeries: [string, unknown][] = [
    ['another host key', await sign(other, state())],
    ['the right key named, another key signed', { ...(await sign(other, state())), key: host.publicKey }],
    ['the statement altered', { ...good, st: good.st.replace('"locked":true', '"locked":false') }],
    ['another room', await sign(host, state({ room: await roomIdFor('another-room-0000000000') }))],
    ['a signature of another statement', { ...good, sig: (await sign(host, state({ at: 1001 }))).sig }],
    ['not base64url', { ...good, sig: `${good.sig.slice(1)}*` }],
    ['no key', { st: good.st, sig: good.sig }],
    ['a key that is not a curve point', { ...good, key: '_'.repeat(43) }],
    ['nothing', null],
  ];
  for (const [what, value] of forgeries) assert.equal(await checker.check(value), null, what);
  assert.equal(await new StatementChecker(ROOM, null).check(good), null, 'a meeting without hosts accepts nothing');
});

test('statement fields are checked one by one', () => {
  const ok = (s: Record<string, unknown>) => parseStatement(JSON.stringify(s), ROOM);
  const base = state() as unknown as Record<string, unknown>;
  assert.ok(ok(base));
  assert.ok(ok({ ...base, admitted: Array.from({ length: MAX_LISTED }, () => newPeerId()) }), 'at the list limit');
  const bad: [string, Record<string, unknown>][] = [
    ['a list past the limit', { ...base, removed: Array.from({ length: MAX_LISTED + 1 }, () => newPeerId()) }],
    ['an id that is no peer id', { ...base, admitted: ['x'] }],
    ['no time', { ...base, at: undefined }],
    ['time zero', { ...base, at: 0 }],
    ['a fractional time', { ...base, at: 1.5 }],
    ['locked as text', { ...base, locked: 'true' }],
    ['an unknown kind', { ...base, kind: 'owner' }],
    ['a host proof without peer', { kind: 'host', room: ROOM, at: 1 }],
    ['lower-hand for everyone', { kind: 'lower-hand', room: ROOM, at: 1, by: ADA, peer: '*' }],
    ['stop-recording for everyone', { kind: 'stop-recording', room: ROOM, at: 1, by: ADA, peer: '*' }],
    ['stop-recording without a host', { kind: 'stop-recording', room: ROOM, at: 1, peer: BOB }],
  ];
  for (const [what, s] of bad) assert.equal(ok(s), null, what);
  assert.ok(ok({ kind: 'mute', room: ROOM, at: 1, by: ADA, peer: '*' }), 'mute everyone');
  assert.equal(parseStatement('{"kind":', ROOM), null, 'not JSON');
});

test('the newest state wins whatever the order of arrival; an old one passed on again changes nothing', async () => {
  const host = await hostKeyFrom(newHostSecret());
  const older = state({ at: 1000, locked: false });
  const newer = state({ at: 2000, locked: true });
  const [o, n] = [await sign(host, older), await sign(host, newer)];
  for (const order of [
    [
      [older, o],
      [newer, n],
    ],
    [
      [newer, n],
      [older, o],
    ],
  ] as const) {
    const a = new Admission();
    for (const [s, signed] of order) a.take(s, signed);
    assert.equal(a.locked, true);
    assert.equal(a.take(older, o), 'stale', 'the replay changes nothing');
  }
});

test('standing: removed and declined before admitted; an open meeting lets everyone in', async () => {
  const host = await hostKeyFrom(newHostSecret());
  const a = new Admission();
  assert.equal(a.standingOf(BOB), 'in', 'no state yet: open');
  const s = state({ admitted: [ADA, BOB], declined: [CEM], removed: [BOB] });
  a.take(s, await sign(host, s));
  assert.equal(a.standingOf(ADA), 'in');
  assert.equal(a.standingOf(BOB), 'removed');
  assert.equal(a.standingOf(CEM), 'declined');
  assert.equal(a.standingOf(newPeerId()), 'waiting');
  const open = state({ at: 2000, locked: false, removed: [BOB] });
  a.take(open, await sign(host, open));
  assert.equal(a.standingOf(newPeerId()), 'in');
  assert.equal(a.isBanned(BOB), true, 'removed stays removed when unlocked');
});

test('decisions: lock admits who is present, remove locks and keeps the others in, a successor is always newer', () => {
  const a = new Admission();
  const locked = a.successor(ROOM, decisions.lock([ADA, BOB]), 5000);
  assert.deepEqual([locked.locked, locked.admitted, locked.at], [true, [ADA, BOB], 5000]);
  const open = state({ locked: false, admitted: [], at: 7000 });
  const removed = { ...open, ...decisions.remove(BOB, [ADA, BOB, CEM])(open) };
  assert.deepEqual([removed.locked, removed.admitted, removed.removed], [true, [ADA, CEM], [BOB]]);
  const admitted = decisions.admit(CEM)(state({ admitted: [ADA, CEM] }));
  assert.deepEqual(admitted.admitted, [ADA, CEM], 'no duplicates');
  const declined = decisions.decline(CEM)(state({ admitted: [ADA, CEM] }));
  assert.deepEqual([declined.admitted, declined.declined], [[ADA], [CEM]]);
});

test('a co-host whose clock runs behind still makes a newer state', async () => {
  const host = await hostKeyFrom(newHostSecret());
  const a = new Admission();
  const ahead = state({ at: 10_000 });
  a.take(ahead, await sign(host, ahead));
  const next = a.successor(ROOM, decisions.unlock(), 3_000);
  assert.equal(next.at, 10_001);
  assert.equal(a.take(next, await sign(host, next)), 'newer');
});

test('signed statements of every kind verify', async () => {
  const host = await hostKeyFrom(newHostSecret());
  const checker = new StatementChecker(ROOM, host.meetingSecret);
  const kinds: Statement[] = [
    state(),
    { kind: 'host', room: ROOM, at: 1, peer: ADA },
    { kind: 'mute', room: ROOM, at: 1, by: ADA, peer: '*' },
    { kind: 'lower-hand', room: ROOM, at: 1, by: ADA, peer: BOB },
    { kind: 'stop-recording', room: ROOM, at: 1, by: ADA, peer: BOB },
  ];
  for (const s of kinds) assert.deepEqual(await checker.check(await sign(host, s)), s, s.kind);
});

/** Admission control alone, its ports recorded (what the mesh would do is not needed here). */
async function controlFor(host: HostKey | null, keyId: string) {
  const identity = await newVisitIdentity();
  const sent: [PeerId, AdmissionSignal][] = [];
  const dialled: PeerId[] = [];
  const links = new Set<PeerId>();
  const control = new AdmissionControl({
    identity,
    room: ROOM,
    hostKeyId: keyId,
    host,
    present: () => links,
    linked: () => links,
    sendSignal: (id, signal) => sent.push([id, signal]),
    sent: async () => {},
    broadcast: () => {},
    deliver: (id) => links.add(id),
    dial: (id) => {
      dialled.push(id);
      links.add(id);
    },
    redial: () => {},
    drop: (id) => links.delete(id),
    turnedAway: () => {},
    asked: () => {},
    changed: () => {},
  });
  return { id: identity.id, identity, control, sent, dialled, links, read: 0 };
}
type Party = Awaited<ReturnType<typeof controlFor>>;

/** Hands each party what the other sealed for it since the last call, as the box would. */
function relay(...parties: Party[]): number {
  let moved = 0;
  for (const from of parties) {
    for (; from.read < from.sent.length; from.read++) {
      const [to, signal] = from.sent[from.read]!;
      parties.find((p) => p.id === to)?.control.handleSignal(from.id, signal);
      moved++;
    }
  }
  return moved;
}

/** Relays until `done`, as long as anything moves (each step may wait for signing). */
async function relayUntil(done: () => boolean, what: string, ...parties: Party[]): Promise<void> {
  await waitFor(() => {
    relay(...parties);
    return done();
  }, what);
}

test('a newcomer that went in just before the lock is told, stops, and knocks; its old offer is not answered later', async () => {
  const host = await hostKeyFrom(newHostSecret());
  const ada = await controlFor(host, host.meetingSecret);
  const cem = await controlFor(null, host.meetingSecret);
  ada.control.enter([], 'Ada', false);
  cem.control.enter([ada.id], 'Cem', false);
  await relayUntil(() => cem.control.own === 'in', 'no state: Cem goes in after proving', ada, cem);
  assert.deepEqual(cem.dialled, [ada.id]);
  // Ada locks before Cem's offer arrives; the offer is held.
  ada.control.setLocked(true);
  await waitFor(() => ada.control.state.locked, 'locked');
  assert.equal(ada.control.pass(cem.id, { g: 1, s: { type: 'offer' } }), false, 'the offer is held');
  await relayUntil(() => cem.control.own === 'waiting', 'Cem hears of the lock and waits', ada, cem);
  assert.equal(cem.links.size, 0, 'Cem closed its connection');
  await relayUntil(() => ada.control.state.knocking.get(cem.id) === 'Cem', 'Cem knocks', ada, cem);
  ada.control.admit(cem.id);
  await waitFor(() => ada.control.state.allows(cem.id), 'admitted');
  assert.equal(ada.links.has(cem.id), false, 'the stale offer from before the lock was not delivered');
});

test('an id is only as good as its key: a hello under another visit key, or a wrong proof, gets nobody in', async () => {
  const ada = await controlFor(null, 'no-host-key-0000000000');
  const eve = await controlFor(null, 'no-host-key-0000000000');
  const bob = await newVisitIdentity(); // Bob left; Eve took his id at the box and has his public key
  ada.control.enter([], 'Ada', false);
  const nonce = newNonce();
  ada.control.handleSignal(bob.id, { runde: 'hello', name: 'Bob', key: bob.publicKey, nonce });
  await waitFor(() => ada.sent.some(([to, s]) => to === bob.id && s.runde === 'entry'), 'Ada answers the hello');
  // Eve cannot sign Ada's nonce with Bob's key: she signs with her own.
  const entry = ada.sent.find(([to, s]) => to === bob.id && s.runde === 'entry')![1] as Extract<AdmissionSignal, { runde: 'entry' }>;
  ada.control.handleSignal(bob.id, { runde: 'proof', proof: await prove(eve.identity, ROOM, ada.id, entry.nonce) });
  ada.control.handleSignal(eve.id, { runde: 'hello', name: 'Bob', key: bob.publicKey, nonce }); // and a key that is not hers
  await waitFor(() => ada.control.forged === 2, 'both refused');
  assert.equal(ada.control.pass(bob.id, { g: 1, s: { type: 'offer' } }), false, "the impostor's offer is held, never answered");
  assert.equal(ada.control.state.knocking.size, 0, 'no knock shown for an unproven id');
});

test('a newcomer never goes in on a timeout while a peer is silent and no host has answered', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const ada = await controlFor(null, 'no-host-key-0000000000');
  const lurker = newPeerId();
  ada.control.enter([lurker], 'Ada', false);
  t.mock.timers.tick(60_000);
  assert.equal(ada.control.own, 'checking');
  assert.equal(ada.control.waitingForAnswers, true);
  ada.control.left(lurker);
  assert.equal(ada.control.own, 'in', 'the silent peer left: nobody else to ask');
});

test("a co-host's newer state made without a removal does not undo it; the next state names it again", async () => {
  const host = await hostKeyFrom(newHostSecret());
  const removal = state({ at: 1000, admitted: [ADA, BOB], removed: [CEM] });
  const unaware = state({ at: 1001, admitted: [ADA, BOB, CEM], removed: [] }); // built before the removal arrived
  for (const order of [
    [removal, unaware],
    [unaware, removal],
  ]) {
    const a = new Admission();
    const results = [];
    for (const s of order) results.push(a.take(s, await sign(host, s)));
    assert.equal(a.standingOf(CEM), 'removed', `order ${results.join(', ')}`);
    assert.equal(a.state?.at, 1001, 'the newest state is held');
    const next = a.successor(ROOM, decisions.admit(newPeerId()), 2000);
    assert.deepEqual([next.removed, next.admitted.includes(CEM)], [[CEM], false], 'a new decision names the removal');
  }
});

test('a second spelling of a signature is refused (its spare bits), so nothing runs twice', async () => {
  const host = await hostKeyFrom(newHostSecret());
  const checker = new StatementChecker(ROOM, host.meetingSecret);
  const good = await sign(host, { kind: 'mute', room: ROOM, at: 1, by: ADA, peer: '*' });
  const last = good.sig.at(-1)!;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const respelled = [...alphabet].map((c) => ({ ...good, sig: good.sig.slice(0, -1) + c })).filter((v) => v.sig !== good.sig);
  const accepted = [];
  for (const v of respelled) if (await checker.check(v)) accepted.push(v.sig.at(-1));
  assert.deepEqual(accepted, [], `the original ends in ${last}`);
  assert.ok(await checker.check(good));
});
