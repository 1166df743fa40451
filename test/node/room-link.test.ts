/**
 * Meeting links, secrets and peer ids (client/core/room-link.ts), in node. The room id is checked
 * against PROTOCOL.md §2 with node's own SHA-256 and base64url.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { SECRET_BYTES, linkFor, newPeerId, newSecret, roomIdFor, secretFromLink, toBase64Url } from '../../client/core/room-link.js';
import { isPeerId, isRoomId } from '../../signaling/protocol.js';

const BASE64URL_RE = /^[A-Za-z0-9_-]+$/;

/** What each generator yields: distinct, base64url without padding, of SECRET_BYTES random bytes. */
function checkRandomIds(make: () => string, what: string): void {
  const ids = Array.from({ length: 200 }, make);
  assert.equal(new Set(ids).size, ids.length, `${what}: no repeats`);
  for (const id of ids) {
    assert.match(id, BASE64URL_RE, `${what}: base64url without padding`);
    assert.equal(Buffer.from(id, 'base64url').length, SECRET_BYTES, `${what}: ${SECRET_BYTES} bytes`);
    assert.equal(Buffer.from(id, 'base64url').toString('base64url'), id, `${what}: canonical encoding`);
  }
  // Every bit position takes both values somewhere: a stuck byte (or a counter) would not.
  const decoded = ids.map((id) => Buffer.from(id, 'base64url'));
  for (let bit = 0; bit < SECRET_BYTES * 8; bit++) {
    const ones = decoded.filter((b) => (b[bit >> 3] >> (bit & 7)) & 1).length;
    assert.ok(ones > 0 && ones < ids.length, `${what}: bit ${bit} varies`);
  }
}

test('a meeting secret holds at least 128 random bits, in base64url', () => {
  assert.ok(SECRET_BYTES * 8 >= 128, 'the privacy model asks for 128 bits');
  checkRandomIds(newSecret, 'secret');
});

test('a peer id has the same form: 128 random bits the box accepts as a peer id', () => {
  checkRandomIds(newPeerId, 'peer id');
  for (let i = 0; i < 50; i++) assert.equal(isPeerId(newPeerId()), true);
});

test("toBase64Url agrees with node's base64url for every length", () => {
  for (let length = 0; length <= 40; length++) {
    const b = randomBytes(length);
    assert.equal(toBase64Url(b), b.toString('base64url'), `${length} bytes`);
  }
  assert.equal(toBase64Url(Uint8Array.of(0xfb, 0xff, 0xbf)), '-_-_', 'the two characters that differ from base64');
});

test('the room id is base64url(SHA-256("runde-room-v1:" + secret)) as PROTOCOL.md §2 says, and the box accepts it', async () => {
  for (const secret of [newSecret(), 'A'.repeat(22), 'z'.repeat(128)]) {
    const expected = createHash('sha256').update(`runde-room-v1:${secret}`, 'utf8').digest('base64url');
    const room = await roomIdFor(secret);
    assert.equal(room, expected);
    assert.equal(isRoomId(room), true);
  }
});

test('the room id does not reveal the secret and differs between meetings', async () => {
  const secret = newSecret();
  const room = await roomIdFor(secret);
  assert.ok(!room.includes(secret));
  assert.equal(await roomIdFor(secret), room, 'the same for everyone with the link');
  assert.notEqual(await roomIdFor(newSecret()), room);
});

test('reads the secret from a full link, a link with a path and query, a fragment or the bare secret', () => {
  const s = newSecret();
  const valid: [string, string][] = [
    ['a full link', `https://meet.example.org/#${s}`],
    ['a link with a path and query', `https://meet.example.org/runde/?lang=de#${s}`],
    ['a fragment', `#${s}`],
    ['the bare secret', s],
    ['surrounding blanks and a newline', `  https://meet.example.org/#${s} \n`],
  ];
  for (const [what, input] of valid) assert.equal(secretFromLink(input), s, what);
});

test('accepts secrets from 22 characters (128 bits) up to 128 characters, and nothing outside', () => {
  for (const length of [22, 23, 43, 128]) assert.equal(secretFromLink(`#${'a'.repeat(length)}`), 'a'.repeat(length), `${length} characters`);
  for (const length of [0, 1, 21, 129, 1000]) assert.equal(secretFromLink(`#${'a'.repeat(length)}`), null, `${length} characters`);
});

test('refuses links and text that hold no valid secret', () => {
  const s = newSecret();
  const invalid: [string, string][] = [
    ['an empty input', ''],
    ['blanks only', '   '],
    ['a link without a fragment', 'https://meet.example.org/'],
    ['an empty fragment', 'https://meet.example.org/#'],
    ['a short fragment', 'https://meet.example.org/#short'],
    ['one character short', `https://meet.example.org/#${s.slice(0, 21)}`],
    ['standard base64 characters', `#${'+/'.repeat(11)}`],
    ['padding', `#${s}==`],
    ['a blank inside', `#${s.slice(0, 11)} ${s.slice(11)}`],
    ['percent-encoding', `#${s}%20`],
    ['a second fragment mark', `https://meet.example.org/#x#${s}`],
    ['a query after the fragment', `https://meet.example.org/#${s}?x=1`],
  ];
  for (const [what, input] of invalid) assert.equal(secretFromLink(input), null, what);
});

test('a link puts the secret in the fragment, replaces an old one and drops the query', () => {
  const s = newSecret();
  assert.equal(linkFor(s, 'https://meet.example.org/?lang=de#old'), `https://meet.example.org/#${s}`);
  assert.equal(linkFor(s, 'https://example.org/runde/app?x=1'), `https://example.org/runde/app#${s}`, 'the path stays');
  for (const base of ['https://meet.example.org/', 'http://127.0.0.1:8080/a/b?c#d']) {
    assert.equal(secretFromLink(linkFor(s, base)), s, `round trip through ${base}`);
  }
});
