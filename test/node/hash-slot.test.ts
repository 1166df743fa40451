import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelOf, membersKey, peersKey } from '../../signaling/cluster-scripts.js';
import { hashSlot } from '../../signaling/hash-slot.js';
import type { RoomId } from '../../signaling/protocol.js';

/** Keys and their slots as `CLUSTER KEYSLOT` of redis-server 7.0.15 answered them. */
const SLOTS_FROM_REDIS: Array<[string, number]> = [
  ['123456789', 12739],
  ['foo', 12182],
  ['{user1000}.following', 3443],
  ['{user1000}.followers', 3443],
  ['foo{}{bar}', 8363], // an empty tag does not count: the whole key is hashed
  ['foo{{bar}}zap', 4015], // the tag is "{bar"
  ['foo{bar}{zap}', 5061], // only the first tag counts
  ['{', 4092],
  ['}{x}', 16287],
  ['', 0],
  ['ü', 9552], // bytes of UTF-8, not UTF-16 code units
  ['runde:{dGVzdC1yb29tLWlkLTAwMDE}:m', 10555],
];

test('computes the hash slot of a key as Redis Cluster does, hash tags included', () => {
  for (const [key, slot] of SLOTS_FROM_REDIS) assert.equal(hashSlot(key), slot, key);
});

test("puts a room's keys and channel in one slot, the slot of its id", () => {
  const room = 'dGVzdC1yb29tLWlkLTAwMDE' as RoomId;
  const slots = [membersKey(room), peersKey(room), channelOf(room)].map(hashSlot);
  assert.deepEqual(slots, [10555, 10555, 10555]);
  assert.equal(hashSlot(room), 10555);
});
