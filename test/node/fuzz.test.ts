import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ErrorMessage } from '../../signaling/protocol.js';
import { boxFor, joinAll, newRoomId, TestClient } from './helpers.js';

/** Frames thrown at the box; each must be answered with exactly one error. */
const FRAMES = 3_000;
const SEED = 0x5eed_2026;

/** mulberry32: a small seeded PRNG so that a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeFrames(random: () => number): Array<string | Buffer> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const randomString = (n: number) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(random() * 0x2fff))).join('');
  const randomValue = (depth = 0): unknown => {
    const kind = Math.floor(random() * (depth > 3 ? 5 : 7));
    return [
      () => null,
      () => random() * 1e9 - 5e8,
      () => random() < 0.5,
      () => randomString(Math.floor(random() * 40)),
      () => 'A'.repeat(Math.floor(random() * 30)),
      () => Array.from({ length: Math.floor(random() * 4) }, () => randomValue(depth + 1)),
      () => Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [randomString(5), randomValue(depth + 1)])),
    ][kind]();
  };
  const types = ['join', 'signal', 'welcome', 'error', 'peer-joined', '', 'JOIN', 42, null];
  const generators: Array<() => string | Buffer> = [
    () => Buffer.from(Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256))),
    () => randomString(1 + Math.floor(random() * 100)),
    () => `{"type":"signal",${randomString(10)}`,
    () => JSON.stringify(randomValue()),
    () => JSON.stringify({ type: pick(types), room: randomValue(), peer: randomValue(), to: randomValue(), data: randomValue() }),
    () => JSON.stringify({ type: 'signal', to: 'A'.repeat(22), data: randomValue() }), // unknown peer
    () => JSON.stringify({ type: 'join', room: newRoomId(), peer: 'B'.repeat(22) }), // already joined
    () => `{"type":"signal","to":"${'C'.repeat(22)}","data":{"__proto__":{"polluted":true}}}`,
    () => `{"type":"signal","to":"${'C'.repeat(22)}","data":{"a":{"constructor":{"prototype":1}}}}`,
    () => `{"type":"signal","to":"${'C'.repeat(22)}","data":${'['.repeat(5_000)}${']'.repeat(5_000)}}`,
    () => '['.repeat(20_000),
    () => JSON.stringify({ type: 'signal', to: 'C'.repeat(22), data: 'x'.repeat(70_000) }), // too large
    () => '',
    () => 'null',
    () => '"join"',
  ];
  return Array.from({ length: FRAMES }, () => pick(generators)());
}

test('survives thousands of random and malformed frames, answering each with an error', async (t) => {
  const server = await boxFor(t, { maxStrikes: 1e9, ratePerSecond: 1e6, rateBurst: 1e6 });
  const room = newRoomId();
  const [fuzzer, bystander] = await joinAll(server, room, 2);
  const frames = makeFrames(prng(SEED));
  for (const frame of frames) fuzzer.ws.send(frame);
  const codes = new Map<string, number>();
  for (let i = 0; i < frames.length; i++) {
    const reply = await fuzzer.next<ErrorMessage>();
    assert.equal(reply.type, 'error', `frame ${i} (seed ${SEED}) got ${JSON.stringify(reply)}`);
    codes.set(reply.code, (codes.get(reply.code) ?? 0) + 1);
  }
  assert.equal(await fuzzer.frameBeforePong(), null, 'one reply per frame');
  assert.equal(await bystander.frameBeforePong(), null, 'the room did not notice');
  assert.ok((codes.get('ERR_BAD_MESSAGE') ?? 0) > 100, JSON.stringify([...codes]));
  assert.ok((codes.get('ERR_TOO_LARGE') ?? 0) > 0);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);

  const health = await (await fetch(`${server.url}/healthz`)).json();
  assert.equal(health.status, 'ok');
  const [a, b] = await joinAll(server, newRoomId(), 2);
  a.send({ type: 'signal', to: b.id, data: { sdp: 'v=0' } });
  assert.deepEqual(await b.next(), { type: 'signal', from: a.id, data: { sdp: 'v=0' } });
});

test('repeated abuse closes only the abusing socket', async (t) => {
  const server = await boxFor(t, { maxStrikes: 10 });
  const [abuser, neighbour, third] = await joinAll(server, newRoomId(), 3);
  for (let i = 0; i < 30; i++) abuser.ws.send('not json');
  assert.equal((await abuser.closed).code, 4400);
  assert.deepEqual(await neighbour.next(), { type: 'peer-left', peer: abuser.id, reason: 'lost' });
  assert.deepEqual(await third.next(), { type: 'peer-left', peer: abuser.id, reason: 'lost' });
  neighbour.send({ type: 'signal', to: third.id, data: 'fine' });
  assert.deepEqual(await third.next(), { type: 'signal', from: neighbour.id, data: 'fine' });
  const other = await TestClient.open(server.wsUrl);
  assert.equal((await other.join(newRoomId())).type, 'welcome');
});
