import assert from 'node:assert/strict';
import { test } from 'node:test';
import { framesDecoded, joinAs, person, playingVideos, RECORD_PEER_CONNECTIONS, startApp, waitFor } from './helpers.js';

test('the call outlives a box restart: media keeps flowing, clients rejoin, a newcomer reaches everyone', async (t) => {
  const first = await startApp(t);
  const port = new URL(first.url).port;
  const link = `${first.url}/?lang=en#${'R'.repeat(22)}`;
  const people = [];
  for (const name of ['Ada', 'Bob', 'Cem']) {
    const p = await person(t);
    await p.context.addInitScript(RECORD_PEER_CONNECTIONS);
    await joinAs(p.page, link, name);
    people.push(p);
  }
  for (const p of people) await waitFor(() => playingVideos(p.page), (n) => n === 3, 'three in the call');
  const connectionsBefore = await Promise.all(people.map((p) => p.page.evaluate(() => (window as unknown as { __pcs: unknown[] }).__pcs.length)));

  first.process.kill('SIGTERM'); // the box goes away (its memory with it)
  await new Promise((r) => first.process.once('exit', r));
  for (const p of people) await p.page.getByRole('status').filter({ hasText: 'connection to the meeting server was lost' }).waitFor();
  // While the box is down, every page keeps decoding new frames from its peers.
  for (const p of people) {
    const before = await framesDecoded(p.page);
    await waitFor(() => framesDecoded(p.page), (n) => n > before + 20, 'frames advance while the box is down');
  }

  const startedAt = Date.now();
  await startApp(t, { PORT: port }); // a fresh box on the same address, knowing nobody
  const backAt = Date.now(); // the box listens again
  t.diagnostic(`the new box process listened ${backAt - startedAt} ms after it was started`);
  await Promise.all(
    people.map(async (p, i) => {
      await p.page.getByRole('status').filter({ hasText: 'connection to the meeting server was lost' }).waitFor({ state: 'detached', timeout: 15_000 });
      t.diagnostic(`client ${i + 1} rejoined ${Date.now() - backAt} ms after the box was back`);
    }),
  );
  for (const p of people) assert.equal(await playingVideos(p.page), 3, 'the call is whole');
  const connectionsAfter = await Promise.all(people.map((p) => p.page.evaluate(() => (window as unknown as { __pcs: unknown[] }).__pcs.length)));
  assert.deepEqual(connectionsAfter, connectionsBefore, 'live connections were kept, none duplicated');

  const dora = await person(t);
  await joinAs(dora.page, link, 'Dora');
  for (const p of [...people, dora]) await waitFor(() => playingVideos(p.page), (n) => n === 4, 'the newcomer reaches everyone');
});

test('a participant whose tab dies without a goodbye leaves the others\' grids', async (t) => {
  const app = await startApp(t);
  const link = `${app.url}/?lang=en#${'V'.repeat(22)}`;
  const [ada, bob] = [await person(t), await person(t)];
  await joinAs(ada.page, link, 'Ada');
  await joinAs(bob.page, link, 'Bob');
  for (const p of [ada, bob]) await waitFor(() => playingVideos(p.page), (n) => n === 2, 'both in');
  const cdp = await bob.context.newCDPSession(bob.page);
  const crashedAt = Date.now();
  void cdp.send('Page.crash').catch(() => {}); // the renderer dies: no pagehide, no leave
  await waitFor(() => ada.page.locator('runde-tile').count(), (n) => n === 1, "Bob's tile gone");
  t.diagnostic(`tile gone ${Date.now() - crashedAt} ms after the tab crashed`);
});
