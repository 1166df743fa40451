/**
 * A whole call across browsers: Ada in Debian's Chromium (puppeteer-core over CDP), Fay in
 * headless Firefox ESR (puppeteer-core over WebDriver BiDi), both on the real app served by the
 * real box. Both are driven through the same helpers; Fay's page is found by CSS (`>>>`) alone.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Page } from 'puppeteer-core';
import { firefoxMissing, firefoxPerson, startPulseAudio } from '../firefox.js';
import {
  attribute,
  click,
  count,
  evaluateOn,
  fill,
  innerTexts,
  joinAs,
  lobbyDevicesSettled,
  person,
  playingVideos,
  pressIn,
  RECORD_PEER_CONNECTIONS,
  role,
  shown,
  startApp,
  text,
  texts,
  WAIT_MS,
  waitFor,
} from './helpers.js';

/** CI must run this test; on a developer's machine without Firefox it is skipped, saying why. */
const missing = firefoxMissing();
const skip = missing && !process.env.CI ? `needs Firefox ESR and PulseAudio: ${missing}` : false;

/** What a page can tell about the media it plays and receives; read in the page itself. */
interface MediaReport {
  /** Per shown tile video: frames presented since the first report, and playback position. */
  videos: Array<{ frames: number; time: number; width: number }>;
  /** Remote tiles whose media has a live, unmuted audio track. */
  liveAudio: number;
  /** Inbound audio over all connections (needs RECORD_PEER_CONNECTIONS): packets and energy. */
  audioPackets: number;
  audioEnergy: number;
}

/**
 * Reads a MediaReport; `selector` picks tiles (within the call's shadow roots). A string: tsx
 * would wrap the inner functions of a page function in a `__name` helper the page lacks.
 */
const mediaReport = (selector: string) => `(async () => {
  const deep = (root, sel) => [...root.querySelectorAll(sel), ...[...root.querySelectorAll('*')].flatMap((el) => el.shadowRoot ? deep(el.shadowRoot, sel) : [])];
  const tiles = deep(document, ${JSON.stringify(selector)});
  // Frames shown, counted by requestVideoFrameCallback (Firefox reports no playback quality for a
  // MediaStream); the count starts at the first report.
  const presented = (v) => {
    if (!v.requestVideoFrameCallback) return v.getVideoPlaybackQuality().totalVideoFrames;
    if (v.__presented === undefined) {
      v.__presented = 0;
      const count = () => { v.__presented++; v.requestVideoFrameCallback(count); };
      v.requestVideoFrameCallback(count);
    }
    return v.__presented;
  };
  const videos = tiles.map((tile) => tile.shadowRoot.querySelector('video')).filter((v) => v && v.srcObject && !v.hidden && !v.paused);
  const report = {
    videos: videos.map((v) => ({ frames: presented(v), time: v.currentTime, width: v.videoWidth })),
    liveAudio: videos.filter((v) => !v.muted && v.srcObject.getAudioTracks().some((t) => t.readyState === 'live' && !t.muted)).length,
    audioPackets: 0,
    audioEnergy: 0,
  };
  for (const { pc } of window.__pcs ?? []) {
    if (pc.signalingState === 'closed') continue; // Firefox throws on getStats of a closed one
    (await pc.getStats()).forEach((s) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
      report.audioPackets += s.packetsReceived ?? 0;
      report.audioEnergy += s.totalAudioEnergy ?? 0;
    });
  }
  return report;
})()`;

type Side = { name: string; report: (selector: string) => Promise<MediaReport> };

const side = (name: string, page: Page): Side => ({ name, report: (sel) => page.evaluate(mediaReport(sel)) as Promise<MediaReport> });

/** Waits until the tile video picked by `selector` presents new frames and moves on in time. */
async function seesVideoAdvance(side: Side, selector: string, what: string): Promise<void> {
  const [before] = (
    await waitFor(
      () => side.report(selector),
      (r) => r.videos.length === 1 && r.videos[0].width > 0,
      `${what} shown`,
    )
  ).videos;
  await waitFor(
    () => side.report(selector),
    (r) => r.videos.length === 1 && r.videos[0].frames > before.frames + 10 && r.videos[0].time > before.time,
    `${what} advancing from ${JSON.stringify(before)}`,
  );
}

const chatTexts = (page: Page) => texts(page, '>>> runde-chat >>> li .text');

/** A driver's own wait for one action (a click, a fill): generous, for a loaded machine. */
const ACTION_TIMEOUT_MS = 2 * WAIT_MS;

/** Ada (Chromium) and Fay (Firefox) in one room; page errors of both are collected. */
async function startCall(t: TestContext) {
  const app = await startApp(t);
  const pulse = await startPulseAudio(t);
  const link = `${app.url}/?lang=en#${'X'.repeat(22)}`;
  const ada = await person(t);
  await ada.page.evaluateOnNewDocument(RECORD_PEER_CONNECTIONS);
  const fay = await firefoxPerson(t, pulse);
  await fay.page.evaluateOnNewDocument(RECORD_PEER_CONNECTIONS);
  ada.page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  fay.page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  const errors: string[] = [];
  for (const [name, page] of [
    ['Ada', ada.page],
    ['Fay', fay.page],
  ] as const)
    page.on('pageerror', (err) => errors.push(`${name}: ${err instanceof Error ? err.message : String(err)}`));
  await joinAs(ada.page, link, 'Ada');
  await joinAs(fay.page, link, 'Fay');
  return { ada, fay, errors };
}

test('a call between Chromium and Firefox: video and sound both ways, chat both ways, a shared screen', { skip }, async (t) => {
  assert.equal(missing, null, `Firefox is required when CI=true: ${missing}`);
  const { ada, fay, errors } = await startCall(t);
  const adaSide = side('Ada', ada.page);
  const faySide = side('Fay', fay.page);
  await waitFor(
    () => playingVideos(ada.page),
    (n) => n === 2,
    'Ada plays both videos',
  );
  await waitFor(
    () => playingVideos(fay.page),
    (n) => n === 2,
    'Fay plays both videos',
  );

  await t.test('each plays the camera video of the other, frame after frame', async () => {
    await seesVideoAdvance(adaSide, 'runde-tile[data-peer]', "Fay's camera at Ada");
    await seesVideoAdvance(faySide, 'runde-tile[data-peer]', "Ada's camera at Fay");
  });

  await t.test('each receives and plays the sound of the other', async () => {
    for (const side of [adaSide, faySide]) {
      const before = await side.report('runde-tile[data-peer]');
      await waitFor(
        () => side.report('runde-tile[data-peer]'),
        (r) =>
          r.liveAudio === 1 &&
          r.audioPackets > before.audioPackets + 50 &&
          r.audioEnergy > before.audioEnergy && // decoded sound that is not silence
          r.videos[0]?.time > (before.videos[0]?.time ?? 0),
        `${side.name} receives live sound from ${JSON.stringify(before)}`,
      );
    }
  });

  await t.test('each sees the other speaking (Web Audio hears the received sound)', async () => {
    const speaking = '>>> runde-tile[data-peer][speaking]';
    await waitFor(
      () => count(ada.page, speaking),
      (n) => n === 1,
      'Ada sees Fay speaking',
    );
    await waitFor(
      () => count(fay.page, speaking),
      (n) => n === 1,
      'Fay sees Ada speaking',
    );
  });

  await t.test('chat messages go both ways', async () => {
    await click(ada.page, role('button', 'Chat'));
    const field = role('textbox', 'Message to everyone');
    await fill(ada.page, field, 'Hello from Chromium');
    await pressIn(ada.page, field, 'Enter');
    await click(fay.page, '>>> runde-controls >>> button[name=chat]');
    await waitFor(
      () => chatTexts(fay.page),
      (l) => l.includes('Hello from Chromium'),
      'Fay reads Ada',
    );
    await fill(fay.page, '>>> runde-chat >>> textarea', 'Grüße aus Firefox');
    await fay.page.keyboard.press('Enter');
    await waitFor(
      () => innerTexts(ada.page, '>>> runde-chat >>> li .text'),
      (l) => l.includes('Grüße aus Firefox'),
      'Ada reads Fay',
    );
    assert.deepEqual(await chatTexts(fay.page), ['Hello from Chromium', 'Grüße aus Firefox']);
  });

  // Only Chromium shares: headless Firefox has no screen to capture and no fake one
  // (getDisplayMedia rejects with NotFoundError even with media.navigator.streams.fake).
  await t.test('a screen shared in Chromium plays in Firefox as its own tile', async (t) => {
    const sharedAt = Date.now();
    await click(ada.page, role('button', 'Share your screen'));
    await seesVideoAdvance(faySide, 'runde-tile[data-screen]', "Ada's screen at Fay");
    t.diagnostic(`screen playing at Fay ${Date.now() - sharedAt} ms after Share`);
    assert.equal(await attribute(fay.page, '>>> runde-tile[data-screen]', 'name'), "Ada's screen");
    await click(ada.page, role('button', 'Stop sharing your screen'));
    const stoppedAt = Date.now();
    await waitFor(
      () => count(fay.page, '>>> runde-tile[data-screen]'),
      (n) => n === 0,
      'screen tile gone at Fay',
    );
    t.diagnostic(`screen tile gone at Fay ${Date.now() - stoppedAt} ms after Stop`);
    await waitFor(
      () => playingVideos(fay.page),
      (n) => n === 2,
      'camera videos still play at Fay',
    );
  });

  await t.test('neither page threw an uncaught error', () => {
    assert.deepEqual(errors, []);
  });
});

test('background blur in Firefox: painted on the page where its segmenter works, else said, and either way Chromium sees Fay', { skip }, async (t) => {
  assert.equal(missing, null, `Firefox is required when CI=true: ${missing}`);
  const app = await startApp(t);
  const pulse = await startPulseAudio(t);
  const link = `${app.url}/?lang=en#${'Y'.repeat(22)}`;
  const fay = await firefoxPerson(t, pulse);
  fay.page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  const errors: string[] = [];
  fay.page.on('pageerror', (err) => errors.push(err instanceof Error ? err.message : String(err)));
  await fay.page.goto(link);
  await fill(fay.page, '>>> #name', 'Fay');
  await lobbyDevicesSettled(fay.page);
  await fill(fay.page, '>>> runde-lobby >>> select[name=background]', 'blur-strong');
  /** The lobby's effect: none yet, failed (the lobby says so), or running on the page or in a worker. */
  const effect = () =>
    evaluateOn(fay.page, '>>> runde-lobby', (lobby: Element) => {
      const l = lobby as Element & { effect: { offThread: boolean } | null; effectFailed: boolean };
      return l.effectFailed ? 'failed' : l.effect ? (l.effect.offThread ? 'worker' : 'page') : 'none';
    });
  const outcome = await waitFor(effect, (e) => e !== 'none', "Fay's effect started or failed");
  // Firefox has no track processor: never a worker. Headless Firefox here gives the segmenter no
  // WebGL output, so it fails there: the lobby must say so and go back to the camera as it is.
  t.diagnostic(`the effect in Firefox: ${outcome}`);
  assert.notEqual(outcome, 'worker');
  if (outcome === 'failed') {
    await shown(fay.page, text('The background could not be changed in this browser.'));
    assert.equal(await evaluateOn(fay.page, '>>> runde-lobby >>> select[name=background]', (s: HTMLSelectElement) => s.value), 'none');
  }
  await click(fay.page, '>>> button[name=join]');
  const ada = await person(t);
  await joinAs(ada.page, link, 'Ada');
  await waitFor(
    () => playingVideos(ada.page),
    (n) => n === 2,
    "Ada plays her own video and Fay's",
  );
  assert.deepEqual(errors, []);
});
