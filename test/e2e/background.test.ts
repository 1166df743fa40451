import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Page } from 'puppeteer-core';
import {
  click,
  evaluateOn,
  fill,
  inbound,
  joinAs,
  lobbyDevicesSettled,
  person,
  type Person,
  playingVideos,
  RECORD_PEER_CONNECTIONS,
  shown,
  startApp,
  tileCount,
  text,
  waitFor,
} from './helpers.js';

/** Records every Content-Security-Policy violation of the page in window.__violations. */
const RECORD_VIOLATIONS = `(() => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
})();`;

/** Records the kind of every video track the page hands to a connection (window.__sentVideo). */
const RECORD_SENT_VIDEO = `(() => {
  window.__sentVideo = [];
  const note = (track) => track && track.kind === 'video' && window.__sentVideo.push(track.constructor.name);
  for (const [proto, name] of [[RTCPeerConnection.prototype, 'addTrack'], [RTCPeerConnection.prototype, 'addTransceiver'], [RTCRtpSender.prototype, 'replaceTrack']]) {
    const original = proto[name];
    proto[name] = function (track, ...rest) {
      note(track);
      return original.call(this, track, ...rest);
    };
  }
})();`;

/** The video track the lobby's preview shows. */
const previewTrack = (page: Page) =>
  evaluateOn(
    page,
    '>>> runde-lobby >>> video',
    (v: HTMLVideoElement) => (v.srcObject as MediaStream | null)?.getVideoTracks()[0]?.constructor.name ?? 'none',
  ).catch(() => 'none');

/** What the own tile shows: the camera itself, or the effect's output (a generator's track where a worker paints). */
const ownVideoTrack = (page: Page) =>
  evaluateOn(page, '>>> runde-tile[data-local] >>> video', (v: HTMLVideoElement) => {
    const track = (v.srcObject as MediaStream | null)?.getVideoTracks()[0];
    return track ? track.constructor.name : 'none';
  }).catch(() => 'none');

/**
 * Bob in a call first (so that Ada's connection to him starts the moment she joins), and Ada in
 * its lobby with her devices started; Ada's page records what video it sends.
 */
async function bobInCallAdaInLobby(t: TestContext, link: string): Promise<{ ada: Person; bob: Person }> {
  const [ada, bob] = [await person(t), await person(t)];
  await ada.page.evaluateOnNewDocument(RECORD_SENT_VIDEO);
  await bob.page.evaluateOnNewDocument(RECORD_PEER_CONNECTIONS);
  await joinAs(bob.page, link, 'Bob');
  await waitFor(
    () => tileCount(bob.page),
    (n) => n === 1,
    'Bob in the call',
  );
  await ada.page.evaluateOnNewDocument(RECORD_VIOLATIONS);
  await ada.page.goto(link);
  await fill(ada.page, '>>> #name', 'Ada');
  await lobbyDevicesSettled(ada.page);
  return { ada, bob };
}

test('a background chosen in the lobby shows in its preview and is all that is ever sent, in the built app under its own CSP, while the tab is hidden too, and is chosen again on the next visit', async (t) => {
  const app = await startApp(t);
  const link = `${app.url}/?lang=en#${'B'.repeat(22)}`;
  const { ada, bob } = await bobInCallAdaInLobby(t, link);
  await fill(ada.page, '>>> runde-lobby >>> select[name=background]', 'blur-strong');
  // The lobby's preview shows the effect: what she sees is what the others will see.
  await waitFor(
    () => previewTrack(ada.page),
    (name) => name === 'MediaStreamTrackGenerator',
    "the lobby's preview shows the effect",
  );
  await click(ada.page, '>>> button[name=join]');

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
  // The camera itself never went to a connection, not even for a moment after Join.
  const sent = await ada.page.evaluate(() => (window as unknown as { __sentVideo: string[] }).__sentVideo);
  assert.ok(sent.length > 0, 'video was sent');
  assert.deepEqual(new Set(sent), new Set(['MediaStreamTrackGenerator']), 'only the effect was ever sent');

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

test('joining while the chosen background is still starting: no video goes out until it runs, then only the effect', async (t) => {
  const app = await startApp(t);
  const link = `${app.url}/?lang=en#${'D'.repeat(22)}`;
  const { ada, bob } = await bobInCallAdaInLobby(t, link);
  // Join in the same task as the choice: the effect's code has not even been fetched yet.
  await evaluateOn(ada.page, '>>> runde-lobby >>> select[name=background]', (select: HTMLSelectElement) => {
    select.value = 'blur-light';
    select.dispatchEvent(new Event('change'));
    const root = select.getRootNode() as ShadowRoot;
    root.querySelector<HTMLButtonElement>('button[name=join]')!.click();
  });
  await waitFor(
    () => playingVideos(bob.page),
    (n) => n === 2,
    "Bob plays Ada's video once her effect runs",
  );
  const sent = await ada.page.evaluate(() => (window as unknown as { __sentVideo: string[] }).__sentVideo);
  assert.deepEqual(new Set(sent), new Set(['MediaStreamTrackGenerator']), 'only the effect was ever sent');
});
