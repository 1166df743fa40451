/**
 * The page of bench:blur: the fake camera through the background effect, its output played (as
 * the own tile would), and counts of what was presented. window.blurBench drives it.
 */
import { BackgroundEffect, type Background, type BackgroundAssets } from '../../client/core/background.js';

export interface BlurSample {
  /** Frames of the output presented by the video element (requestVideoFrameCallback). */
  presented: number;
  /** Frames the effect drew, and the milliseconds it spent on them. */
  drawn: number;
  busyMs: number;
  /** How late the page's 20 ms timer ran, summed (ms), and how often it ran: the page thread's load. */
  lateMs: number;
  ticks: number;
  at: number;
}

const onPage: BackgroundAssets = { segmenter: new URL('./segmenter/', location.href), images: new URL('./backgrounds/', location.href) };
const inWorker: BackgroundAssets = { ...onPage, worker: new URL('./background-worker.js', location.href) };
const video = document.createElement('video');
video.muted = true;
document.body.append(video);
let presented = 0;
let lateMs = 0;
let ticks = 0;
/** A timer every TICK_MS: how late it runs says how busy the page's thread is (a click waits as long). */
const TICK_MS = 20;
let due = performance.now() + TICK_MS;
const tick = () => {
  const now = performance.now();
  lateMs += Math.max(0, now - due);
  ticks++;
  due = now + TICK_MS;
  setTimeout(tick, TICK_MS);
};
setTimeout(tick, TICK_MS);
let camera: MediaStreamTrack | null = null;
let effect: BackgroundEffect | null = null;

type FrameCallback = (cb: () => void) => number;
const count = () => {
  presented++;
  (video as HTMLVideoElement & { requestVideoFrameCallback: FrameCallback }).requestVideoFrameCallback(count);
};
(video as HTMLVideoElement & { requestVideoFrameCallback: FrameCallback }).requestVideoFrameCallback(count);

(window as unknown as { blurBench: unknown }).blurBench = {
  /** Shows the camera through `choice` ('none': the camera itself), painted in a worker or on the page; says which. */
  async start(choice: Background, worker: boolean): Promise<'worker' | 'page' | 'none'> {
    camera ??= (await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, frameRate: 30 } })).getVideoTracks()[0]!;
    effect?.stop();
    effect = choice === 'none' ? null : await BackgroundEffect.start(camera, choice, worker ? inWorker : onPage);
    video.srcObject = new MediaStream([effect ? effect.output : camera]);
    await video.play();
    return effect ? (effect.offThread ? 'worker' : 'page') : 'none';
  },
  sample(): BlurSample {
    return { presented, drawn: effect?.stats.frames ?? 0, busyMs: effect?.stats.busyMs ?? 0, lateMs, ticks, at: performance.now() };
  },
  cameraFps(): number {
    return camera?.getSettings().frameRate ?? 0;
  },
};
