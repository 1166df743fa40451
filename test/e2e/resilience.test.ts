import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTurn } from '../turn.js';
import {
  click,
  count,
  fill,
  framesDecoded,
  gone,
  joinAs,
  person,
  type Person,
  playingVideos,
  RECORD_PEER_CONNECTIONS,
  relayPerson,
  reportOnline,
  role,
  shown,
  startApp,
  text,
  tileCount,
  WAIT_MS,
  waitFor,
} from './helpers.js';

/** How many RTCPeerConnections the page has made so far (needs RECORD_PEER_CONNECTIONS). */
const connectionsMade = (p: Person) => p.page.evaluate(() => (window as unknown as { __pcs: unknown[] }).__pcs.length);

test('the call outlives a box restart: media keeps flowing, clients rejoin, a newcomer reaches everyone', async (t) => {
  const first = await startApp(t);
  const port = new URL(first.url).port;
  const link = `${first.url}/?lang=en#${'R'.repeat(22)}`;
  const people = [];
  for (const name of ['Ada', 'Bob', 'Cem']) {
    const p = await person(t);
    await p.page.evaluateOnNewDocument(RECORD_PEER_CONNECTIONS);
    await joinAs(p.page, link, name);
    people.push(p);
  }
  for (const p of people)
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 3,
      'three in the call',
    );
  const connectionsBefore = await Promise.all(people.map(connectionsMade));

  first.process.kill('SIGTERM'); // the box goes away (its memory with it)
  await new Promise((r) => first.process.once('exit', r));
  for (const p of people) await shown(p.page, role('status'), 'The call goes on with the people already here');
  // While the box is down, every page keeps decoding new frames from its peers.
  for (const p of people) {
    const before = await framesDecoded(p.page);
    await waitFor(
      () => framesDecoded(p.page),
      (n) => n > before + 20,
      'frames advance while the box is down',
    );
  }

  const startedAt = Date.now();
  await startApp(t, { PORT: port }); // a fresh box on the same address, knowing nobody
  const backAt = Date.now(); // the box listens again
  t.diagnostic(`the new box process listened ${backAt - startedAt} ms after it was started`);
  await Promise.all(
    people.map(async (p, i) => {
      await gone(p.page, role('status'), 'The meeting server cannot be reached', 15_000);
      t.diagnostic(`client ${i + 1} rejoined ${Date.now() - backAt} ms after the box was back`);
    }),
  );
  for (const p of people) assert.equal(await playingVideos(p.page), 3, 'the call is whole');
  const connectionsAfter = await Promise.all(people.map(connectionsMade));
  assert.deepEqual(connectionsAfter, connectionsBefore, 'live connections were kept, none duplicated');

  const dora = await person(t);
  await joinAs(dora.page, link, 'Dora');
  for (const p of [...people, dora])
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 4,
      'the newcomer reaches everyone',
    );
});

test('while the box is down the call goes on, and a reload leads to the lobby, which joins as soon as the box is back', async (t) => {
  const first = await startApp(t);
  const port = new URL(first.url).port;
  const link = `${first.url}/?lang=en#${'O'.repeat(22)}`;
  const [ada, bob] = [await person(t), await person(t)];
  for (const [p, name] of [
    [ada, 'Ada'],
    [bob, 'Bob'],
  ] as const) {
    await p.page.evaluateOnNewDocument(RECORD_PEER_CONNECTIONS);
    await reportOnline(p.page);
    await joinAs(p.page, link, name);
  }
  for (const p of [ada, bob])
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 2,
      'both in the call',
    );
  // The reload below starts from the app shell the service worker keeps.
  await bob.page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated', { timeout: WAIT_MS });

  first.process.kill('SIGTERM');
  await new Promise((r) => first.process.once('exit', r));
  for (const p of [ada, bob]) {
    const banner = await shown(p.page, role('status'), 'The call goes on with the people already here');
    assert.match(banner, /only newcomers have to wait until it is back\. Trying again in \d+ s…/);
  }

  await bob.page.reload();
  // Not an error page: the lobby, with the reason and a countdown to the next try.
  const notice = await shown(bob.page, role('status'), 'The meeting server cannot be reached right now');
  assert.match(notice, /Trying again in [0-5] s…/);
  await shown(bob.page, role('button', 'Try now'));
  assert.equal(await count(bob.page, role('alert')), 0, 'no error shown');
  assert.equal(await bob.page.evaluate(() => navigator.onLine), true, 'the browser is online: not "offline"');
  // Bob left: Ada is connected to nobody now, and hears so.
  await shown(ada.page, role('status'), 'nobody else is connected right now');
  // Join waits for the box, and says so.
  await fill(bob.page, '>>> #name', 'Bob');
  await click(bob.page, '>>> button[name=join]');
  await shown(bob.page, text('You will join as soon as the meeting server answers.'));

  await startApp(t, { PORT: port });
  await gone(bob.page, role('status'), 'The meeting server cannot be reached right now');
  await waitFor(
    () => playingVideos(bob.page),
    (n) => n === 2,
    "Bob is back in the call, with Ada's video",
  );
  await waitFor(
    () => tileCount(ada.page),
    (n) => n === 2,
    'Ada sees one Bob, not the one who left as well',
  );
  await gone(ada.page, role('status'), 'The meeting server cannot be reached');
});

test("a participant whose tab dies without a goodbye leaves the others' grids", async (t) => {
  const app = await startApp(t);
  const link = `${app.url}/?lang=en#${'V'.repeat(22)}`;
  const [ada, bob] = [await person(t), await person(t)];
  await joinAs(ada.page, link, 'Ada');
  await joinAs(bob.page, link, 'Bob');
  for (const p of [ada, bob])
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 2,
      'both in',
    );
  const cdp = await bob.page.createCDPSession();
  const crashedAt = Date.now();
  void cdp.send('Page.crash').catch(() => {}); // the renderer dies: no pagehide, no leave
  await waitFor(
    () => tileCount(ada.page),
    (n) => n === 1,
    "Bob's tile gone",
  );
  t.diagnostic(`tile gone ${Date.now() - crashedAt} ms after the tab crashed`);
});

/**
 * How long the relayed path stays down: well beyond the ~6 s after which Chromium calls it
 * "disconnected" (and Runde redials 1 s later), well before its "failed" (~16 s).
 */
const CUT_MS = 12_000;

test('a path that stops for 12 s and heals: the pair notices while it is down, redials, and media comes back', async (t) => {
  // Both people relay through coturn, so freezing coturn (SIGSTOP) loses every packet of their
  // only path, for real, while both stay connected to the box: only the connection can tell.
  const turn = await startTurn(t);
  const app = await startApp(t, turn.env);
  const link = `${app.url}/?lang=en#${'F'.repeat(22)}`;
  const people = [await relayPerson(t, link, 'Ada'), await relayPerson(t, link, 'Bob')];
  for (const p of people)
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 2,
      'both videos through the relay',
    );
  const openConnections = (p: Person) =>
    p.page.evaluate(() => (window as unknown as { __pcs: Array<{ pc: RTCPeerConnection }> }).__pcs.filter(({ pc }) => pc.signalingState !== 'closed').length);
  const before = await Promise.all(people.map(connectionsMade));

  turn.process.kill('SIGSTOP');
  const cutAt = Date.now();
  // The redial has to start while the path is down: ICE's own "failed" comes only after about
  // 16 s here, which is what simple-peer alone would wait for.
  // Polled: the deadline is the cut itself, part of what is tested (a redial during the cut).
  let redialledAt = 0;
  while (!redialledAt && Date.now() - cutAt < CUT_MS) {
    const now = await Promise.all(people.map(connectionsMade));
    if (now.some((n, i) => n > before[i])) redialledAt = Date.now();
    else await sleep(200);
  }
  assert.ok(redialledAt, `no new connection dialled during the ${CUT_MS / 1000} s the path was down`);
  t.diagnostic(`the pair redialled ${redialledAt - cutAt} ms after its path stopped`);
  // The path stays down for the rest of CUT_MS: here time passing is the point.
  await sleep(Math.max(0, CUT_MS - (Date.now() - cutAt)));

  turn.process.kill('SIGCONT');
  const healedAt = Date.now();
  await Promise.all(
    people.map(async (p, i) => {
      const base = await framesDecoded(p.page);
      await waitFor(
        () => framesDecoded(p.page),
        (n) => n > base + 20,
        'frames advance again after the path healed',
      );
      t.diagnostic(`media back at ${['Ada', 'Bob'][i]} ${Date.now() - healedAt} ms after the path healed`);
    }),
  );
  for (const p of people) {
    assert.equal(await playingVideos(p.page), 2, 'both videos play');
    assert.equal(await openConnections(p), 1, 'one live connection for the pair, none duplicated');
  }
});
