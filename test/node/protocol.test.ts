import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSafeJson, parseClientMessage, parseServerMessage } from '../../signaling/protocol.js';

const PEER = 'AAAAAAAAAAAAAAAAAAAAAA';
const ROOM = 'r'.repeat(43);

test('parses a join and keeps only known fields', () => {
  assert.deepEqual(parseClientMessage(JSON.stringify({ type: 'join', room: ROOM, peer: PEER, extra: 1 })), {
    type: 'join',
    room: ROOM,
    peer: PEER,
  });
  assert.deepEqual(parseClientMessage(JSON.stringify({ type: 'join', room: ROOM, peer: PEER, resume: PEER, version: 1 })), {
    type: 'join',
    room: ROOM,
    peer: PEER,
    resume: PEER,
    version: 1,
  });
});

test('rejects room ids outside 16–128 base64url characters and peer ids that are not 128 bits', () => {
  for (const room of ['short', 'x'.repeat(129), 'has spaces in it!!', 'a/b+c=d'.repeat(4), 42]) {
    assert.equal(parseClientMessage(JSON.stringify({ type: 'join', room, peer: PEER })), null, String(room));
  }
  for (const peer of ['A'.repeat(21), 'A'.repeat(23), `${'A'.repeat(21)}=`, null]) {
    assert.equal(parseClientMessage(JSON.stringify({ type: 'join', room: ROOM, peer })), null, String(peer));
  }
});

test('drops a from field on a signal and requires data', () => {
  assert.deepEqual(parseClientMessage(JSON.stringify({ type: 'signal', to: PEER, from: PEER, data: 0 })), {
    type: 'signal',
    to: PEER,
    data: 0,
  });
  assert.equal(parseClientMessage(JSON.stringify({ type: 'signal', to: PEER })), null);
});

test('rejects non-objects, unknown types and broken JSON', () => {
  for (const raw of ['', 'null', '[]', '"join"', '{"type":"nope"}', '{"type":"join"', '\u0000']) {
    assert.equal(parseClientMessage(raw), null, raw);
  }
});

test('rejects prototype-polluting keys and deep nesting anywhere in the frame', () => {
  assert.equal(isSafeJson(JSON.parse('{"a":{"__proto__":{"x":1}}}')), false);
  assert.equal(isSafeJson({ a: [{ constructor: 1 }] }), false);
  let deep: unknown = 1;
  for (let i = 0; i < 16; i++) deep = [deep];
  assert.equal(isSafeJson(deep), true);
  assert.equal(isSafeJson([deep]), false);
  assert.equal(parseClientMessage('['.repeat(100_000)), null);
});

test('validates what the box sends, for the client side', () => {
  assert.deepEqual(parseServerMessage(JSON.stringify({ type: 'peer-left', peer: PEER, reason: 'lost' })), {
    type: 'peer-left',
    peer: PEER,
    reason: 'lost',
  });
  assert.equal(parseServerMessage(JSON.stringify({ type: 'peer-left', peer: PEER, reason: 'why' })), null);
  assert.equal(parseServerMessage(JSON.stringify({ type: 'error', code: 'ERR_NOPE', message: '' })), null);
  const welcome = {
    type: 'welcome',
    version: 1,
    peer: PEER,
    peers: [],
    resumeToken: PEER,
    resumed: false,
    iceServers: [{ urls: ['turn:x'], username: 'u', credential: 'c' }],
    limits: { maxMessageBytes: 1, maxPeersPerRoom: 8, ratePerSecond: 1, rateBurst: 1, graceMs: 0 },
  };
  assert.deepEqual(parseServerMessage(JSON.stringify(welcome)), welcome);
  assert.equal(parseServerMessage(JSON.stringify({ ...welcome, iceServers: [{ urls: 5 }] })), null);
});
