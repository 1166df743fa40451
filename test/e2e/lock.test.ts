import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { joinAs, person, playingVideos, startApp, tileCount, waitFor, type Person } from './helpers.js';

const LOCK = 'Lock the meeting (newcomers must be let in)';
/** Counts the tones a page starts (the knock chime is made with Web Audio oscillators). */
const COUNT_TONES = `(() => {
  window.__tones = 0;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) { window.__tones++; return start.apply(this, args); };
})();`;

/** A fresh host link, as "Start a meeting" makes one. */
const newHostLink = (url: string) => `${url}/?lang=en#host:${randomBytes(16).toString('base64url')}`;

/** Types a name into the lobby already on screen and joins (joinAs opens the link first). */
async function joinFromLobby(page: Page, name: string): Promise<void> {
  await page.locator('#name').fill(name);
  await page.locator('button[name=join]:enabled').click();
}

/** The host's notice row for `name`. */
const knockRow = (p: Person, name: string) => p.page.locator('runde-knocks li', { hasText: `${name} wants to join.` });

const inCall = (p: Person, n: number, what: string) =>
  waitFor(
    () => playingVideos(p.page),
    (v) => v === n,
    what,
  );

test('a host locks, lets in, declines and removes; a participant sees none of it; a reload keeps host rights', async (t) => {
  const app = await startApp(t);
  const hostLink = newHostLink(app.url);
  const [ada, bob, cem] = [await person(t), await person(t), await person(t)];
  await ada.context.addInitScript(COUNT_TONES);

  // Ada opens the host link: her lobby offers the host link too, her address bar the participant link.
  await ada.page.goto(hostLink);
  await ada.page.getByRole('button', { name: 'Copy host link' }).waitFor();
  await joinFromLobby(ada.page, 'Ada');
  await ada.page.waitForURL(/\?lang=en#[A-Za-z0-9_-]{22}$/);
  const link = ada.page.url();
  await joinAs(bob.page, link, 'Bob');
  for (const p of [ada, bob]) await inCall(p, 2, 'Ada and Bob in');
  assert.equal(await bob.page.locator('runde-controls button[name=copy-host]').count(), 0, 'Bob is offered no host link');

  // Only the host can lock.
  assert.equal(await bob.page.locator('runde-controls button[name=lock]').count(), 0, 'no lock for Bob');
  await ada.page.getByRole('button', { name: LOCK }).click();
  await bob.page.getByRole('status').filter({ hasText: 'Meeting locked.' }).waitFor();

  // Cem knocks: a waiting screen without call controls; only the host is told, with a chime.
  await joinAs(cem.page, link, 'Cem');
  await cem.page.getByRole('heading', { name: 'This meeting is locked' }).waitFor();
  await cem.page.getByRole('status').filter({ hasText: 'Waiting for a host to let you in.' }).waitFor();
  assert.equal(await cem.page.locator('runde-controls').count(), 0, 'a knocker has no call controls');
  assert.equal(await tileCount(cem.page), 0, 'a knocker sees nobody');
  await knockRow(ada, 'Cem').waitFor();
  await ada.page.locator('runde-call [aria-live=polite]').filter({ hasText: 'Cem wants to join.' }).waitFor();
  assert.ok((await ada.page.evaluate(() => (window as unknown as { __tones: number }).__tones)) > 0, 'the host heard a chime');
  assert.equal(await tileCount(ada.page), 2, 'the knocker is not in the grid');
  // Cem waits only once everyone answered his hello, Bob too: Bob would list the knock by now.
  assert.equal(await bob.page.locator('runde-knocks').count(), 0, 'Bob is shown no knocks');
  assert.equal(await bob.page.getByText('Cem wants to join.').count(), 0, 'nor told of them');
  await knockRow(ada, 'Cem').getByRole('button', { name: 'Decline' }).click();
  await cem.page.getByText('You were not let into this meeting.').waitFor();
  await knockRow(ada, 'Cem').waitFor({ state: 'detached' });

  // Cem comes back (a new visit knocks anew) and Ada lets him in.
  await cem.page.goto('about:blank');
  await joinAs(cem.page, link, 'Cem');
  await knockRow(ada, 'Cem').getByRole('button', { name: 'Let in' }).click();
  for (const p of [ada, bob, cem]) await inCall(p, 3, 'three in the meeting');
  await knockRow(ada, 'Cem').waitFor({ state: 'detached' });

  // Bob's people panel: Ada is marked as host, and Bob has no actions on anyone.
  await bob.page.getByRole('button', { name: 'People', exact: true }).click();
  await bob.page.locator('runde-people li', { hasText: 'Ada' }).locator('.badge', { hasText: 'Host' }).waitFor();
  await bob.page.locator('runde-people li', { hasText: 'Cem' }).waitFor();
  assert.equal(
    await bob.page
      .locator('runde-people button')
      .filter({ hasText: /Remove|Mute/ })
      .count(),
    0,
    'no remove or mute for Bob',
  );
  assert.equal(await bob.page.locator('runde-people button[name=actions], runde-people button[name=mute-all]').count(), 0, 'no menus for Bob');

  // Ada removes Cem through his menu; everyone drops him and he reads why.
  await ada.page.getByRole('button', { name: 'People', exact: true }).click();
  await ada.page.getByRole('button', { name: 'More actions for Cem' }).click();
  ada.page.once('dialog', (d) => void d.accept());
  await ada.page.getByRole('menuitem', { name: 'Remove Cem' }).click();
  await cem.page.getByText('You were removed from this meeting.').waitFor();
  for (const p of [ada, bob])
    await waitFor(
      () => tileCount(p.page),
      (n) => n === 2,
      'Cem gone everywhere',
    );

  // Ada asks Bob to mute: Bob's own browser mutes him and says who asked.
  assert.equal(await bob.page.locator('runde-controls button[name=mic]').getAttribute('aria-pressed'), 'true');
  await ada.page.getByRole('button', { name: 'More actions for Bob' }).click();
  await ada.page.getByRole('menuitem', { name: 'Ask Bob to mute' }).click();
  await bob.page.getByRole('status').filter({ hasText: 'Ada asked you to mute. You are muted — unmute when you want to speak.' }).waitFor();
  assert.equal(await bob.page.locator('runde-controls button[name=mic]').getAttribute('aria-pressed'), 'false');

  // A reload of the participant link in Ada's address bar keeps her a host: she can still admit.
  await ada.page.reload();
  await joinFromLobby(ada.page, 'Ada');
  await ada.page.getByRole('button', { name: 'Unlock the meeting' }).waitFor();
  await inCall(ada, 2, 'Ada back with Bob');
  await cem.page.goto('about:blank');
  await joinAs(cem.page, link, 'Cem');
  await knockRow(ada, 'Cem').getByRole('button', { name: 'Let in' }).click();
  for (const p of [ada, bob, cem]) await inCall(p, 3, 'let in by the reloaded host');

  // The host link to pass on to co-hosts. (Granted only now: granting a permission denies the
  // others, which kept new connections from forming.)
  await ada.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
  await ada.page.getByRole('button', { name: 'Copy host link (gives host rights, for co-hosts)' }).click();
  await ada.page.getByRole('status').filter({ hasText: 'Host link copied.' }).waitFor();
  assert.equal(await ada.page.evaluate(() => navigator.clipboard.readText()), hostLink.replace('/?lang=en', '/'));
});

test('a host alone in her locked meeting sees a knock she can act on; Cancel takes a knocker away', async (t) => {
  const app = await startApp(t);
  const [ada, cem] = [await person(t), await person(t)];
  await joinAs(ada.page, newHostLink(app.url), 'Ada');
  await ada.page.getByRole('button', { name: LOCK }).click();
  await ada.page.getByRole('status').filter({ hasText: 'Meeting locked.' }).waitFor();
  const link = ada.page.url();
  await joinAs(cem.page, link, 'Cem');
  const letIn = knockRow(ada, 'Cem').getByRole('button', { name: 'Let in' });
  await letIn.waitFor();
  const box = await letIn.boundingBox();
  assert.ok(box && box.height >= 24 && box.width >= 24, `"Let in" is large enough to see and hit: ${JSON.stringify(box)}`);

  // Cancel on the waiting screen leaves, as the leave button does, and the knock goes.
  await cem.page.getByRole('button', { name: 'Cancel' }).click();
  await cem.page.getByText('You left the meeting.').waitFor();
  await knockRow(ada, 'Cem').waitFor({ state: 'detached' });

  await cem.page.goto('about:blank');
  await joinAs(cem.page, link, 'Cem');
  await letIn.click();
  for (const p of [ada, cem]) await inCall(p, 2, 'Cem let in');
});

test('a knocker is told when no host is there, and again when one comes', async (t) => {
  const app = await startApp(t);
  const [ada, bob, cem] = [await person(t), await person(t), await person(t)];
  await joinAs(ada.page, newHostLink(app.url), 'Ada');
  const link = ada.page.url();
  await joinAs(bob.page, link, 'Bob');
  for (const p of [ada, bob]) await inCall(p, 2, 'Ada and Bob in');
  await ada.page.getByRole('button', { name: LOCK }).click();
  await bob.page.getByRole('status').filter({ hasText: 'Meeting locked.' }).waitFor();
  await ada.page.getByRole('button', { name: 'Leave meeting' }).click();
  await waitFor(
    () => tileCount(bob.page),
    (n) => n === 1,
    'Ada gone',
  );

  await joinAs(cem.page, link, 'Cem');
  await cem.page.getByRole('status').filter({ hasText: 'No host is in the meeting yet.' }).waitFor();
  await ada.page.getByRole('button', { name: 'Rejoin' }).click();
  await joinFromLobby(ada.page, 'Ada');
  await cem.page.getByRole('status').filter({ hasText: 'Waiting for a host to let you in.' }).waitFor();
  await knockRow(ada, 'Cem').getByRole('button', { name: 'Let in' }).click();
  for (const p of [ada, bob, cem]) await inCall(p, 3, 'Cem let in');
});
