import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PeerId, ResumeToken, RoomId } from '../../signaling/protocol.js';
import { TokenBucket } from '../../signaling/rate-limit.js';
import { RoomRegistry } from '../../signaling/rooms.js';

const room = 'room-room-room-room' as RoomId;
const id = (n: number) => `peer${String(n).padStart(18, '0')}` as PeerId;
let tokens = 0;
const registry = (max = { maxPeersPerRoom: 3, maxRooms: 10, maxPeers: 100 }) =>
  new RoomRegistry<string>(max, () => `token${String(++tokens).padStart(17, '0')}` as ResumeToken);

test('join returns the others in join order and counts rooms and peers', () => {
  const r = registry();
  r.join(room, id(1), 'a');
  r.join(room, id(2), 'b');
  const third = r.join(room, id(3), 'c');
  assert.ok(third.ok);
  assert.deepEqual(
    third.others.map((m) => m.id),
    [id(1), id(2)],
  );
  assert.equal(r.roomCount, 1);
  assert.equal(r.peerCount, 3);
  assert.deepEqual(r.join(room, id(4), 'd'), { ok: false, code: 'ERR_ROOM_FULL' });
});

test('an away member resumes only with its token, and a stale socket cannot mark it away', () => {
  const r = registry();
  const first = r.join(room, id(1), 'a');
  assert.ok(first.ok);
  assert.equal(r.markAway(room, id(1), 'a'), true);
  assert.deepEqual(r.join(room, id(1), 'x'), { ok: false, code: 'ERR_PEER_ID_TAKEN' });
  const back = r.join(room, id(1), 'a2', first.member.token);
  assert.ok(back.ok && back.resumed);
  assert.equal(back.replaced, null);
  assert.equal(r.markAway(room, id(1), 'a'), false, 'the old socket no longer speaks for it');
  assert.equal(r.remove(room, id(1), null), null, 'not away, so not expired');
});

test('removing the last member removes the room', () => {
  const r = registry();
  r.join(room, id(1), 'a');
  assert.deepEqual(r.remove(room, id(1)), []);
  assert.equal(r.roomCount, 0);
  assert.equal(r.peerCount, 0);
});

test('enforces the total room and peer limits', () => {
  const r = registry({ maxPeersPerRoom: 8, maxRooms: 1, maxPeers: 2 });
  r.join(room, id(1), 'a');
  assert.deepEqual(r.join('other-room-other-room' as RoomId, id(2), 'b'), { ok: false, code: 'ERR_SERVER_FULL' });
  r.join(room, id(2), 'b');
  assert.deepEqual(r.join(room, id(3), 'c'), { ok: false, code: 'ERR_SERVER_FULL' });
});

test('a token bucket allows a burst, then refills at its rate', () => {
  const bucket = new TokenBucket(10, 3, 0);
  assert.deepEqual(
    [1, 2, 3, 4].map(() => bucket.take(0)),
    [true, true, true, false],
  );
  assert.equal(bucket.take(50), false, 'half a token is not enough');
  assert.equal(bucket.take(100), true);
  assert.equal(bucket.take(100), false);
  assert.deepEqual(
    [1, 2, 3, 4].map(() => bucket.take(10_000)),
    [true, true, true, false],
  );
});
