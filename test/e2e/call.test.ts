import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  click,
  evaluateOn,
  fill,
  joinAs,
  person,
  playingVideos,
  reportOnline,
  role,
  setChecked,
  shown,
  startApp,
  text,
  texts,
  tileCount,
  urlMatches,
  waitFor,
} from './helpers.js';

test('three people open one link, join, and each sees three playing videos; leavers go at once', async (t) => {
  // A long grace period: only an explicit leave can remove a tile within this test's waits.
  const app = await startApp(t, { GRACE_MS: '120000' });
  const [ada, bob, cem] = [await person(t), await person(t), await person(t)];

  await ada.page.goto(`${app.url}/?lang=en`);
  await click(ada.page, role('button', 'Start a meeting'));
  await urlMatches(ada.page, /#[A-Za-z0-9_-]{22}$/);
  const link = ada.page.url();
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/(\?lang=en)?#[A-Za-z0-9_-]{22}$/);
  await joinAs(ada.page, link, 'Ada');
  await joinAs(bob.page, link, 'Bob');
  await joinAs(cem.page, link, 'Cem');

  for (const p of [ada, bob, cem]) {
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 3,
      'three playing videos',
    );
  }
  const names = await texts(ada.page, '>>> runde-tile >>> .name');
  assert.deepEqual(names.sort(), ['Ada (you)', 'Bob', 'Cem']);

  const leftAt = Date.now();
  await click(cem.page, role('button', 'Leave meeting'));
  await shown(cem.page, text('You left the meeting.'));
  for (const p of [ada, bob])
    await waitFor(
      () => tileCount(p.page),
      (n) => n === 2,
      'tile of the leaver gone',
    );
  t.diagnostic(`tiles gone ${Date.now() - leftAt} ms after Leave`);

  const closedAt = Date.now();
  await bob.page.close(); // closing the tab says goodbye too (pagehide)
  await waitFor(
    () => tileCount(ada.page),
    (n) => n === 1,
    'tile of the closed tab gone',
  );
  t.diagnostic(`tile gone ${Date.now() - closedAt} ms after the tab closed`);
  assert.equal(await playingVideos(ada.page), 1);
});

test('a person arriving at a full room reads the room-full sentence', async (t) => {
  const app = await startApp(t, { MAX_PEERS_PER_ROOM: '2' });
  const link = `${app.url}/?lang=en#${'R'.repeat(22)}`;
  const people = [await person(t), await person(t), await person(t)];
  await joinAs(people[0].page, link, 'One');
  await joinAs(people[1].page, link, 'Two');
  await waitFor(
    () => playingVideos(people[0].page),
    (n) => n === 2,
    'two in the room',
  );
  await joinAs(people[2].page, link, 'Three');
  assert.match(await shown(people[2].page, role('alert')), /This meeting is full\. Ask someone to leave, or start a new meeting\./);
});

test('name, microphone choice and language survive a reload', async (t) => {
  const app = await startApp(t);
  const { page } = await person(t);
  await page.goto(`${app.url}/?lang=de#${'S'.repeat(22)}`);
  await shown(page, role('button', 'Beitreten'));
  await fill(page, '>>> #name', 'Dora');
  await setChecked(page, '>>> input[name=mic-on]', false);
  await joinAs(page, page.url(), 'Dora');
  await waitFor(
    () => playingVideos(page),
    (n) => n === 1,
    'own video',
  );
  await page.goto(`${app.url}/#${'S'.repeat(22)}`); // no ?lang this time
  await shown(page, role('button', 'Beitreten'));
  assert.equal(await evaluateOn(page, '>>> #name', (el: HTMLInputElement) => el.value), 'Dora');
  assert.equal(await evaluateOn(page, '>>> input[name=mic-on]', (el: HTMLInputElement) => el.checked), false);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
});

test('an incomplete link gets a sentence instead of a broken page', async (t) => {
  const app = await startApp(t);
  const { page } = await person(t);
  await page.goto(`${app.url}/?lang=en#tooShort`);
  assert.match(await shown(page, role('alert')), /This meeting link is incomplete/);
});

test('an unreachable box is explained, retried with backoff, and the call starts once it is back', async (t) => {
  const app = await startApp(t);
  const port = new URL(app.url).port;
  const { page } = await person(t);
  await reportOnline(page);
  await page.goto(`${app.url}/?lang=en#${'U'.repeat(22)}`);
  await shown(page, '>>> button[name=join]');
  app.process.kill('SIGKILL');
  await new Promise((r) => app.process.once('exit', r));
  // Joined from the lobby that loaded while the box was up: the call itself retries.
  await fill(page, '>>> #name', 'Uli');
  await click(page, '>>> button[name=join]');
  assert.match(await shown(page, role('status'), 'The meeting server cannot be reached right now'), /You join as soon as it answers\. Next try in \d+ s\./);
  await startApp(t, { PORT: port });
  await shown(page, role('status'), 'only one here');
});

test('the language picker switches the page at once and the choice is remembered', async (t) => {
  const app = await startApp(t);
  const { page } = await person(t);
  await page.goto(`${app.url}/?lang=en`);
  await shown(page, role('button', 'Start a meeting'));
  await fill(page, role('combobox', 'Language'), 'fr');
  await shown(page, role('button', 'Démarrer une réunion'));
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
  await page.goto(`${app.url}/`);
  await shown(page, role('button', 'Démarrer une réunion'));
  await fill(page, role('combobox', 'Langue'), 'de');
  await shown(page, role('button', 'Besprechung starten'));
});
