import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { Page } from 'puppeteer-core';
import {
  clickInMore,
  attribute,
  click,
  count,
  fill,
  gone,
  joinAs,
  person,
  playingVideos,
  role,
  shown,
  startApp,
  text,
  tileCount,
  urlMatches,
  waitFor,
  type Person,
} from './helpers.js';

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
  await fill(page, '>>> #name', name);
  await click(page, '>>> button[name=join]');
}

/** The host's notice row of the knocker `name` (waits for it), and a button in it. */
const KNOCK_ROW = '>>> runde-knocks >>> li';
async function knockButton(p: Person, name: string, button: 'Let in' | 'Decline'): Promise<string> {
  await shown(p.page, KNOCK_ROW, `${name} wants to join.`);
  const index = await p.page.$$eval(KNOCK_ROW, (rows, n) => rows.findIndex((r) => (r.textContent ?? '').includes(n)), `${name} wants to join.`);
  return `${KNOCK_ROW}:nth-of-type(${index + 1}) ${role('button', button)}`;
}

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
  await ada.page.evaluateOnNewDocument(COUNT_TONES);

  // Ada opens the host link: her lobby offers the host link too, her address bar the participant link.
  await ada.page.goto(hostLink);
  await shown(ada.page, role('button', 'Copy host link'));
  await joinFromLobby(ada.page, 'Ada');
  await urlMatches(ada.page, /\?lang=en#[A-Za-z0-9_-]{22}$/);
  const link = ada.page.url();
  await joinAs(bob.page, link, 'Bob');
  for (const p of [ada, bob]) await inCall(p, 2, 'Ada and Bob in');
  await clickInMore(bob.page, role('button', 'Invite people'));
  await shown(bob.page, '>>> runde-invite >>> #participant-link');
  assert.equal(await count(bob.page, '>>> runde-invite >>> #host-link'), 0, 'Bob is offered no host link');
  await click(bob.page, '>>> runde-invite >>> button[name=close]');

  // Only the host can lock.
  await click(bob.page, '>>> runde-controls >>> button[name=more]');
  await shown(bob.page, '>>> runde-controls >>> button[name=invite]');
  assert.equal(await count(bob.page, '>>> runde-controls >>> button[name=lock]'), 0, 'no lock for Bob');
  await click(bob.page, '>>> runde-controls >>> button[name=more]'); // closes the menu again
  await clickInMore(ada.page, role('button', LOCK));
  await shown(bob.page, role('status'), 'Meeting locked.');

  // Cem knocks: a waiting screen without call controls; only the host is told, with a chime.
  await joinAs(cem.page, link, 'Cem');
  await shown(cem.page, role('heading', 'This meeting is locked'));
  await shown(cem.page, role('status'), 'Waiting for a host to let you in.');
  assert.equal(await count(cem.page, '>>> runde-controls'), 0, 'a knocker has no call controls');
  assert.equal(await tileCount(cem.page), 0, 'a knocker sees nobody');
  await shown(ada.page, KNOCK_ROW, 'Cem wants to join.');
  await waitFor(
    () => ada.page.$$eval('>>> runde-call >>> [aria-live=polite]', (els) => els.some((e) => (e.textContent ?? '').includes('Cem wants to join.'))),
    (said) => said,
    'the knock announced',
  );
  assert.ok((await ada.page.evaluate(() => (window as unknown as { __tones: number }).__tones)) > 0, 'the host heard a chime');
  assert.equal(await tileCount(ada.page), 2, 'the knocker is not in the grid');
  // Cem waits only once everyone answered his hello, Bob too: Bob would list the knock by now.
  assert.equal(await count(bob.page, '>>> runde-knocks'), 0, 'Bob is shown no knocks');
  assert.equal(await count(bob.page, text('Cem wants to join.')), 0, 'nor told of them');
  await click(ada.page, await knockButton(ada, 'Cem', 'Decline'));
  await shown(cem.page, text('You were not let into this meeting.'));
  await gone(ada.page, KNOCK_ROW, 'Cem wants to join.');

  // Cem comes back (a new visit knocks anew) and Ada lets him in.
  await cem.page.goto('about:blank');
  await joinAs(cem.page, link, 'Cem');
  await click(ada.page, await knockButton(ada, 'Cem', 'Let in'));
  for (const p of [ada, bob, cem]) await inCall(p, 3, 'three in the meeting');
  await gone(ada.page, KNOCK_ROW, 'Cem wants to join.');

  // Bob's people panel: Ada is marked as host, and Bob has no actions on anyone.
  await click(bob.page, role('button', 'People'));
  await shown(bob.page, '>>> runde-people >>> li', 'Cem');
  await waitFor(
    () =>
      bob.page.$$eval('>>> runde-people >>> li', (rows) =>
        rows.some((r) => (r.textContent ?? '').includes('Ada') && [...r.querySelectorAll('.badge')].some((b) => b.textContent?.includes('Host'))),
      ),
    (badge) => badge,
    'Ada marked as host',
  );
  const bobButtons = await bob.page.$$eval('>>> runde-people >>> button', (bs) => bs.map((b) => b.textContent ?? ''));
  assert.equal(bobButtons.filter((b) => /Remove|Mute/.test(b)).length, 0, 'no remove or mute for Bob');
  assert.equal(await count(bob.page, '>>> runde-people >>> button[name=actions]'), 0, 'no menus for Bob');
  assert.equal(await count(bob.page, '>>> runde-people >>> button[name=mute-all]'), 0, 'no mute-all for Bob');

  // Ada removes Cem through his menu; everyone drops him and he reads why.
  await click(ada.page, role('button', 'People'));
  await click(ada.page, role('button', 'More actions for Cem'));
  ada.page.once('dialog', (d) => void d.accept());
  await click(ada.page, role('menuitem', 'Remove Cem'));
  await shown(cem.page, text('You were removed from this meeting.'));
  for (const p of [ada, bob])
    await waitFor(
      () => tileCount(p.page),
      (n) => n === 2,
      'Cem gone everywhere',
    );

  // Ada asks Bob to mute: Bob's own browser mutes him and says who asked.
  const bobMic = '>>> runde-controls >>> button[name=mic]';
  assert.equal(await attribute(bob.page, bobMic, 'aria-pressed'), 'true');
  await click(ada.page, role('button', 'More actions for Bob'));
  await click(ada.page, role('menuitem', 'Ask Bob to mute'));
  await shown(bob.page, role('status'), 'Ada asked you to mute. You are muted — unmute when you want to speak.');
  assert.equal(await attribute(bob.page, bobMic, 'aria-pressed'), 'false');

  // A reload of the participant link in Ada's address bar keeps her a host: she can still admit.
  await ada.page.reload();
  await joinFromLobby(ada.page, 'Ada');
  await click(ada.page, '>>> runde-controls >>> button[name=more]');
  await shown(ada.page, role('button', 'Unlock the meeting'));
  await click(ada.page, '>>> runde-controls >>> button[name=more]'); // closes the menu
  await inCall(ada, 2, 'Ada back with Bob');
  await cem.page.goto('about:blank');
  await joinAs(cem.page, link, 'Cem');
  await click(ada.page, await knockButton(ada, 'Cem', 'Let in'));
  for (const p of [ada, bob, cem]) await inCall(p, 3, 'let in by the reloaded host');

  // The host link to pass on to co-hosts. (Granted only now: granting a permission denies the
  // others, which kept new connections from forming.)
  await ada.browser
    .defaultBrowserContext()
    .setPermission(app.url, { permission: { name: 'clipboard-read' }, state: 'granted' }, { permission: { name: 'clipboard-write' }, state: 'granted' });
  await clickInMore(ada.page, role('button', 'Invite people'));
  await click(ada.page, role('button', 'Copy host link'));
  await shown(ada.page, role('status'), 'Host link copied. Share it only with people who should host with you.');
  assert.equal(await ada.page.evaluate(() => navigator.clipboard.readText()), hostLink.replace('/?lang=en', '/'));
});

test('a host alone in her locked meeting sees a knock she can act on; Cancel takes a knocker away', async (t) => {
  const app = await startApp(t);
  const [ada, cem] = [await person(t), await person(t)];
  await joinAs(ada.page, newHostLink(app.url), 'Ada');
  await clickInMore(ada.page, role('button', LOCK));
  await shown(ada.page, role('status'), 'Meeting locked.');
  const link = ada.page.url();
  await joinAs(cem.page, link, 'Cem');
  const letIn = await knockButton(ada, 'Cem', 'Let in');
  const handle = (await ada.page.waitForSelector(letIn, { visible: true }))!;
  const box = await handle.boundingBox();
  await handle.dispose();
  assert.ok(box && box.height >= 24 && box.width >= 24, `"Let in" is large enough to see and hit: ${JSON.stringify(box)}`);

  // Cancel on the waiting screen leaves, as the leave button does, and the knock goes.
  await click(cem.page, role('button', 'Cancel'));
  await shown(cem.page, text('You left the meeting.'));
  await gone(ada.page, KNOCK_ROW, 'Cem wants to join.');

  await cem.page.goto('about:blank');
  await joinAs(cem.page, link, 'Cem');
  await click(ada.page, await knockButton(ada, 'Cem', 'Let in'));
  for (const p of [ada, cem]) await inCall(p, 2, 'Cem let in');
});

test('a knocker is told when no host is there, and again when one comes', async (t) => {
  const app = await startApp(t);
  const [ada, bob, cem] = [await person(t), await person(t), await person(t)];
  await joinAs(ada.page, newHostLink(app.url), 'Ada');
  const link = ada.page.url();
  await joinAs(bob.page, link, 'Bob');
  for (const p of [ada, bob]) await inCall(p, 2, 'Ada and Bob in');
  await clickInMore(ada.page, role('button', LOCK));
  await shown(bob.page, role('status'), 'Meeting locked.');
  await click(ada.page, role('button', 'Leave meeting'));
  await waitFor(
    () => tileCount(bob.page),
    (n) => n === 1,
    'Ada gone',
  );

  await joinAs(cem.page, link, 'Cem');
  await shown(cem.page, role('status'), 'No host is in the meeting yet.');
  await click(ada.page, role('button', 'Rejoin'));
  await joinFromLobby(ada.page, 'Ada');
  await shown(cem.page, role('status'), 'Waiting for a host to let you in.');
  await click(ada.page, await knockButton(ada, 'Cem', 'Let in'));
  for (const p of [ada, bob, cem]) await inCall(p, 3, 'Cem let in');
});
