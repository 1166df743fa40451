import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinAs, person, playingVideos, startApp, tileCount, waitFor } from './helpers.js';

test('three people open one link, join, and each sees three playing videos; leavers go at once', async (t) => {
  // A long grace period: only an explicit leave can remove a tile within this test's waits.
  const app = await startApp(t, { GRACE_MS: '120000' });
  const [ada, bob, cem] = [await person(t), await person(t), await person(t)];

  await ada.page.goto(`${app.url}/?lang=en`);
  await ada.page.getByRole('button', { name: 'Start a meeting' }).click();
  await ada.page.waitForURL(/#[A-Za-z0-9_-]{22}$/);
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
  const names = await ada.page.locator('runde-tile .name').allTextContents();
  assert.deepEqual(names.sort(), ['Ada (you)', 'Bob', 'Cem']);

  const leftAt = Date.now();
  await cem.page.getByRole('button', { name: 'Leave meeting' }).click();
  await cem.page.getByText('You left the meeting.').waitFor();
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
  const alert = people[2].page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /This meeting is full\. Ask someone to leave, or start a new meeting\./);
});

test('name, microphone choice and language survive a reload', async (t) => {
  const app = await startApp(t);
  const { page } = await person(t);
  await page.goto(`${app.url}/?lang=de#${'S'.repeat(22)}`);
  await page.getByRole('button', { name: 'Beitreten' }).waitFor();
  await page.locator('#name').fill('Dora');
  await page.locator('input[name=mic-on]').uncheck();
  await joinAs(page, page.url(), 'Dora');
  await waitFor(
    () => playingVideos(page),
    (n) => n === 1,
    'own video',
  );
  await page.goto(`${app.url}/#${'S'.repeat(22)}`); // no ?lang this time
  await page.getByRole('button', { name: 'Beitreten' }).waitFor();
  assert.equal(await page.locator('#name').inputValue(), 'Dora');
  assert.equal(await page.locator('input[name=mic-on]').isChecked(), false);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
});

test('an incomplete link gets a sentence instead of a broken page', async (t) => {
  const app = await startApp(t);
  const { page } = await person(t);
  await page.goto(`${app.url}/?lang=en#tooShort`);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /This meeting link is incomplete/);
});

test('an unreachable box is explained, retried with backoff, and the call starts once it is back', async (t) => {
  const app = await startApp(t);
  const port = new URL(app.url).port;
  const { page } = await person(t);
  await page.goto(`${app.url}/?lang=en#${'U'.repeat(22)}`);
  await page.locator('button[name=join]').waitFor();
  app.process.kill('SIGKILL');
  await new Promise((r) => app.process.once('exit', r));
  await joinAs(page, page.url(), 'Uli');
  const status = page.getByRole('status').filter({ hasText: 'Cannot reach the meeting server' });
  await status.waitFor();
  assert.match(await status.innerText(), /Runde keeps trying\. Next try in \d+ s\./);
  await startApp(t, { PORT: port });
  await page.getByRole('status').filter({ hasText: 'only one here' }).waitFor({ timeout: 30_000 });
});

test('the language picker switches the page at once and the choice is remembered', async (t) => {
  const app = await startApp(t);
  const { page } = await person(t);
  await page.goto(`${app.url}/?lang=en`);
  await page.getByRole('button', { name: 'Start a meeting' }).waitFor();
  await page.getByLabel('Language').selectOption('fr');
  await page.getByRole('button', { name: 'Démarrer une réunion' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'fr');
  await page.goto(`${app.url}/`);
  await page.getByRole('button', { name: 'Démarrer une réunion' }).waitFor();
  await page.getByLabel('Langue').selectOption('de');
  await page.getByRole('button', { name: 'Besprechung starten' }).waitFor();
});
