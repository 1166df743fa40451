import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  attribute,
  click,
  evaluateOn,
  fill,
  inbound,
  joinAs,
  person,
  playingVideos,
  RECORD_PEER_CONNECTIONS,
  shown,
  startApp,
  text,
  tileCount,
  waitFor,
} from './helpers.js';

/**
 * An init script for a camera that opens only when the test calls window.__openCamera(), as a
 * slow camera does (5–15 s on a busy laptop); the microphone opens at once.
 */
const SLOW_CAMERA = `(() => {
  const media = navigator.mediaDevices;
  const getUserMedia = media.getUserMedia.bind(media);
  const gate = new Promise((resolve) => (window.__openCamera = resolve));
  media.getUserMedia = async (c) => {
    if (c && c.video) await gate;
    return getUserMedia(c);
  };
})();`;

test('joining does not wait for a slow camera: the call starts with sound, and the video follows when the camera opens', async (t) => {
  const app = await startApp(t);
  const link = `${app.url}/?lang=en#${'C'.repeat(22)}`;
  const [ada, bob] = [await person(t), await person(t)];
  await bob.page.evaluateOnNewDocument(RECORD_PEER_CONNECTIONS);
  await joinAs(bob.page, link, 'Bob');

  await ada.page.evaluateOnNewDocument(SLOW_CAMERA);
  await ada.page.goto(link);
  await shown(ada.page, text('Camera is starting…'));
  await fill(ada.page, '>>> #name', 'Ada');
  // The microphone is there (the preview holds its track); the camera is not.
  await waitFor(
    () => evaluateOn(ada.page, '>>> runde-lobby >>> video', (v: HTMLVideoElement) => (v.srcObject as MediaStream | null)?.getAudioTracks().length ?? 0),
    (n) => n === 1,
    "Ada's microphone started",
  );
  assert.equal(await attribute(ada.page, '>>> button[name=join]', 'disabled'), null, 'Join is offered while the camera starts');
  await click(ada.page, '>>> button[name=join]');

  // The call has started: Ada's sound reaches Bob, and both see two tiles.
  await waitFor(
    () => inbound(bob.page),
    (n) => n.audioPackets > 0,
    "Ada's sound at Bob",
  );
  for (const p of [ada, bob])
    await waitFor(
      () => tileCount(p.page),
      (n) => n === 2,
      'two tiles',
    );
  assert.equal((await inbound(bob.page)).frames, 0, 'no video from Ada before her camera opened');
  assert.equal(await playingVideos(bob.page), 1, "only Bob's own video plays");

  await ada.page.evaluate(() => (window as unknown as { __openCamera: () => void }).__openCamera());
  await waitFor(
    () => playingVideos(bob.page),
    (n) => n === 2,
    "Ada's video at Bob once her camera opened",
  );
  assert.ok((await inbound(bob.page)).frames > 0);
});
