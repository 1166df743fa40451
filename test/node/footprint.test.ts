/** Per-address shares on the box (signaling/footprint.ts): which addresses count as one client. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressKey, Footprints } from '../../signaling/footprint.js';

test('IPv4 counts by address, IPv4-mapped IPv6 as the IPv4 address', () => {
  assert.equal(addressKey('203.0.113.7'), '203.0.113.7');
  assert.equal(addressKey('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(addressKey('::FFFF:203.0.113.7'), '203.0.113.7');
  assert.notEqual(addressKey('203.0.113.7'), addressKey('203.0.113.8'));
});

test('IPv6 counts by its /64, however the address is written', () => {
  const key = '2001:db8:1:2::/64';
  for (const ip of ['2001:db8:1:2::1', '2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:DB8:1:2:0:0:0:9', '2001:db8:1:2::1%eth0']) {
    assert.equal(addressKey(ip), key, ip);
  }
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.notEqual(addressKey('2001:db8:1:3::1'), key, 'the next /64 is another client');
});

test('sockets count toward opening; away peers count toward joining, and entries go when empty', () => {
  const f = new Footprints(3);
  const key = addressKey('198.51.100.1');
  f.socketOpened(key);
  f.socketOpened(key);
  f.peerAway(key);
  f.peerAway(key);
  assert.equal(f.mayOpen(key), true, 'two sockets open of 3: a third may open (it may be a resume)');
  assert.equal(f.mayJoin(key), false, 'two sockets and two away peers exceed the share of 3: no fresh join');
  assert.equal(f.mayJoin(addressKey('198.51.100.2')), true, 'another address is not affected');
  f.peerBack(key);
  assert.equal(f.mayJoin(key), true, 'two sockets and one away peer fit');
  f.socketOpened(key);
  assert.equal(f.mayOpen(key), false, 'three sockets fill the share');
  f.socketClosed(key);
  f.socketClosed(key);
  f.socketClosed(key);
  f.socketClosed(key); // one close too many must not go below zero
  f.peerBack(key);
  assert.deepEqual(f.held(key), { sockets: 0, away: 0 });
  assert.equal(f.size, 0, 'nothing kept for an address that holds nothing');
});
