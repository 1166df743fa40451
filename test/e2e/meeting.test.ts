import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'puppeteer-core';
import {
  attribute,
  click,
  count,
  evaluateOn,
  fill,
  gone,
  hidden,
  innerText,
  innerTexts,
  joinAs,
  person,
  playingVideos,
  pressed,
  pressIn,
  role,
  shown,
  startApp,
  text,
  waitFor,
} from './helpers.js';

const micPressed = (page: Page) => pressed(page, 'mic');

test('two people use the meeting: chat, shortcuts, screen sharing, people and quality', async (t) => {
  const app = await startApp(t);
  const link = `${app.url}/?lang=en#${'M'.repeat(22)}`;
  const [ada, bob] = [await person(t), await person(t)];
  await joinAs(ada.page, link, 'Ada');
  await joinAs(bob.page, link, 'Bob');
  for (const p of [ada, bob])
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 2,
      'both videos',
    );

  await t.test('a chat message reaches the other, with an unread badge and a safe link', async () => {
    await click(ada.page, role('button', 'Chat'));
    const field = role('textbox', 'Message to everyone');
    await fill(ada.page, field, 'Agenda: https://example.org/a?b=1 <b>not bold</b>');
    await pressIn(ada.page, field, 'Enter');
    await shown(bob.page, role('button', 'Chat, 1 unread'));
    await click(bob.page, role('button', 'Chat, 1 unread'));
    const message = '>>> runde-chat >>> li:last-of-type'; // the chat is one list
    await shown(bob.page, message);
    assert.match(await innerText(bob.page, message), /Ada[\s\S]*Agenda: https:\/\/example\.org\/a\?b=1 <b>not bold<\/b>/);
    assert.equal(await attribute(bob.page, `${message} a`, 'href'), 'https://example.org/a?b=1');
    assert.equal(await attribute(bob.page, `${message} a`, 'rel'), 'noopener noreferrer');
    assert.equal(await count(bob.page, `${message} .text b`), 0, 'no HTML from a peer is rendered');
  });

  await t.test('M toggles the microphone, but not while typing in the chat field', async () => {
    await click(ada.page, '>>> runde-tile[data-local]'); // focus out of any field
    assert.equal(await micPressed(ada.page), 'true');
    await ada.page.keyboard.press('m');
    await waitFor(
      () => micPressed(ada.page),
      (v) => v === 'false',
      'mic off by shortcut',
    );
    const bobSeesMuted = () => count(bob.page, '>>> runde-tile[data-peer] >>> .muted');
    await waitFor(bobSeesMuted, (n) => n === 1, 'Bob sees Ada muted');
    const field = role('textbox', 'Message to everyone');
    await click(ada.page, field);
    await ada.page.keyboard.type('mmm');
    assert.equal(await evaluateOn(ada.page, field, (el: HTMLTextAreaElement) => el.value), 'mmm');
    assert.equal(await micPressed(ada.page), 'false', 'typing did not toggle the microphone');
    await click(ada.page, '>>> runde-tile[data-local]');
    await ada.page.keyboard.press('m');
    await waitFor(
      () => micPressed(ada.page),
      (v) => v === 'true',
      'mic on again',
    );
  });

  await t.test('? opens the shortcut list and Escape closes it', async () => {
    await ada.page.keyboard.press('?');
    const dialog = role('dialog', 'Keyboard shortcuts');
    assert.match(await shown(ada.page, dialog), /Hold to talk while muted/);
    await ada.page.keyboard.press('Escape');
    await hidden(ada.page, dialog);
  });

  await t.test('a shared screen appears as its own large tile at the other', async () => {
    await click(ada.page, role('button', 'Share your screen'));
    const screen = '>>> runde-tile[data-screen]';
    await shown(bob.page, screen);
    // The sender keeps text legible: resolution before frame rate.
    const hint = await evaluateOn(ada.page, `${screen} >>> video`, (v: HTMLVideoElement) => (v.srcObject as MediaStream).getVideoTracks()[0].contentHint);
    assert.equal(hint, 'detail');
    assert.equal(await attribute(bob.page, screen, 'name'), "Ada's screen");
    await waitFor(
      () => evaluateOn(bob.page, `${screen} >>> video`, (v: HTMLVideoElement) => v.videoWidth),
      (w) => w > 0,
      'screen video plays',
    );
    // The sharer reads that she presents, with Stop, and sees her screen only as a small preview
    // (full size it would mirror itself endlessly on what the others see).
    await shown(ada.page, role('region', 'Your screen'));
    await shown(ada.page, text('You are presenting your screen to everyone.'));
    const previewWidth = await evaluateOn(ada.page, screen, (el) => el.getBoundingClientRect().width);
    assert.ok(previewWidth > 0 && previewWidth < 200, `a small preview (${previewWidth} px wide)`);
    assert.equal(await count(ada.page, '>>> runde-tile.main'), 0, 'no own screen on the stage');
    await click(ada.page, role('button', 'Stop presenting'));
    await gone(bob.page, screen);
    await gone(ada.page, role('region', 'Your screen'));
    assert.equal(await pressed(ada.page, 'screen'), 'false', 'the bar knows sharing stopped');
    await waitFor(
      () => playingVideos(bob.page),
      (n) => n === 2,
      'camera videos still play',
    );
  });

  await t.test('the people panel lists everyone, hands in order, and connection figures', async () => {
    await click(bob.page, role('button', 'Raise hand'));
    await click(ada.page, role('button', 'Raise hand'));
    await click(ada.page, role('button', 'People'));
    const panel = '>>> runde-people >>>';
    await waitFor(
      () => innerTexts(ada.page, `${panel} ol.hands li`),
      (l) => l.length === 2,
      'two hands',
    );
    assert.deepEqual(await innerTexts(ada.page, `${panel} ol.hands li`), ['Bob', 'Ada (you)']);
    await click(ada.page, `${panel} li details summary`);
    await waitFor(
      () => innerText(ada.page, `${panel} dl.quality`),
      (text) => /\d+ ms/.test(text) && /\d+ kbit\/s/.test(text),
      'figures from real stats',
    );
  });
});
