/**
 * Who may be in a meeting (the Admission class in client/core/admission.ts), and the admission
 * signals sealed through the box (asAdmissionSignal), as table tests.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Admission, asAdmissionSignal } from '../../client/core/admission.js';
import { newPeerId } from './helpers.js';

const [ADA, BOB, CEM, DEV, EVE] = Array.from({ length: 5 }, () => newPeerId());

test('an open meeting allows anyone who has not been turned away', () => {
  const a = new Admission();
  assert.equal(a.locked, false);
  for (const id of [ADA, BOB, newPeerId()]) assert.equal(a.allows(id), true);
  a.ban(EVE);
  assert.equal(a.allows(EVE), false);
  assert.equal(a.allows(BOB), true);
});

test('locking admits everyone present and nobody else', () => {
  const a = new Admission();
  a.lock([ADA, BOB]);
  assert.equal(a.locked, true);
  assert.deepEqual([...a.admitted].sort(), [ADA, BOB].sort());
  assert.equal(a.allows(ADA), true);
  assert.equal(a.allows(BOB), true);
  assert.equal(a.allows(CEM), false, 'a newcomer must knock');
  a.lock([CEM]);
  assert.equal(a.allows(ADA), true, 'locking again keeps those admitted before');
  assert.equal(a.allows(CEM), true);
});

test('admitting a knocker lets it in and ends its knock', () => {
  const a = new Admission();
  a.lock([ADA]);
  a.knocking.set(CEM, 'Cem');
  a.knocking.set(DEV, 'Dev');
  a.admit(CEM);
  assert.equal(a.allows(CEM), true);
  assert.deepEqual([...a.knocking.keys()], [DEV], 'the other knock stays');
  assert.equal(a.allows(DEV), false);
});

test('unlocking returns the knockers in the order they knocked, and lets everyone in', () => {
  const a = new Admission();
  a.lock([ADA]);
  a.knocking.set(DEV, 'Dev');
  a.knocking.set(CEM, 'Cem');
  assert.deepEqual(a.unlock(), [DEV, CEM]);
  assert.equal(a.locked, false);
  assert.equal(a.knocking.size, 0);
  for (const id of [DEV, CEM, newPeerId()]) assert.equal(a.allows(id), true);
  assert.deepEqual(a.unlock(), [], 'nobody is returned twice');
});

test('a turned-away peer stays out: not admitted, not knocking, not let in by unlocking, admitting or locking', () => {
  const a = new Admission();
  a.lock([ADA, BOB]);
  a.knocking.set(EVE, 'Eve');
  a.ban(EVE);
  a.ban(BOB);
  assert.equal(a.knocking.has(EVE), false);
  assert.equal(a.admitted.has(BOB), false, 'a removed participant is no longer admitted');
  assert.deepEqual(a.unlock(), [], 'a declined knocker is not among those let in');
  assert.equal(a.allows(EVE), false, 'not by unlocking');
  a.admit(EVE);
  assert.equal(a.allows(EVE), false, 'not by a late admit');
  a.lock([BOB, EVE]);
  assert.equal(a.allows(BOB), false, 'not by being present at a lock');
  assert.equal(a.allows(ADA), true);
});

test("merging another participant's state takes its lock, adds its admitted and its bans", () => {
  const a = new Admission();
  a.lock([ADA]);
  a.knocking.set(CEM, 'Cem');
  a.merge({ locked: true, admitted: [ADA, BOB, CEM], banned: [EVE] });
  assert.equal(a.locked, true);
  assert.deepEqual([...a.admitted].sort(), [ADA, BOB, CEM].sort());
  assert.deepEqual([...a.banned], [EVE]);
  assert.equal(a.allows(BOB), true);
  assert.equal(a.allows(EVE), false);

  const open = new Admission();
  open.merge({ locked: true, admitted: [ADA], banned: [] });
  assert.equal(open.locked, true, 'a newcomer learns of the lock');
  assert.equal(open.allows(BOB), false);
  open.merge({ locked: false, admitted: [], banned: [] });
  assert.equal(open.locked, false, 'and of an unlock');
  assert.equal(open.allows(BOB), true);
});

test('a ban in merged state wins over the same peer in its admitted list, and over what we admitted', () => {
  const a = new Admission();
  a.lock([ADA, BOB]);
  a.knocking.set(EVE, 'Eve');
  a.merge({ locked: true, admitted: [ADA, EVE], banned: [EVE, BOB] });
  for (const id of [EVE, BOB]) {
    assert.equal(a.allows(id), false, id);
    assert.equal(a.admitted.has(id), false, id);
  }
  assert.equal(a.knocking.has(EVE), false);
  a.merge({ locked: false, admitted: [], banned: [] });
  assert.equal(a.allows(EVE), false, 'a later state without the ban does not lift it');
});

test('an unlocked meeting has no knockers left, whether it was unlocked here or by merged state', () => {
  const here = new Admission();
  here.lock([ADA]);
  here.knocking.set(CEM, 'Cem');
  here.unlock();
  assert.equal(here.knocking.size, 0, 'unlocked here');

  const merged = new Admission();
  merged.lock([ADA]);
  merged.knocking.set(CEM, 'Cem');
  assert.deepEqual(merged.merge({ locked: false, admitted: [], banned: [] }), [CEM], 'the knockers to let in');
  assert.equal(merged.allows(CEM), true);
  assert.equal(merged.knocking.size, 0, 'unlocked by merged state: Cem may connect, yet still shows as knocking');
});

test('two participants who exchange their states on reconnecting agree on the lock afterwards', {
  todo: "known bug: merge takes the other side's lock as it is, so two states sent at the same moment swap; room-state carries no order of lock decisions",
}, () => {
  // Ada unlocked while Bob was cut off; on reconnecting each sends its state before reading the other's.
  const ada = new Admission();
  ada.ban(EVE); // so that Ada has a state to send (mesh.ts sends one when locked or with bans)
  const bob = new Admission();
  bob.lock([ADA, BOB]);
  const [fromAda, fromBob] = [ada, bob].map((x) => ({ locked: x.locked, admitted: [...x.admitted], banned: [...x.banned] }));
  ada.merge(fromBob);
  bob.merge(fromAda);
  assert.equal(ada.locked, bob.locked, `Ada ${ada.locked ? 'locked' : 'unlocked'}, Bob ${bob.locked ? 'locked' : 'unlocked'}`);
});

// ---- admission signals -------------------------------------------------------------------------

test('every admission signal is read, as a fresh object without other fields', () => {
  const valid: [unknown, unknown][] = [
    [
      { runde: 'knock', name: 'Ada' },
      { runde: 'knock', name: 'Ada' },
    ],
    [
      { runde: 'knock', name: '' },
      { runde: 'knock', name: '' },
    ],
    [
      { runde: 'knock', name: 'Ada', extra: 1 },
      { runde: 'knock', name: 'Ada' },
    ],
    [{ runde: 'wait' }, { runde: 'wait' }],
    [{ runde: 'admitted' }, { runde: 'admitted' }],
    [{ runde: 'declined' }, { runde: 'declined' }],
    [{ runde: 'removed' }, { runde: 'removed' }],
    [{ runde: 'removed', name: 'Eve', by: ADA }, { runde: 'removed' }],
  ];
  for (const [payload, expected] of valid) {
    const signal = asAdmissionSignal(payload);
    assert.deepEqual(signal, expected, JSON.stringify(payload));
    assert.notEqual(signal, payload, 'not the object that came in');
  }
});

test('anything else is not an admission signal', () => {
  const invalid: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['a string', 'wait'],
    ['a number', 1],
    ['true', true],
    ['an empty object', {}],
    ['an array', ['wait']],
    ['a knock without a name', { runde: 'knock' }],
    ['a knock with a number for a name', { runde: 'knock', name: 1 }],
    ['a knock with null for a name', { runde: 'knock', name: null }],
    ['a knock with an object for a name', { runde: 'knock', name: { first: 'Ada' } }],
    ['an unknown kind', { runde: 'admit' }],
    ['a kind in upper case', { runde: 'WAIT' }],
    ['an empty kind', { runde: '' }],
    ['a kind named like an object property', { runde: 'toString' }],
    ['a kind that is not a string', { runde: 1 }],
    ['a kind in a list', { runde: ['wait'] }],
    ['a negotiation payload', { g: 1, s: { type: 'offer', sdp: 'v=0' } }],
  ];
  for (const [what, payload] of invalid) assert.equal(asAdmissionSignal(payload), null, what);
});
