import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'puppeteer-core';
import {
  click,
  evaluateOn,
  fill,
  inbound,
  joinAs,
  lobbyDevicesSettled,
  person,
  playingVideos,
  RECORD_PEER_CONNECTIONS,
  shown,
  startApp,
  text,
  waitFor,
} from './helpers.js';

/** Records every Content-Security-Policy violation of the page in window.__violations. */
const RECORD_VIOLATIONS = `(() => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
})();`;

/** What the own tile shows: the camera itself, or the effect's output (a generator's track where a worker paints). */
const ownVideoTrack = (page: Page) =>
  evaluateOn(page, '>>> runde-tile[data-local] >>> video', (v: HTMLVideoElement) => {
    const track = (v.srcObject as MediaStream | null)?.getVideoTracks()[0];
    return track ? track.constructor.name : 'none';
  }).catch(() => 'none');

test('a background chosen in the lobby blurs the camera in the built app under its own CSP, keeps sending while the tab is hidden, and is chosen again on the next visit', async (t) => {
  const app = await startApp(t);
  const link = `${app.url}/?lang=en#${'B'.repeat(22)}`;
  const [ada, bob] = [await person(t), await person(t)];
  await ada.page.evaluateOnNewDocument(RECORD_VIOLATIONS);
  await bob.page.evaluateOnNewDocument(RECORD_PEER_CONNECTIONS);

  await ada.page.goto(link);
  await fill(ada.page, '>>> #name', 'Ada');
  await lobbyDevicesSettled(ada.page);
  await fill(ada.page, '>>> runde-lobby >>> select[name=background]', 'blur-strong');
  await click(ada.page, '>>> button[name=join]');
  await joinAs(bob.page, link, 'Bob');

  // The worker and the segmenter (WebAssembly, its model) load from the app's origin, and the
  // worker's painted frames replace the camera, in the own tile and for Bob, who plays both videos.
  await waitFor(
    () => ownVideoTrack(ada.page),
    (name) => name === 'MediaStreamTrackGenerator',
    "Ada's own tile shows the effect's output, painted in a worker",
  );
  await waitFor(
    () => playingVideos(bob.page),
    (n) => n === 2,
    'Bob plays his video and Ada',
  );
  assert.deepEqual(await ada.page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), [], 'no CSP violation');

  // Ada looks at another tab: her page is hidden (no frames are shown in it), and Bob still gets
  // her blurred video, not a frozen picture.
  const other = await ada.browser.newPage();
  await other.bringToFront();
  await waitFor(
    () => ada.page.evaluate(() => document.visibilityState),
    (state) => state === 'hidden',
    "Ada's meeting tab hidden",
  );
  const before = await inbound(bob.page);
  const hiddenAt = Date.now();
  await waitFor(
    () => inbound(bob.page),
    (now) => now.frames >= before.frames + 30,
    "thirty more frames of Ada's at Bob while her tab is hidden",
  );
  console.log(`30 frames from the hidden tab in ${Date.now() - hiddenAt} ms`);
  await other.close();
  await ada.page.bringToFront();

  // The choice is remembered: the next visit's lobby offers it, and joining blurs again.
  await ada.page.goto('about:blank');
  await ada.page.goto(link);
  await shown(ada.page, text('Background'));
  await waitFor(
    () => evaluateOn(ada.page, '>>> runde-lobby >>> select[name=background]', (s: HTMLSelectElement) => s.value),
    (v) => v === 'blur-strong',
    'the lobby offers the remembered background',
  );
});
