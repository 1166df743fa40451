/**
 * Background blur and replacement in a real call of two (real box, real WebRTC, the fake camera):
 * what Bob receives changes, and turning the effect off sends Ada's camera track itself again,
 * all without a renegotiation. The segmenter's files come from the build (`build.ts --vendor`).
 */
import { expect, waitUntil } from '@open-wc/testing';
import { BACKGROUND_COLOUR, type BackgroundAssets } from '../../client/core/background.js';
import type { Meeting } from '../../client/core/meeting.js';
import { hostedMeeting, joinMeeting } from './meetings.js';

const WAIT = { timeout: 30_000, interval: 100 };
/** On the page's thread (as in Firefox); with `worker`, in a worker (Chromium). */
const ON_PAGE: BackgroundAssets = { segmenter: new URL('/.tmp/vendor/segmenter/', location.href), images: new URL('/static/backgrounds/', location.href) };
const IN_WORKER: BackgroundAssets = { ...ON_PAGE, worker: new URL('/.tmp/vendor/background-worker.js', location.href) };

/** Bob's picture of Ada, as RGBA pixels of its current frame. */
function frameOf(video: HTMLVideoElement): Uint8ClampedArray {
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const g = canvas.getContext('2d', { willReadFrequently: true })!;
  g.drawImage(video, 0, 0);
  return g.getImageData(0, 0, canvas.width, canvas.height).data;
}

/** Mean difference between horizontally neighbouring pixels: detail, which blur takes away. */
function sharpness(p: Uint8ClampedArray, width: number): number {
  let sum = 0;
  let n = 0;
  for (let i = 4; i < p.length; i += 4) {
    if ((i / 4) % width === 0) continue;
    sum += Math.abs(p[i]! - p[i - 4]!) + Math.abs(p[i + 1]! - p[i - 3]!) + Math.abs(p[i + 2]! - p[i - 2]!);
    n++;
  }
  return sum / n;
}

/** Mean brightness (0–255) of a picture: black is 0, the fake camera's pattern far above 40. */
function brightness(p: Uint8ClampedArray): number {
  let sum = 0;
  for (let i = 0; i < p.length; i += 4) sum += (p[i]! + p[i + 1]! + p[i + 2]!) / 3;
  return sum / (p.length / 4);
}

/** The share of pixels within a small distance of `hex`. */
function shareOf(p: Uint8ClampedArray, hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  let near = 0;
  for (let i = 0; i < p.length; i += 4) if (Math.abs(p[i]! - r!) + Math.abs(p[i + 1]! - g!) + Math.abs(p[i + 2]! - b!) < 30) near++;
  return near / (p.length / 4);
}

/** Resolves once `track` has shown `n` more frames (counted in a video element of its own). */
async function framesOf(track: MediaStreamTrack, n: number): Promise<void> {
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = new MediaStream([track]);
  await video.play();
  await new Promise<void>((resolve) => {
    let seen = 0;
    const count = () => (++seen >= n ? resolve() : video.requestVideoFrameCallback(count));
    video.requestVideoFrameCallback(count);
  });
  video.srcObject = null;
}

describe('background blur and replacement', () => {
  const meetings: Meeting[] = [];
  after(() => {
    for (const m of meetings) m.leave();
  });

  it('a camera that comes while a background is chosen that cannot start is sent with video off, and the person is told', async function () {
    this.timeout(60_000);
    const { host, keys } = await hostedMeeting();
    const audio = await navigator.mediaDevices.getUserMedia({ audio: true });
    const broken: BackgroundAssets = { ...IN_WORKER, segmenter: new URL('/no-such-segmenter/', location.href) };
    const ada = await joinMeeting(keys, 'Ada', host, { backgroundAssets: broken, stream: audio });
    meetings.push(ada);
    await waitUntil(() => ada.ownAdmission === 'in', 'Ada in', WAIT);
    await ada.setBackground('blur-light'); // no camera yet: the choice waits for one
    expect(ada.stream.getVideoTracks()).to.have.length(0);
    let told = 0;
    ada.on('backgroundFailed', () => told++);
    const [camera] = (await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } })).getVideoTracks();
    ada.addLateTrack(camera!);
    expect(ada.stream.getVideoTracks(), 'nothing sent while the effect starts').to.have.length(0);
    await waitUntil(() => told === 1, 'Ada is told', WAIT);
    expect(ada.stream.getVideoTracks()).to.deep.equal([camera]);
    expect(ada.local.video, 'with video off').to.equal(false);
    expect(ada.background).to.equal('none');
  });

  for (const [where, assets] of [
    ['in a worker', IN_WORKER],
    ['on the page', ON_PAGE],
  ] as const)
    it(`${where}: changes what the others receive, and off sends the camera itself again, without renegotiating`, async function () {
      this.timeout(90_000);
      const { host, keys } = await hostedMeeting();
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
      const ada = await joinMeeting(keys, 'Ada', host, { backgroundAssets: assets, stream });
      meetings.push(ada);
      await waitUntil(() => ada.ownAdmission === 'in', 'Ada in', WAIT);
      const bob = await joinMeeting(keys, 'Bob');
      meetings.push(bob);
      await waitUntil(() => bob.peers.get(ada.local.id)?.connected && bob.peers.get(ada.local.id)?.stream, 'Bob connected to Ada', WAIT);
      const video = document.createElement('video');
      video.muted = true;
      video.srcObject = bob.peers.get(ada.local.id)!.stream;
      document.body.append(video);
      await video.play();
      await waitUntil(() => video.videoWidth > 0, "Ada's video plays at Bob", WAIT);
      const width = () => video.videoWidth;
      const camera = ada.stream.getVideoTracks()[0]!;
      const link = bob.linkTo(ada.local.id)!.connection;
      let negotiations = 0;
      link.addEventListener('signalingstatechange', () => negotiations++);
      const sender = () =>
        ada
          .linkTo(bob.local.id)!
          .connection.getSenders()
          .find((s) => s.track?.kind === 'video')!;
      const plain = sharpness(frameOf(video), width());

      await ada.setBackground('blur-strong');
      expect(ada.background).to.equal('blur-strong');
      await waitUntil(() => sender().track !== camera && sender().track?.readyState === 'live', 'the effect is sent', WAIT);
      expect(camera.readyState, 'the camera runs on under the effect').to.equal('live');
      // The fake camera shows no person: all of it is background, blurred.
      await waitUntil(() => sharpness(frameOf(video), width()) < plain / 2, 'Bob receives a blurred picture', WAIT);
      await waitUntil(() => ada.backgroundStats!.frames > 0, 'the effect counts its frames', WAIT);
      expect(ada.backgroundOffThread, where).to.equal(assets === IN_WORKER);

      // Camera off: nothing is painted while the camera goes on (the worker's figures trail by up to ten frames).
      ada.setVideo(false);
      const paintedWhenOff = ada.backgroundStats!.frames;
      await framesOf(camera, 30);
      expect(ada.backgroundStats!.frames - paintedWhenOff, 'frames painted with the camera off').to.be.below(11);
      ada.setVideo(true);
      await waitUntil(() => ada.backgroundStats!.frames > paintedWhenOff + 20, 'painting again with the camera on', WAIT);

      await ada.setBackground('colour');
      await waitUntil(() => shareOf(frameOf(video), BACKGROUND_COLOUR) > 0.8, 'Bob receives the plain colour', WAIT);

      await ada.setBackground('none');
      await waitUntil(() => sender().track === camera, 'the camera track itself is sent again', WAIT);
      expect(ada.stream.getVideoTracks()).to.deep.equal([camera]);
      await waitUntil(
        () => sharpness(frameOf(video), width()) > plain / 2 && shareOf(frameOf(video), BACKGROUND_COLOUR) < 0.1,
        'Bob receives the camera as it is',
        WAIT,
      );
      expect(negotiations, 'no renegotiation').to.equal(0);

      // Chosen while the camera is off: the effect must not paint the disabled (black) camera,
      // nor may the camera be turned on to be sent meanwhile; on again, Bob sees a picture.
      ada.setVideo(false);
      await ada.setBackground('blur-light');
      expect(camera.enabled, 'the camera sent until the effect runs stays off').to.equal(false);
      ada.setVideo(true);
      await waitUntil(() => brightness(frameOf(video)) > 40, 'Bob receives a blurred picture, not black', WAIT);
      video.remove();
    });

  it('a camera picked while a background is chosen goes out only through it', async function () {
    this.timeout(60_000);
    const { host, keys } = await hostedMeeting();
    const audio = await navigator.mediaDevices.getUserMedia({ audio: true });
    const ada = await joinMeeting(keys, 'Ada', host, { backgroundAssets: IN_WORKER, stream: audio, background: 'blur-light' });
    meetings.push(ada);
    await waitUntil(() => ada.ownAdmission === 'in', 'Ada in', WAIT);
    const sentVideo: MediaStreamTrack[] = [];
    const replaceTrack = ada.stream.addTrack.bind(ada.stream);
    ada.stream.addTrack = (track) => {
      sentVideo.push(track);
      replaceTrack(track);
    };
    await ada.useDevice('video', null);
    await waitUntil(() => ada.backgroundStats !== null, 'the effect runs', WAIT);
    expect(sentVideo.length, 'one video track sent').to.equal(1);
    expect(sentVideo[0], 'the effect, not the camera').to.not.equal(ada.camera);
    expect(sentVideo[0]!.constructor.name).to.equal('MediaStreamTrackGenerator');
  });
});
