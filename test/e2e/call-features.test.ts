/**
 * Features of a call that people rely on, each used the way a person uses it (buttons, dialogs,
 * keys) and checked where its effect shows: at the other person's browser, in the connection's
 * statistics and parameters, in the clipboard, in a downloaded file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Browser, Page, Protocol } from 'puppeteer-core';
import {
  clickInMore,
  attribute,
  click,
  count,
  evaluateOn,
  fill,
  gone,
  inbound,
  joinAs,
  person,
  playingVideos,
  pressed,
  pressIn,
  RECORD_PEER_CONNECTIONS,
  ROOT,
  role,
  selectByLabel,
  setChecked,
  shown,
  startApp,
  text,
  texts,
  videoSendersActive,
  waitFor,
} from './helpers.js';

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

/** The tile that shows `name`. */
const tileOf = (name: string) => `>>> runde-tile[name="${name}"]`;
/** Whether the own microphone track is on (what muting really changes: the track sends silence). */
const ownMicEnabled = (page: Page) =>
  evaluateOn(page, '>>> runde-tile[data-local] >>> video', (v: HTMLVideoElement) => (v.srcObject as MediaStream).getAudioTracks()[0].enabled);

interface Download {
  suggestedFilename: string;
  /** Where the browser saved it (removed after the test). */
  path: string;
}

/**
 * Lets `browser` save downloads in a temporary folder; resolves with a promise of the next
 * download, which settles once the file is complete.
 */
async function nextDownload(t: TestContext, browser: Browser): Promise<{ done: Promise<Download> }> {
  const dir = mkdtempSync(join(ROOT, '.tmp', 'downloads-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const session = await browser.target().createCDPSession();
  await session.send('Browser.setDownloadBehavior', { behavior: 'allowAndName', downloadPath: dir, eventsEnabled: true });
  const done = new Promise<Download>((resolve, reject) => {
    session.once('Browser.downloadWillBegin', ({ guid, suggestedFilename }: Protocol.Browser.DownloadWillBeginEvent) => {
      const onProgress = ({ guid: id, state }: Protocol.Browser.DownloadProgressEvent) => {
        if (id !== guid || state === 'inProgress') return;
        session.off('Browser.downloadProgress', onProgress);
        if (state === 'completed') resolve({ suggestedFilename, path: join(dir, guid) });
        else reject(new Error(`the download of ${suggestedFilename} was ${state}`));
      };
      session.on('Browser.downloadProgress', onProgress);
    });
  });
  return { done };
}

test('two people: sound-only mode, hold Space to talk, H for the hand, speaker choice, picture in picture, save chat, copy link', async (t) => {
  const app = await startApp(t);
  const link = `${app.url}/?lang=en#${SECRET}`;
  const [ada, bob] = [await person(t), await person(t)];
  for (const p of [ada, bob]) await p.page.evaluateOnNewDocument(RECORD_PEER_CONNECTIONS);
  await ada.page.evaluateOnNewDocument(RECORD_PICTURE_IN_PICTURE);
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
    const close = await ada.page.$(`${role('dialog')} >>> ${role('button', 'Close')}`);
    if (await close?.isVisible()) await close!.click();
    await close?.dispose();
  };

  await t.test('sound-only mode stops the video the other receives, and it comes back when turned off', async (st) => {
    const paused = `${tileOf('Ada')} >>> ${text('Video paused to save bandwidth')}`;
    const start = await inbound(bob.page);
    await waitFor(
      () => inbound(bob.page),
      (n) => n.frames > start.frames + 20,
      "Bob receives Ada's video",
    );

    await clickInMore(ada.page, role('button', 'Microphone, camera and speaker'));
    st.after(closeDialog);
    const soundOnly = role('checkbox', 'Low bandwidth: send only my sound, no video');
    await setChecked(ada.page, soundOnly, true);
    await waitFor(
      () => videoSendersActive(ada.page),
      (a) => a.length === 1 && !a[0],
      "Ada's video sender inactive",
    );
    await shown(bob.page, paused);

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

    await setChecked(ada.page, soundOnly, false);
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
    await gone(bob.page, paused);
    await waitFor(
      () => playingVideos(bob.page),
      (n) => n === 2,
      'both videos play at Bob',
    );
  });

  await t.test('holding Space while muted talks, and letting go mutes again, at the other end too', async () => {
    const adaMutedAtBob = () => count(bob.page, `${tileOf('Ada')} >>> .muted`);
    await click(ada.page, tileOf('Ada (you)')); // the focus on no control and no text field
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
    const handAtBob = `${tileOf('Ada')} >>> .hand`;
    await ada.page.keyboard.press('h');
    await waitFor(
      () => pressed(ada.page, 'hand'),
      (v) => v === 'true',
      'hand up by H',
    );
    await shown(bob.page, handAtBob);
    assert.equal(await attribute(bob.page, handAtBob, 'aria-label'), 'Hand raised, number 1 in line');
    await ada.page.keyboard.press('h');
    await waitFor(
      () => pressed(ada.page, 'hand'),
      (v) => v === 'false',
      'hand down by H',
    );
    await gone(bob.page, handAtBob);
  });

  await t.test('the chosen speaker plays the others, not the own view', async (st) => {
    await clickInMore(ada.page, role('button', 'Microphone, camera and speaker'));
    st.after(closeDialog);
    const chosen = await selectByLabel(ada.page, role('combobox', 'Speaker'), 'Fake Audio Output 1');
    assert.ok(chosen && chosen !== 'default', `a device of its own: ${chosen}`);
    const sinkOf = (name: string) => evaluateOn(ada.page, `${tileOf(name)} >>> video`, (v: HTMLVideoElement) => v.sinkId);
    await waitFor(
      () => sinkOf('Bob'),
      (id) => id === chosen,
      "Bob's tile plays through the chosen speaker",
    );
    assert.equal(await sinkOf('Ada (you)'), '', 'the own (silent) view is left alone');
  });

  await t.test("picture in picture shows the other person's video, and a refusal is explained", async () => {
    await clickInMore(ada.page, role('button', 'Picture in picture'));
    const [first] = await waitFor(
      () => pipAttempts(ada.page),
      (a) => a.length === 1 && a[0].outcome !== 'pending',
      'a picture-in-picture request',
    );
    assert.equal(first.tile, 'Bob', 'the other person, not the own view');
    const refused = 'This browser did not open picture in picture.';
    t.diagnostic(`picture in picture: ${first.outcome}`);
    if (first.outcome === 'opened') {
      const floating = await evaluateOn(
        ada.page,
        tileOf('Bob'),
        (tile) => tile.shadowRoot!.pictureInPictureElement === tile.shadowRoot!.querySelector('video'),
      );
      assert.equal(floating, true, "Bob's video floats");
      await ada.page.evaluate(() => document.exitPictureInPicture());
    } else {
      // Headless browsers may refuse; then the person must read why.
      await shown(ada.page, role('status'), refused);
    }
    // A refusal, for real: a video that may not float.
    await evaluateOn(ada.page, `${tileOf('Bob')} >>> video`, (v: HTMLVideoElement) => (v.disablePictureInPicture = true));
    await clickInMore(ada.page, role('button', 'Picture in picture'));
    const attempts = await waitFor(
      () => pipAttempts(ada.page),
      (a) => a.length === 2 && a[1].outcome !== 'pending',
      'a second request',
    );
    assert.notEqual(attempts[1].outcome, 'opened');
    await shown(ada.page, role('status'), refused);
    await evaluateOn(ada.page, `${tileOf('Bob')} >>> video`, (v: HTMLVideoElement) => (v.disablePictureInPicture = false));
  });

  await t.test('"Save chat" downloads the chat as text', async (st) => {
    const field = role('textbox', 'Message to everyone');
    await click(ada.page, role('button', 'Chat'));
    await fill(ada.page, field, 'Agenda first');
    await pressIn(ada.page, field, 'Enter');
    await click(bob.page, role('button', 'Chat, 1 unread'));
    await fill(bob.page, field, 'Then the budget');
    await pressIn(bob.page, field, 'Enter');
    await waitFor(
      () => texts(ada.page, '>>> runde-chat >>> .text'),
      (l) => l.length === 2,
      "Bob's message at Ada",
    );

    const download = await nextDownload(st, ada.browser);
    await click(ada.page, role('button', 'Save chat'));
    const file = await download.done;
    assert.match(file.suggestedFilename, /^runde-chat-\d{4}-\d{2}-\d{2}\.txt$/);
    const text = readFileSync(file.path, 'utf8');
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, 2, text);
    assert.match(lines[0], /^\[[^\]]+\] You: Agenda first$/);
    assert.match(lines[1], /^\[[^\]]+\] Bob: Then the budget$/);
  });

  await t.test('"Invite people", "Copy link" puts the link with its secret in the clipboard', async () => {
    await ada.browser
      .defaultBrowserContext()
      .setPermission(app.url, { permission: { name: 'clipboard-read' }, state: 'granted' }, { permission: { name: 'clipboard-write' }, state: 'granted' });
    await clickInMore(ada.page, role('button', 'Invite people'));
    await click(ada.page, '>>> runde-invite >>> button[name=copy-link]');
    await shown(ada.page, '>>> runde-invite >>> [role=status]', 'Link copied.');
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

  await clickInMore(ada.page, role('button', 'Show the speaker large'));
  const main = '>>> runde-tile.main';
  await waitFor(
    () => attribute(ada.page, main, 'name'),
    (name) => name === 'Bob',
    'Bob, who speaks, shown large',
  );
  const [large, ...small] = await ada.page.$$eval('>>> runde-tile', (tiles) =>
    tiles
      .map((el) => ({ main: el.classList.contains('main'), area: el.getBoundingClientRect().width * el.getBoundingClientRect().height }))
      .sort((a, b) => Number(b.main) - Number(a.main)),
  );
  assert.equal(small.length, 2);
  for (const s of small) assert.ok(large.area > 2 * s.area, `the speaker's tile is much larger: ${large.area} against ${s.area}`);

  await toggleMic(bob.page, false);
  await toggleMic(cem.page, true);
  await waitFor(
    () => attribute(ada.page, main, 'name'),
    (name) => name === 'Cem',
    'Cem, who speaks now, shown large',
  );

  await clickInMore(ada.page, role('button', 'Show everyone in a grid'));
  await gone(ada.page, main);
  assert.equal(await count(ada.page, '>>> runde-grid.all runde-tile'), 3); // the tiles are the grid's children
});
