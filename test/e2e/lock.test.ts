import assert from 'node:assert/strict';
import { test } from 'node:test';
import { click, gone, joinAs, person, playingVideos, role, shown, startApp, text, tileCount, waitFor } from './helpers.js';

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

  await click(ada.page, role('button', 'Lock the meeting (newcomers must be let in)'));
  await shown(bob.page, role('status'), 'Meeting locked.');

  // Cem knocks and is declined.
  await joinAs(cem.page, link, 'Cem');
  await shown(cem.page, role('status'), 'Waiting until someone lets you in');
  assert.equal(await tileCount(cem.page), 1, 'a knocker sees nobody');
  assert.equal(await tileCount(ada.page), 2, 'the knocker is not in the grid');
  await shown(ada.page, text('Cem wants to join.'));
  await shown(bob.page, text('Cem wants to join.'));
  await click(ada.page, role('button', 'Decline'));
  await shown(cem.page, text('You were not let into this meeting.'));
  await gone(bob.page, text('Cem wants to join.'));

  // Cem comes back (a new visit knocks anew) and Bob lets him in.
  await cem.page.goto('about:blank');
  await joinAs(cem.page, link, 'Cem');
  await shown(bob.page, text('Cem wants to join.'));
  await click(bob.page, role('button', 'Let in'));
  for (const p of [ada, bob, cem])
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 3,
      'three in the meeting',
    );
  await gone(ada.page, text('Cem wants to join.'));

  // Ada removes Cem; everyone drops him and he reads why.
  await click(ada.page, role('button', 'People'));
  ada.page.once('dialog', (d) => void d.accept());
  await click(ada.page, role('button', 'Remove Cem'));
  await shown(cem.page, text('You were removed from this meeting.'));
  for (const p of [ada, bob])
    await waitFor(
      () => tileCount(p.page),
      (n) => n === 2,
      'Cem gone everywhere',
    );

  // Unlocking lets people in directly again.
  await click(ada.page, role('button', 'Unlock the meeting'));
  await gone(bob.page, role('status'), 'Meeting locked.');
  await cem.page.goto('about:blank');
  await joinAs(cem.page, link, 'Cem');
  for (const p of [ada, bob, cem])
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 3,
      'in directly after unlock',
    );
});
