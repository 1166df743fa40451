/**
 * The page of bench:blur: the fake camera through the background effect, its output played (as
 * the own tile would), and counts of what was presented. window.blurBench drives it.
 */
import { BackgroundEffect, type Background } from '../../client/core/background.js';

interface BlurSample {
  /** Frames of the output presented by the video element (requestVideoFrameCallback). */
  presented: number;
  /** Frames the effect drew, and the milliseconds it spent on them. */
  drawn: number;
  busyMs: number;
  at: number;
}

const assets = { segmenter: new URL('./segmenter/', location.href), images: new URL('./backgrounds/', location.href) };
const video = document.createElement('video');
video.muted = true;
document.body.append(video);
let presented = 0;
let camera: MediaStreamTrack | null = null;
let effect: BackgroundEffect | null = null;

type FrameCallback = (cb: () => void) => number;
const count = () => {
  presented++;
  (video as HTMLVideoElement & { requestVideoFrameCallback: FrameCallback }).requestVideoFrameCallback(count);
};
(video as HTMLVideoElement & { requestVideoFrameCallback: FrameCallback }).requestVideoFrameCallback(count);

(window as unknown as { blurBench: unknown }).blurBench = {
  /** Shows the camera through `choice` ('none': the camera itself). */
  async start(choice: Background): Promise<void> {
    camera ??= (await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, frameRate: 30 } })).getVideoTracks()[0]!;
    effect?.stop();
    effect = choice === 'none' ? null : await BackgroundEffect.start(camera, choice, assets);
    video.srcObject = new MediaStream([effect ? effect.output : camera]);
    await video.play();
  },
  sample(): BlurSample {
    return { presented, drawn: effect?.stats.frames ?? 0, busyMs: effect?.stats.busyMs ?? 0, at: performance.now() };
  },
  cameraFps(): number {
    return camera?.getSettings().frameRate ?? 0;
  },
};
