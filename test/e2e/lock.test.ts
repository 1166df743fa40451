import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinAs, person, playingVideos, startApp, tileCount, waitFor } from './helpers.js';

test('lock, knock, decline, admit and remove with three browsers', async (t) => {
  const app = await startApp(t);
  const link = `${app.url}/?lang=en#${'L'.repeat(22)}`;
  const [ada, bob, cem] = [await person(t), await person(t), await person(t)];
  await joinAs(ada.page, link, 'Ada');
  await joinAs(bob.page, link, 'Bob');
  for (const p of [ada, bob])
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 2,
      'Ada and Bob in',
    );

  await ada.page.getByRole('button', { name: 'Lock the meeting (newcomers must be let in)' }).click();
  await bob.page.getByRole('status').filter({ hasText: 'Meeting locked.' }).waitFor();

  // Cem knocks and is declined.
  await joinAs(cem.page, link, 'Cem');
  await cem.page.getByRole('status').filter({ hasText: 'Waiting until someone lets you in' }).waitFor();
  assert.equal(await tileCount(cem.page), 1, 'a knocker sees nobody');
  assert.equal(await tileCount(ada.page), 2, 'the knocker is not in the grid');
  await ada.page.getByText('Cem wants to join.').waitFor();
  await bob.page.getByText('Cem wants to join.').waitFor();
  await ada.page.getByRole('button', { name: 'Decline' }).click();
  await cem.page.getByText('You were not let into this meeting.').waitFor();
  await bob.page.getByText('Cem wants to join.').waitFor({ state: 'detached' });

  // Cem comes back (a new visit knocks anew) and Bob lets him in.
  await cem.page.goto('about:blank');
  await joinAs(cem.page, link, 'Cem');
  await bob.page.getByText('Cem wants to join.').waitFor();
  await bob.page.getByRole('button', { name: 'Let in' }).click();
  for (const p of [ada, bob, cem])
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 3,
      'three in the meeting',
    );
  await ada.page.getByText('Cem wants to join.').waitFor({ state: 'detached' });

  // Ada removes Cem; everyone drops him and he reads why.
  await ada.page.getByRole('button', { name: 'People', exact: true }).click();
  ada.page.once('dialog', (d) => void d.accept());
  await ada.page.getByRole('button', { name: 'Remove Cem' }).click();
  await cem.page.getByText('You were removed from this meeting.').waitFor();
  for (const p of [ada, bob])
    await waitFor(
      () => tileCount(p.page),
      (n) => n === 2,
      'Cem gone everywhere',
    );

  // Unlocking lets people in directly again.
  await ada.page.getByRole('button', { name: 'Unlock the meeting' }).click();
  await bob.page.getByRole('status').filter({ hasText: 'Meeting locked.' }).waitFor({ state: 'detached' });
  await cem.page.goto('about:blank');
  await joinAs(cem.page, link, 'Cem');
  for (const p of [ada, bob, cem])
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 3,
      'in directly after unlock',
    );
});
