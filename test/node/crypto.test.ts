/**
 * Sealed signaling payloads and safety codes (client/core/crypto.ts), in node's WebCrypto. The
 * interop tests check the module against PROTOCOL.md §10 with node's own crypto, a second
 * implementation, so that another client written from the spec would talk to this one.
 */
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  SAFETY_GROUPS,
  SEAL_VERSION,
  deriveSignalKey,
  fingerprintOf,
  meetingKeys,
  open,
  safetyCode,
  seal,
  type SealedPayload,
} from '../../client/core/crypto.js';
import { newSecret, roomIdFor } from '../../client/core/room-link.js';
import type { PeerId, RoomId } from '../../signaling/protocol.js';
import { newPeerId, newRoomId } from './helpers.js';

const [A, B, C] = [newPeerId(), newPeerId(), newPeerId()];
const GCM_TAG_BYTES = 16;
const IV_BYTES = 12;

const bytes = (b64url: string) => Buffer.from(b64url, 'base64url');
/** `sealed` with byte `index` of its field `field` XORed with 1 (negative index: from the end). */
function flipped(sealed: SealedPayload, field: 'iv' | 'ct', index: number): SealedPayload {
  const b = bytes(sealed[field]);
  b[(index + b.length) % b.length] ^= 1;
  return { ...sealed, [field]: b.toString('base64url') };
}

/** The key of PROTOCOL.md §10, derived with node's crypto. */
const specKey = (secret: string) =>
  Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('runde-signal-salt-v1'), Buffer.from('runde-signal-v1'), 32));
const specAad = (from: PeerId, to: PeerId) => Buffer.from(`runde-signal-v1|${from}|${to}`, 'utf8');

test('a sealed payload opens for the same pair, with its sequence number and payload intact', async () => {
  const key = await deriveSignalKey(newSecret());
  const payloads = [{ type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1' }, 'hello', 0, null, [1, [2, { x: 'ü€😀' }]], true];
  for (const [i, payload] of payloads.entries()) {
    const seq = i + 1;
    assert.deepEqual(await open(key, A, B, await seal(key, A, B, seq, payload)), { seq, payload }, JSON.stringify(payload));
  }
});

test('the sealed form hides the payload and has the wire shape of PROTOCOL.md: v, a 12-byte iv, ciphertext plus a 16-byte tag', async () => {
  const key = await deriveSignalKey(newSecret());
  const payload = { type: 'offer', sdp: 'v=0 secret-sdp' };
  const sealed = await seal(key, A, B, 7, payload);
  assert.deepEqual(Object.keys(sealed).sort(), ['ct', 'iv', 'v']);
  assert.equal(sealed.v, SEAL_VERSION);
  assert.match(sealed.iv, /^[A-Za-z0-9_-]+$/, 'base64url without padding');
  assert.match(sealed.ct, /^[A-Za-z0-9_-]+$/, 'base64url without padding');
  assert.equal(bytes(sealed.iv).length, IV_BYTES);
  const plaintext = JSON.stringify({ seq: 7, payload });
  assert.equal(bytes(sealed.ct).length, Buffer.byteLength(plaintext) + GCM_TAG_BYTES);
  assert.ok(!JSON.stringify(sealed).includes('secret-sdp'));
});

test('the key is not extractable, and the same secret always gives a key that opens the same payloads', async () => {
  const secret = newSecret();
  const key = await deriveSignalKey(secret);
  await assert.rejects(crypto.subtle.exportKey('raw', key));
  const sealed = await seal(key, A, B, 1, 'hello');
  assert.deepEqual(await open(await deriveSignalKey(secret), A, B, sealed), { seq: 1, payload: 'hello' });
});

test('meetingKeys gives the room id of the secret and its signaling key', async () => {
  const secret = newSecret();
  const { room, signalKey } = await meetingKeys(secret);
  assert.equal(room, await roomIdFor(secret));
  const sealed = await seal(signalKey, A, B, 1, 'x');
  assert.deepEqual(await open(await deriveSignalKey(secret), A, B, sealed), { seq: 1, payload: 'x' });
});

test("a payload sealed under another meeting's key does not open", async () => {
  const sealed = await seal(await deriveSignalKey(newSecret()), A, B, 1, 'hello');
  assert.equal(await open(await deriveSignalKey(newSecret()), A, B, sealed), null);
});

test('a payload does not open for another recipient, another claimed sender, or the reverse direction', async () => {
  const key = await deriveSignalKey(newSecret());
  const sealed = await seal(key, A, B, 1, 'hello');
  assert.equal(await open(key, A, C, sealed), null, 'redirected to C');
  assert.equal(await open(key, C, B, sealed), null, 'claimed to come from C');
  assert.equal(await open(key, B, A, sealed), null, 'reflected back to its sender');
  assert.deepEqual(await open(key, A, B, sealed), { seq: 1, payload: 'hello' }, 'the right pair still opens it');
});

test('a flipped bit anywhere in the ciphertext, its tag or the iv makes it refuse', async () => {
  const key = await deriveSignalKey(newSecret());
  const sealed = await seal(key, A, B, 1, { n: 42 });
  const ctLength = bytes(sealed.ct).length;
  for (const index of [0, 1, Math.floor(ctLength / 2), ctLength - GCM_TAG_BYTES - 1, ctLength - GCM_TAG_BYTES, ctLength - 1]) {
    assert.equal(await open(key, A, B, flipped(sealed, 'ct', index)), null, `ct byte ${index}`);
  }
  for (const index of [0, IV_BYTES - 1]) assert.equal(await open(key, A, B, flipped(sealed, 'iv', index)), null, `iv byte ${index}`);
  const cut = {
    ...sealed,
    ct: bytes(sealed.ct)
      .subarray(0, ctLength - 1)
      .toString('base64url'),
  };
  assert.equal(await open(key, A, B, cut), null, 'truncated tag');
});

test('refuses what is not a sealed payload of this version, without throwing', async () => {
  const key = await deriveSignalKey(newSecret());
  const good = await seal(key, A, B, 1, 'hello');
  const bad: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['a string', 'not sealed'],
    ['a number', 42],
    ['an array', [good.v, good.iv, good.ct]],
    ['an empty object', {}],
    ['another version', { ...good, v: SEAL_VERSION + 1 }],
    ['the version as a string', { ...good, v: String(SEAL_VERSION) }],
    ['no iv', { v: good.v, ct: good.ct }],
    ['no ct', { v: good.v, iv: good.iv }],
    ['an iv that is not a string', { ...good, iv: [...bytes(good.iv)] }],
    ['a ct that is not a string', { ...good, ct: 1 }],
    ['an iv one byte short', { ...good, iv: bytes(good.iv).subarray(1).toString('base64url') }],
    ['an iv one byte long', { ...good, iv: Buffer.concat([bytes(good.iv), Buffer.of(0)]).toString('base64url') }],
    ['an iv that is not base64', { ...good, iv: '!!!!!!!!!!!!!!!!' }],
    ['a ct that is not base64', { ...good, ct: '%%%%' }],
    ['an empty ct', { ...good, ct: '' }],
    ['a ct shorter than the tag', { ...good, ct: 'AAAA' }],
  ];
  for (const [what, data] of bad) assert.equal(await open(key, A, B, data), null, what);
});

test('the sequence number is inside the ciphertext: a replayed payload opens with its original number', async () => {
  // Dropping a replay (seq not above the last one accepted) is the caller's rule, in mesh.ts;
  // what crypto.ts guarantees is that the number cannot be changed without breaking the tag.
  const key = await deriveSignalKey(newSecret());
  const sealed = await seal(key, A, B, 5, 'offer');
  assert.equal((await open(key, A, B, sealed))?.seq, 5);
  assert.equal((await open(key, A, B, structuredClone(sealed)))?.seq, 5, 'the same bytes again');
  assert.ok(!JSON.stringify(sealed).includes('"seq"'), 'the box cannot see or rewrite it');
});

test('a sequence number that is not a safe integer, or a missing payload, does not open', async () => {
  const key = await deriveSignalKey(newSecret());
  for (const seq of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
    assert.equal(await open(key, A, B, await seal(key, A, B, seq, 'x')), null, `seq ${seq}`);
  }
  assert.equal(await open(key, A, B, await seal(key, A, B, 1, undefined)), null, 'undefined does not survive JSON');
  assert.deepEqual(await open(key, A, B, await seal(key, A, B, Number.MAX_SAFE_INTEGER, 'x')), { seq: Number.MAX_SAFE_INTEGER, payload: 'x' });
});

test('every seal uses a fresh iv, so the same message never looks the same twice', async () => {
  const key = await deriveSignalKey(newSecret());
  const sealed = await Promise.all(Array.from({ length: 50 }, () => seal(key, A, B, 1, 'same')));
  assert.equal(new Set(sealed.map((s) => s.iv)).size, sealed.length);
  assert.equal(new Set(sealed.map((s) => s.ct)).size, sealed.length);
});

test("node's own AES-GCM, keyed as PROTOCOL.md §10 says, opens what seal made", async () => {
  const secret = newSecret();
  const payload = { g: 1, s: { type: 'answer', sdp: 'v=0' } };
  const sealed = await seal(await deriveSignalKey(secret), A, B, 3, payload);
  const ct = bytes(sealed.ct);
  const decipher = createDecipheriv('aes-256-gcm', specKey(secret), bytes(sealed.iv));
  decipher.setAAD(specAad(A, B));
  decipher.setAuthTag(ct.subarray(ct.length - GCM_TAG_BYTES));
  const plain = Buffer.concat([decipher.update(ct.subarray(0, ct.length - GCM_TAG_BYTES)), decipher.final()]);
  assert.deepEqual(JSON.parse(plain.toString('utf8')), { seq: 3, payload });
});

/** Seals as PROTOCOL.md §10 says, with node's crypto and an iv of `ivBytes` bytes. */
function specSeal(secret: string, from: PeerId, to: PeerId, plaintext: string, ivBytes = IV_BYTES): SealedPayload {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', specKey(secret), iv);
  cipher.setAAD(specAad(from, to));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { v: 1, iv: iv.toString('base64url'), ct: body.toString('base64url') };
}

test("open reads what node's own AES-GCM sealed as PROTOCOL.md §10 says", async () => {
  const secret = newSecret();
  const data = specSeal(secret, B, A, JSON.stringify({ seq: 9, payload: { runde: 'knock', name: 'Ada' } }));
  assert.deepEqual(await open(await deriveSignalKey(secret), B, A, data), { seq: 9, payload: { runde: 'knock', name: 'Ada' } });
});

test('open refuses a correctly tagged message whose iv is not 12 bytes, or whose plaintext is not {seq, payload}', async () => {
  const secret = newSecret();
  const key = await deriveSignalKey(secret);
  const good = JSON.stringify({ seq: 1, payload: 'x' });
  for (const ivBytes of [8, 11, 13, 16]) assert.equal(await open(key, A, B, specSeal(secret, A, B, good, ivBytes)), null, `${ivBytes}-byte iv`);
  const plaintexts = ['not json', '"x"', 'null', '{"payload":"x"}', '{"seq":"1","payload":"x"}', '{"seq":1}'];
  for (const plaintext of plaintexts) assert.equal(await open(key, A, B, specSeal(secret, A, B, plaintext)), null, plaintext);
  assert.deepEqual(await open(key, A, B, specSeal(secret, A, B, good)), { seq: 1, payload: 'x' }, 'the same with the right form opens');
});

// ---- safety codes ---------------------------------------------------------------------------

const FA = 'sha-256 AA:BB:CC:DD';
const FB = 'sha-256 11:22:33:44';
const CODE_RE = new RegExp(`^\\d{4}( \\d{4}){${SAFETY_GROUPS - 1}}$`);

/** PROTOCOL.md §10, with node's crypto: four big-endian words of the digest, each mod 10,000. */
function specSafetyCode(room: string, a: string, b: string): string {
  const [x, y] = [a, b].sort();
  const digest = createHash('sha256').update(`runde-safety-v1|${room}|${x}|${y}`, 'utf8').digest();
  return Array.from({ length: 4 }, (_, i) => String(digest.readUInt32BE(i * 4) % 10_000).padStart(4, '0')).join(' ');
}

const randomFingerprint = () => `sha-256 ${[...randomBytes(32)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':')}`;

test('a safety code is four groups of four digits, the same at both ends and on every computation', async () => {
  assert.equal(SAFETY_GROUPS, 4, 'PROTOCOL.md documents four groups');
  const room = newRoomId();
  const code = await safetyCode(room, FA, FB);
  assert.match(code, CODE_RE);
  assert.equal(await safetyCode(room, FB, FA), code, 'the order of the ends does not matter');
  assert.equal(await safetyCode(room, FA, FB), code, 'deterministic');
});

test('a safety code changes when either fingerprint or the room changes', async () => {
  const room = newRoomId();
  const code = await safetyCode(room, FA, FB);
  assert.notEqual(await safetyCode(room, FA, 'sha-256 11:22:33:45'), code, 'one fingerprint swapped in the middle');
  assert.notEqual(await safetyCode(room, 'sha-256 AA:BB:CC:DE', FB), code, 'the other one');
  assert.notEqual(await safetyCode(newRoomId(), FA, FB), code, 'another room');
});

test("safety codes match PROTOCOL.md §10 computed with node's SHA-256, leading zeros kept", async () => {
  let withLeadingZero = 0;
  for (let i = 0; i < 100; i++) {
    const [room, a, b] = [newRoomId(), randomFingerprint(), randomFingerprint()];
    const code = await safetyCode(room as RoomId, a, b);
    assert.equal(code, specSafetyCode(room, a, b));
    assert.match(code, CODE_RE);
    if (/(^| )0/.test(code)) withLeadingZero++;
  }
  assert.ok(withLeadingZero > 0, 'some group below 1000 was seen, so padding was checked');
});

// ---- fingerprints -----------------------------------------------------------------------------

const SDP = (fingerprintLines: string) =>
  [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    fingerprintLines,
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'a=setup:actpass',
    '',
  ].join('\r\n');

test('fingerprintOf reads the a=fingerprint line of an SDP: hash name in lower case, hex in upper case', () => {
  assert.equal(fingerprintOf(SDP('a=fingerprint:SHA-256 ab:cd:ef:01')), 'sha-256 AB:CD:EF:01');
  assert.equal(fingerprintOf('v=0\na=fingerprint:sha-1 0a:0B\n'), 'sha-1 0A:0B', 'bare \\n line ends');
  assert.equal(fingerprintOf('a=fingerprint:sha-256 AB:CD  \r\n'), 'sha-256 AB:CD', 'trailing blanks');
});

test('fingerprintOf takes the first of several fingerprint lines, also at media level', () => {
  assert.equal(fingerprintOf(SDP('a=fingerprint:sha-256 11:11\r\na=fingerprint:sha-1 22:22')), 'sha-256 11:11');
  const mediaLevel = 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=fingerprint:sha-256 CA:FE\r\n';
  assert.equal(fingerprintOf(mediaLevel), 'sha-256 CA:FE');
});

test('fingerprintOf is null without a well-formed fingerprint line', () => {
  const bad: [string, string | undefined][] = [
    ['no SDP', undefined],
    ['an empty SDP', ''],
    ['no fingerprint line', SDP('a=ice-ufrag:abcd')],
    ['no hash name', SDP('a=fingerprint: AB:CD')],
    ['no value', SDP('a=fingerprint:sha-256')],
    ['a value that is not hex', SDP('a=fingerprint:sha-256 AB:CG')],
    ['something after the value', SDP('a=fingerprint:sha-256 AB:CD extra')],
    ['not at the start of a line', SDP('xa=fingerprint:sha-256 AB:CD')],
  ];
  for (const [what, sdp] of bad) assert.equal(fingerprintOf(sdp), null, what);
});
