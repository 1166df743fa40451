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
    assert.equal(a.take(older, o), false, 'the replay is refused');
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
  assert.equal(a.take(next, await sign(host, next)), true);
});

test('signed statements of every kind verify', async () => {
  const host = await hostKeyFrom(newHostSecret());
  const checker = new StatementChecker(ROOM, host.meetingSecret);
  const kinds: Statement[] = [
    state(),
    { kind: 'host', room: ROOM, at: 1, peer: ADA },
    { kind: 'mute', room: ROOM, at: 1, by: ADA, peer: '*' },
    { kind: 'lower-hand', room: ROOM, at: 1, by: ADA, peer: BOB },
  ];
  for (const s of kinds) assert.deepEqual(await checker.check(await sign(host, s)), s, s.kind);
});

/** Admission control alone, its ports recorded (what the mesh would do is not needed here). */
function controlFor(localId: PeerId, host: HostKey | null, keyId: string) {
  const sent: [PeerId, AdmissionSignal][] = [];
  const dialled: PeerId[] = [];
  const links = new Set<PeerId>();
  const control = new AdmissionControl({
    localId,
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
    drop: (id) => links.delete(id),
    turnedAway: () => {},
    asked: () => {},
    changed: () => {},
  });
  return { control, sent, dialled, links };
}

test('a newcomer that went in just before the lock is told, stops, and knocks; its old offer is not answered later', async () => {
  const host = await hostKeyFrom(newHostSecret());
  const ada = controlFor(ADA, host, host.meetingSecret);
  const cem = controlFor(CEM, null, host.meetingSecret);
  ada.control.enter([], 'Ada');
  cem.control.enter([ADA], 'Cem');
  await waitFor(() => cem.sent.some(([to, s]) => to === ADA && s.runde === 'hello'), 'Cem says hello first');
  assert.deepEqual(cem.dialled, [], 'and dials nobody yet');
  const hello = cem.sent.find(([to, s]) => to === ADA && s.runde === 'hello')!;
  ada.control.handleSignal(CEM, hello[1]);
  await waitFor(() => ada.sent.some(([to, s]) => to === CEM && s.runde === 'entry'), 'Ada answers');
  const entry = ada.sent.find(([to, s]) => to === CEM && s.runde === 'entry')!;
  assert.equal(cem.control.own, 'checking');
  cem.control.handleSignal(ADA, entry[1]);
  await waitFor(() => cem.control.own === 'in', 'no state: Cem goes in');
  assert.deepEqual(cem.dialled, [ADA]);
  // Ada locks before Cem's offer arrives; the offer is held.
  ada.control.setLocked(true);
  await waitFor(() => ada.control.state.locked, 'locked');
  assert.equal(ada.control.pass(CEM, { g: 1, s: { type: 'offer' } }), false, 'the offer is held');
  const told = ada.sent.find(([to, s]) => to === CEM && s.runde === 'host');
  assert.ok(told, 'Cem, who spoke to Ada, hears the lock');
  cem.control.handleSignal(ADA, told[1]);
  await waitFor(() => cem.control.own === 'waiting', 'Cem waits now');
  assert.equal(cem.links.size, 0, 'Cem closed its connection');
  await waitFor(() => cem.sent.filter(([to, s]) => to === ADA && s.runde === 'hello').length === 2, 'Cem says hello again');
  const knock = cem.sent.filter(([to, s]) => to === ADA && s.runde === 'hello').at(-1)!;
  ada.control.handleSignal(CEM, knock[1]);
  await waitFor(() => ada.control.state.knocking.get(CEM) === 'Cem', 'Cem knocks');
  ada.control.admit(CEM);
  await waitFor(() => ada.control.state.allows(CEM), 'admitted');
  assert.equal(ada.links.has(CEM), false, 'the stale offer from before the lock was not delivered');
});
