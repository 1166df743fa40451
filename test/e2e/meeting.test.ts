import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinAs, person, playingVideos, startApp, waitFor } from './helpers.js';

const micPressed = (page: import('playwright-core').Page) => page.locator('runde-controls button[name=mic]').getAttribute('aria-pressed');

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
    await ada.page.getByRole('button', { name: 'Chat', exact: true }).click();
    const field = ada.page.getByRole('textbox', { name: 'Message to everyone' });
    await field.fill('Agenda: https://example.org/a?b=1 <b>not bold</b>');
    await field.press('Enter');
    await bob.page.getByRole('button', { name: 'Chat, 1 unread' }).waitFor();
    await bob.page.getByRole('button', { name: 'Chat, 1 unread' }).click();
    const message = bob.page.locator('runde-chat li').last();
    await message.waitFor();
    assert.match(await message.innerText(), /Ada[\s\S]*Agenda: https:\/\/example\.org\/a\?b=1 <b>not bold<\/b>/);
    const link = message.locator('a');
    assert.equal(await link.getAttribute('href'), 'https://example.org/a?b=1');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    assert.equal(await message.locator('.text b').count(), 0, 'no HTML from a peer is rendered');
  });

  await t.test('M toggles the microphone, but not while typing in the chat field', async () => {
    await ada.page.locator('runde-tile[data-local]').click(); // focus out of any field
    assert.equal(await micPressed(ada.page), 'true');
    await ada.page.keyboard.press('m');
    await waitFor(
      () => micPressed(ada.page),
      (v) => v === 'false',
      'mic off by shortcut',
    );
    const bobSeesMuted = () => bob.page.locator('runde-tile[data-peer] .muted').count();
    await waitFor(bobSeesMuted, (n) => n === 1, 'Bob sees Ada muted');
    const field = ada.page.getByRole('textbox', { name: 'Message to everyone' });
    await field.click();
    await field.pressSequentially('mmm');
    assert.equal(await field.inputValue(), 'mmm');
    assert.equal(await micPressed(ada.page), 'false', 'typing did not toggle the microphone');
    await ada.page.locator('runde-tile[data-local]').click();
    await ada.page.keyboard.press('m');
    await waitFor(
      () => micPressed(ada.page),
      (v) => v === 'true',
      'mic on again',
    );
  });

  await t.test('? opens the shortcut list and Escape closes it', async () => {
    await ada.page.keyboard.press('?');
    const dialog = ada.page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Hold to talk while muted/);
    await ada.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  await t.test('a shared screen appears as its own large tile at the other', async () => {
    await ada.page.getByRole('button', { name: 'Share your screen' }).click();
    const screen = bob.page.locator('runde-tile[data-screen]');
    await screen.waitFor();
    // The sender keeps text legible: resolution before frame rate.
    const hint = await ada.page
      .locator('runde-tile[data-screen] video')
      .evaluate((v: HTMLVideoElement) => (v.srcObject as MediaStream).getVideoTracks()[0].contentHint);
    assert.equal(hint, 'detail');
    assert.equal(await screen.getAttribute('name'), "Ada's screen");
    await waitFor(
      () => screen.locator('video').evaluate((v: HTMLVideoElement) => v.videoWidth),
      (w) => w > 0,
      'screen video plays',
    );
    await ada.page.getByRole('button', { name: 'Stop sharing your screen' }).click();
    await screen.waitFor({ state: 'detached' });
    await waitFor(
      () => playingVideos(bob.page),
      (n) => n === 2,
      'camera videos still play',
    );
  });

  await t.test('the people panel lists everyone, hands in order, and connection figures', async () => {
    await bob.page.getByRole('button', { name: 'Raise hand' }).click();
    await ada.page.getByRole('button', { name: 'Raise hand' }).click();
    await ada.page.getByRole('button', { name: 'People', exact: true }).click();
    const panel = ada.page.locator('runde-people');
    await waitFor(
      () => panel.locator('ol.hands li').allInnerTexts(),
      (l) => l.length === 2,
      'two hands',
    );
    assert.deepEqual(await panel.locator('ol.hands li').allInnerTexts(), ['Bob', 'Ada (you)']);
    await panel.locator('li details summary').first().click();
    await waitFor(
      () => panel.locator('dl.quality').first().innerText(),
      (text) => /\d+ ms/.test(text) && /\d+ kbit\/s/.test(text),
      'figures from real stats',
    );
  });
});
