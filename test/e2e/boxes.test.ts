/**
 * Two boxes sharing rooms through a real redis-server, each serving the app with a config.json
 * that lists both boxes (its own first): one browser on each box, then one box stops.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { freePort, redisMissing, startRedis } from '../redis.js';
import { copyOfStatic, framesDecoded, gone, joinAs, person, playingVideos, RECORD_PEER_CONNECTIONS, role, startApp, waitFor, type App } from './helpers.js';

/** A copy of the built static/ whose config.json lists `urls`. */
function staticWithBoxes(t: TestContext, urls: string[]): string {
  return copyOfStatic(t, { 'config.json': JSON.stringify({ signalingUrls: urls }) });
}

async function peersOn(app: App): Promise<number> {
  const health = (await (await fetch(`${app.url}/healthz`)).json()) as { peers: number };
  return health.peers;
}

test('a call with one browser on each of two boxes; when one box stops, its browser moves to the other and the call goes on', {
  skip: redisMissing() ?? false,
}, async (t) => {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const [portA, portB] = [await freePort(), await freePort()];
  const ws = (port: number) => `ws://127.0.0.1:${port}/ws`;
  const env = (port: number, dir: string) => ({ PORT: String(port), STATIC_DIR: dir, REDIS_URL: redis.url, CLUSTER_TTL_MS: '3000' });
  const boxA = await startApp(t, env(portA, staticWithBoxes(t, [ws(portA), ws(portB)])));
  const boxB = await startApp(t, env(portB, staticWithBoxes(t, [ws(portB), ws(portA)])));

  const secret = 'B'.repeat(22);
  const [ada, bob] = [await person(t), await person(t)];
  for (const p of [ada, bob]) await p.page.evaluateOnNewDocument(RECORD_PEER_CONNECTIONS);
  await joinAs(ada.page, `${boxA.url}/?lang=en#${secret}`, 'Ada');
  await joinAs(bob.page, `${boxB.url}/?lang=en#${secret}`, 'Bob');
  for (const p of [ada, bob])
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 2,
      'each sees the other across boxes',
    );
  assert.equal(await peersOn(boxA), 1, 'Ada is on box A');
  assert.equal(await peersOn(boxB), 1, 'Bob is on box B');

  const stoppedAt = Date.now();
  boxA.process.kill('SIGTERM');
  await new Promise((r) => boxA.process.once('exit', r));
  await waitFor(
    () => peersOn(boxB),
    (n) => n === 2,
    'Ada resumed on box B',
  );
  t.diagnostic(`Ada on box B ${Date.now() - stoppedAt} ms after box A was stopped`);
  for (const p of [ada, bob]) {
    const before = await framesDecoded(p.page);
    await waitFor(
      () => framesDecoded(p.page),
      (n) => n > before + 20,
      'frames keep advancing',
    );
    assert.equal(await playingVideos(p.page), 2, 'the call is whole');
  }
  await gone(ada.page, role('status'), 'The meeting server cannot be reached');

  // A newcomer on box B reaches both, so signals to Ada now flow through box B.
  const cem = await person(t);
  await joinAs(cem.page, `${boxB.url}/?lang=en#${secret}`, 'Cem');
  for (const p of [ada, bob, cem])
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 3,
      'the newcomer reaches everyone',
    );
});
