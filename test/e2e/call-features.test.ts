/**
 * Features of a call that people rely on, each used the way a person uses it (buttons, dialogs,
 * keys) and checked where its effect shows: at the other person's browser, in the connection's
 * statistics and parameters, in the clipboard, in a downloaded file.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { inbound, joinAs, person, playingVideos, RECORD_PEER_CONNECTIONS, startApp, videoSendersActive, waitFor } from './helpers.js';

const SECRET = 'F'.repeat(22);

/** Records every picture-in-picture request (window.__pip): which tile, and how it ended. */
const RECORD_PICTURE_IN_PICTURE = `(() => {
  const request = HTMLVideoElement.prototype.requestPictureInPicture;
  window.__pip = [];
  HTMLVideoElement.prototype.requestPictureInPicture = function () {
    const entry = { tile: this.getRootNode().host?.getAttribute('name') ?? null, outcome: 'pending' };
    window.__pip.push(entry);
    const result = request.call(this);
    result.then(() => (entry.outcome = 'opened'), (e) => (entry.outcome = e.name + ': ' + e.message));
    return result;
  };
})();`;

interface PipAttempt {
  tile: string | null;
  outcome: string;
}
const pipAttempts = (page: Page) => page.evaluate(() => (window as unknown as { __pip: PipAttempt[] }).__pip);

/** The tile that shows `name` at `page`. */
const tileOf = (page: Page, name: string) => page.locator(`runde-tile[name="${name}"]`);
const pressed = (page: Page, button: string) => page.locator(`runde-controls button[name=${button}]`).getAttribute('aria-pressed');
/** Whether the own microphone track is on (what muting really changes: the track sends silence). */
const ownMicEnabled = (page: Page) =>
  page.locator('runde-tile[data-local] video').evaluate((v: HTMLVideoElement) => (v.srcObject as MediaStream).getAudioTracks()[0].enabled);

test('two people: sound-only mode, hold Space to talk, H for the hand, speaker choice, picture in picture, save chat, copy link', async (t) => {
  const app = await startApp(t);
  const link = `${app.url}/?lang=en#${SECRET}`;
  const [ada, bob] = [await person(t), await person(t)];
  for (const p of [ada, bob]) await p.context.addInitScript(RECORD_PEER_CONNECTIONS);
  await ada.context.addInitScript(RECORD_PICTURE_IN_PICTURE);
  await joinAs(ada.page, link, 'Ada');
  await joinAs(bob.page, link, 'Bob');
  for (const p of [ada, bob])
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 2,
      'both videos',
    );
  /** Closes Ada's devices dialog if it is open, so that a failed subtest leaves the next one a usable call. */
  const closeDialog = async () => {
    const close = ada.page.getByRole('dialog').getByRole('button', { name: 'Close' });
    if (await close.isVisible()) await close.click();
  };

  await t.test('sound-only mode stops the video the other receives, and it comes back when turned off', async (st) => {
    const adaAtBob = tileOf(bob.page, 'Ada');
    const paused = adaAtBob.getByText('Video paused to save bandwidth');
    const start = await inbound(bob.page);
    await waitFor(
      () => inbound(bob.page),
      (n) => n.frames > start.frames + 20,
      "Bob receives Ada's video",
    );

    await ada.page.getByRole('button', { name: 'Microphone, camera and speaker' }).click();
    st.after(closeDialog);
    const soundOnly = ada.page.getByRole('checkbox', { name: 'Low bandwidth: send only my sound, no video' });
    await soundOnly.check();
    await waitFor(
      () => videoSendersActive(ada.page),
      (a) => a.length === 1 && !a[0],
      "Ada's video sender inactive",
    );
    await paused.waitFor();

    // Frames already on their way may still land: a second of audio later they have. From then
    // on, two more seconds of Ada's audio arrive (the sign that media flows) and not one frame.
    const stopped = await inbound(bob.page);
    const settled = await waitFor(
      () => inbound(bob.page),
      (n) => n.audioPackets > stopped.audioPackets + 50,
      "a second of Ada's audio at Bob",
    );
    const later = await waitFor(
      () => inbound(bob.page),
      (n) => n.audioPackets > settled.audioPackets + 100,
      "two more seconds of Ada's audio at Bob",
    );
    assert.equal(
      later.frames,
      settled.frames,
      `no video frame from Ada while sound-only is on (audio packets ${settled.audioPackets} → ${later.audioPackets})`,
    );

    await soundOnly.uncheck();
    await waitFor(
      () => videoSendersActive(ada.page),
      (a) => a.length === 1 && a[0],
      "Ada's video sender active again",
    );
    await waitFor(
      () => inbound(bob.page),
      (n) => n.frames > later.frames + 20,
      "Ada's video frames at Bob again",
    );
    await paused.waitFor({ state: 'detached' });
    await waitFor(
      () => playingVideos(bob.page),
      (n) => n === 2,
      'both videos play at Bob',
    );
  });

  await t.test('holding Space while muted talks, and letting go mutes again, at the other end too', async () => {
    const adaMutedAtBob = () => tileOf(bob.page, 'Ada').locator('.muted').count();
    await tileOf(ada.page, 'Ada (you)').click(); // the focus on no control and no text field
    await ada.page.keyboard.press('m');
    await waitFor(
      () => pressed(ada.page, 'mic'),
      (v) => v === 'false',
      'muted by M',
    );
    await waitFor(adaMutedAtBob, (n) => n === 1, 'Bob sees Ada muted');
    assert.equal(await ownMicEnabled(ada.page), false);

    await ada.page.keyboard.down('Space');
    await waitFor(
      () => pressed(ada.page, 'mic'),
      (v) => v === 'true',
      'microphone on while Space is held',
    );
    assert.equal(await ownMicEnabled(ada.page), true, 'the microphone track sends while Space is held');
    await waitFor(adaMutedAtBob, (n) => n === 0, 'Bob hears Ada while she holds Space');

    await ada.page.keyboard.up('Space');
    await waitFor(
      () => pressed(ada.page, 'mic'),
      (v) => v === 'false',
      'muted again when Space is let go',
    );
    assert.equal(await ownMicEnabled(ada.page), false);
    await waitFor(adaMutedAtBob, (n) => n === 1, 'Bob sees Ada muted again');

    await ada.page.keyboard.press('m');
    await waitFor(
      () => pressed(ada.page, 'mic'),
      (v) => v === 'true',
      'microphone on again by M',
    );
  });

  await t.test('H raises the hand and lowers it again, at the other end too', async () => {
    const handAtBob = tileOf(bob.page, 'Ada').locator('.hand');
    await ada.page.keyboard.press('h');
    await waitFor(
      () => pressed(ada.page, 'hand'),
      (v) => v === 'true',
      'hand up by H',
    );
    await handAtBob.waitFor();
    assert.equal(await handAtBob.getAttribute('aria-label'), 'Hand raised, number 1 in line');
    await ada.page.keyboard.press('h');
    await waitFor(
      () => pressed(ada.page, 'hand'),
      (v) => v === 'false',
      'hand down by H',
    );
    await handAtBob.waitFor({ state: 'detached' });
  });

  await t.test('the chosen speaker plays the others, not the own view', async (st) => {
    await ada.page.getByRole('button', { name: 'Microphone, camera and speaker' }).click();
    st.after(closeDialog);
    const [chosen] = await ada.page.getByLabel('Speaker', { exact: true }).selectOption({ label: 'Fake Audio Output 1' });
    assert.ok(chosen && chosen !== 'default', `a device of its own: ${chosen}`);
    const sinkOf = (name: string) =>
      tileOf(ada.page, name)
        .locator('video')
        .evaluate((v: HTMLVideoElement) => v.sinkId);
    await waitFor(
      () => sinkOf('Bob'),
      (id) => id === chosen,
      "Bob's tile plays through the chosen speaker",
    );
    assert.equal(await sinkOf('Ada (you)'), '', 'the own (silent) view is left alone');
  });

  await t.test("picture in picture shows the other person's video, and a refusal is explained", async () => {
    await ada.page.getByRole('button', { name: 'Picture in picture' }).click();
    const [first] = await waitFor(
      () => pipAttempts(ada.page),
      (a) => a.length === 1 && a[0].outcome !== 'pending',
      'a picture-in-picture request',
    );
    assert.equal(first.tile, 'Bob', 'the other person, not the own view');
    const refused = ada.page.getByRole('status').filter({ hasText: 'This browser did not open picture in picture.' });
    t.diagnostic(`picture in picture: ${first.outcome}`);
    if (first.outcome === 'opened') {
      const floating = await tileOf(ada.page, 'Bob').evaluate((tile) => tile.shadowRoot!.pictureInPictureElement === tile.shadowRoot!.querySelector('video'));
      assert.equal(floating, true, "Bob's video floats");
      await ada.page.evaluate(() => document.exitPictureInPicture());
    } else {
      // Headless browsers may refuse; then the person must read why.
      await refused.waitFor();
    }
    // A refusal, for real: a video that may not float.
    await tileOf(ada.page, 'Bob')
      .locator('video')
      .evaluate((v: HTMLVideoElement) => (v.disablePictureInPicture = true));
    await ada.page.getByRole('button', { name: 'Picture in picture' }).click();
    const attempts = await waitFor(
      () => pipAttempts(ada.page),
      (a) => a.length === 2 && a[1].outcome !== 'pending',
      'a second request',
    );
    assert.notEqual(attempts[1].outcome, 'opened');
    await refused.waitFor();
    await tileOf(ada.page, 'Bob')
      .locator('video')
      .evaluate((v: HTMLVideoElement) => (v.disablePictureInPicture = false));
  });

  await t.test('"Save chat" downloads the chat as text', async () => {
    await ada.page.getByRole('button', { name: 'Chat', exact: true }).click();
    const field = ada.page.getByRole('textbox', { name: 'Message to everyone' });
    await field.fill('Agenda first');
    await field.press('Enter');
    await bob.page.getByRole('button', { name: 'Chat, 1 unread' }).click();
    const bobField = bob.page.getByRole('textbox', { name: 'Message to everyone' });
    await bobField.fill('Then the budget');
    await bobField.press('Enter');
    await waitFor(
      () => ada.page.locator('runde-chat .text').allTextContents(),
      (l) => l.length === 2,
      "Bob's message at Ada",
    );

    const download = ada.page.waitForEvent('download');
    await ada.page.getByRole('button', { name: 'Save chat' }).click();
    const file = await download;
    assert.match(file.suggestedFilename(), /^runde-chat-\d{4}-\d{2}-\d{2}\.txt$/);
    const text = readFileSync((await file.path())!, 'utf8');
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, 2, text);
    assert.match(lines[0], /^\[[^\]]+\] You: Agenda first$/);
    assert.match(lines[1], /^\[[^\]]+\] Bob: Then the budget$/);
  });

  await t.test('"Copy meeting link" puts the link with its secret in the clipboard', async () => {
    await ada.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    await ada.page.getByRole('button', { name: 'Copy meeting link' }).click();
    await ada.page.getByRole('status').filter({ hasText: 'Link copied.' }).waitFor();
    assert.equal(await ada.page.evaluate(() => navigator.clipboard.readText()), `${app.url}/#${SECRET}`);
  });
});

test('the speaker layout shows whoever speaks large, and the grid comes back', async (t) => {
  const app = await startApp(t);
  const link = `${app.url}/?lang=en#${'G'.repeat(22)}`;
  const [ada, bob, cem] = [await person(t), await person(t), await person(t)];
  await joinAs(ada.page, link, 'Ada');
  await joinAs(bob.page, link, 'Bob');
  await joinAs(cem.page, link, 'Cem');
  for (const p of [ada, bob, cem])
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 3,
      'three videos',
    );

  // Every fake microphone beeps: only the one left on can be the speaker.
  const toggleMic = async (page: Page, on: boolean) => {
    await page.keyboard.press('m');
    await waitFor(
      () => pressed(page, 'mic'),
      (v) => v === String(on),
      `microphone ${on ? 'on' : 'off'}`,
    );
  };
  await toggleMic(ada.page, false);
  await toggleMic(cem.page, false);

  await ada.page.getByRole('button', { name: 'Show the speaker large' }).click();
  const main = ada.page.locator('runde-tile.main');
  await waitFor(
    () => main.getAttribute('name'),
    (name) => name === 'Bob',
    'Bob, who speaks, shown large',
  );
  const [large, ...small] = await ada.page
    .locator('runde-tile')
    .evaluateAll((tiles) =>
      tiles
        .map((el) => ({ main: el.classList.contains('main'), area: el.getBoundingClientRect().width * el.getBoundingClientRect().height }))
        .sort((a, b) => Number(b.main) - Number(a.main)),
    );
  assert.equal(small.length, 2);
  for (const s of small) assert.ok(large.area > 2 * s.area, `the speaker's tile is much larger: ${large.area} against ${s.area}`);

  await toggleMic(bob.page, false);
  await toggleMic(cem.page, true);
  await waitFor(
    () => main.getAttribute('name'),
    (name) => name === 'Cem',
    'Cem, who speaks now, shown large',
  );

  await ada.page.getByRole('button', { name: 'Show everyone in a grid' }).click();
  await main.waitFor({ state: 'detached' });
  assert.equal(await ada.page.locator('runde-grid.all runde-tile').count(), 3);
});
