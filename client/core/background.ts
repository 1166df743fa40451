/**
 * Background blur and replacement, on this device: each camera frame is segmented (MediaPipe's
 * selfie segmenter through tasks-vision, its WASM and model served by the deployment itself,
 * scripts/segmenter-model.ts) and drawn again with the background blurred or replaced. The result
 * is a canvas track that takes the camera's place on every connection (replaceTrack, no
 * renegotiation); the camera itself is kept here, to go back to.
 *
 * Everything runs on demand: this module and tasks-vision are a chunk of their own (the meeting
 * imports it when an effect is first chosen), and the 13 MB of WASM are fetched only then. The work stays on the page's thread for now: Chromium's
 * MediaStreamTrackProcessor and a worker would move it off, but tasks-vision's image conversion
 * needs WebGL, which a worker offers only where OffscreenCanvas has it (see docs/performance.md).
 */
import { FilesetResolver, ImageSegmenter } from '@mediapipe/tasks-vision';
import type { Background } from './background-choice.js';

export { BACKGROUNDS, isBackground, type Background } from './background-choice.js';

/** The pictures shipped with Runde (static/backgrounds/), by choice. */
export const BACKGROUND_IMAGES: Partial<Record<Background, string>> = { office: 'office.svg', 'town-hall': 'town-hall.svg' };
/** The plain colour: Runde's calm blue-grey, dark enough for any skin tone to stand out. */
export const BACKGROUND_COLOUR = '#3d4f63';
/** Blur radii, in pixels of a 640-wide picture (scaled with the camera's width). */
export const BLUR_PX: Partial<Record<Background, number>> = { 'blur-light': 6, 'blur-strong': 16 };
/** The segmenter's input: its model takes 256×144 and gives a mask of that size. */
export const MASK_WIDTH = 256;
export const MASK_HEIGHT = 144;

export interface BackgroundAssets {
  /** Where tasks-vision's WASM files and the model are (…/segmenter/). */
  segmenter: URL;
  /** Where the background pictures are (…/backgrounds/). */
  images: URL;
}

/** In the built app: static/build/segmenter/ beside this chunk, static/backgrounds/ above it. */
export function defaultAssets(): BackgroundAssets {
  return { segmenter: new URL('./segmenter/', import.meta.url), images: new URL('../backgrounds/', import.meta.url) };
}

/** One segmenter per page: loading its WASM costs a second or more, and one is enough for one camera. */
let segmenter: Promise<ImageSegmenter> | null = null;

function loadSegmenter(assets: BackgroundAssets): Promise<ImageSegmenter> {
  segmenter ??= (async () => {
    const files = await FilesetResolver.forVisionTasks(assets.segmenter.href.replace(/\/$/, ''));
    return ImageSegmenter.createFromOptions(files, {
      baseOptions: { modelAssetPath: new URL('selfie_segmenter_landscape.tflite', assets.segmenter).href, delegate: 'CPU' },
      runningMode: 'VIDEO',
      outputCategoryMask: false,
      outputConfidenceMasks: true,
    });
  })();
  segmenter.catch(() => (segmenter = null)); // a later try may work (e.g. after going online)
  return segmenter;
}

export interface EffectStats {
  /** Frames drawn with the effect. */
  frames: number;
  /** Milliseconds spent segmenting and drawing, in all. */
  busyMs: number;
}

export class BackgroundEffect {
  /** The track to send: the camera's picture with the effect. */
  readonly output: MediaStreamTrack;
  readonly stats: EffectStats = { frames: 0, busyMs: 0 };
  #camera: MediaStreamTrack;
  #choice: Background;
  readonly #segmenter: ImageSegmenter;
  readonly #images = new Map<Background, HTMLImageElement>();
  readonly #assets: BackgroundAssets;
  readonly #video = document.createElement('video');
  readonly #out = document.createElement('canvas');
  readonly #small = document.createElement('canvas');
  readonly #mask = document.createElement('canvas');
  readonly #person = document.createElement('canvas');
  readonly #blurred = document.createElement('canvas');
  #maskPixels: ImageData;
  #stopped = false;
  #lastTime = -1;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** The drawing loop's current round: a callback of an older one (before a camera change or the tab hiding) ends it. */
  #round = 0;
  /** Hidden, the page shows no frames (no requestVideoFrameCallback): a timer takes over, and back again. */
  readonly #onVisibility = () => this.#schedule();

  /** Starts the effect on `camera` (kept, not stopped; see `camera`). Rejects if the segmenter cannot load. */
  static async start(camera: MediaStreamTrack, choice: Background, assets = defaultAssets()): Promise<BackgroundEffect> {
    const effect = new BackgroundEffect(camera, choice, assets, await loadSegmenter(assets));
    await effect.#play();
    return effect;
  }

  private constructor(camera: MediaStreamTrack, choice: Background, assets: BackgroundAssets, segmenter: ImageSegmenter) {
    this.#camera = camera;
    this.#choice = choice;
    this.#assets = assets;
    this.#segmenter = segmenter;
    this.#video.muted = true;
    this.#video.playsInline = true;
    this.#small.width = this.#mask.width = MASK_WIDTH;
    this.#small.height = this.#mask.height = MASK_HEIGHT;
    this.#maskPixels = new ImageData(MASK_WIDTH, MASK_HEIGHT);
    const settings = camera.getSettings();
    this.#resize(settings.width ?? 640, settings.height ?? 480);
    this.output = this.#out.captureStream(settings.frameRate ?? 30).getVideoTracks()[0]!;
    this.#loadImage(choice);
    document.addEventListener('visibilitychange', this.#onVisibility);
  }

  /** The camera the effect draws from (what goes out again when the effect ends). */
  get camera(): MediaStreamTrack {
    return this.#camera;
  }

  get choice(): Background {
    return this.#choice;
  }

  setChoice(choice: Background): void {
    this.#choice = choice;
    this.#loadImage(choice);
  }

  /** Draws from another camera from now on; the old one is stopped. */
  async setCamera(camera: MediaStreamTrack): Promise<void> {
    const old = this.#camera;
    this.#camera = camera;
    await this.#play();
    if (old !== camera) old.stop();
  }

  /** Ends the effect: its output stops; the camera is left running for whoever takes it back. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    document.removeEventListener('visibilitychange', this.#onVisibility);
    this.#video.srcObject = null;
    this.output.stop();
  }

  async #play(): Promise<void> {
    this.#video.srcObject = new MediaStream([this.#camera]);
    await this.#video.play();
    this.#schedule();
  }

  /**
   * One round per new camera frame where the browser says when one is shown
   * (requestVideoFrameCallback), else on a timer at the camera's rate. A hidden tab shows no
   * frames at all, so there the timer draws: the others must not see a frozen picture because
   * one looks at another tab (a tab that plays the meeting's sound keeps its timers' pace).
   */
  #schedule(): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    const round = ++this.#round;
    const next = () => {
      if (round === this.#round) this.#frame();
    };
    const video = this.#video as HTMLVideoElement & { requestVideoFrameCallback?: (cb: () => void) => number };
    if (video.requestVideoFrameCallback && document.visibilityState === 'visible') video.requestVideoFrameCallback(next);
    else this.#timer = setTimeout(next, 1000 / (this.#camera.getSettings().frameRate ?? 30));
  }

  #frame(): void {
    if (this.#stopped) return;
    this.#timer = null;
    try {
      if (this.#video.videoWidth > 0) this.#draw();
    } finally {
      this.#schedule();
    }
  }

  #draw(): void {
    const started = performance.now();
    const video = this.#video;
    const w = video.videoWidth;
    const h = video.videoHeight;
    if (w !== this.#out.width || h !== this.#out.height) this.#resize(w, h);
    // The segmenter needs strictly increasing times.
    const now = Math.max(performance.now(), this.#lastTime + 1);
    this.#lastTime = now;
    const small = this.#small.getContext('2d')!;
    small.drawImage(video, 0, 0, MASK_WIDTH, MASK_HEIGHT);
    this.#segmenter.segmentForVideo(this.#small, now, (result) => {
      const mask = result.confidenceMasks?.[0];
      if (!mask) return;
      // The person's confidence becomes the alpha of a small mask image, scaled up when drawn (soft edges).
      const confidence = mask.getAsFloat32Array();
      const pixels = this.#maskPixels.data;
      for (let i = 0; i < confidence.length; i++) pixels[4 * i + 3] = confidence[i]! * 255;
      this.#mask.getContext('2d')!.putImageData(this.#maskPixels, 0, 0);
    });
    // The person: the frame, kept where the mask is.
    const person = this.#person.getContext('2d')!;
    person.globalCompositeOperation = 'copy';
    person.drawImage(video, 0, 0, w, h);
    person.globalCompositeOperation = 'destination-in';
    person.drawImage(this.#mask, 0, 0, w, h);
    // The background, then the person over it.
    const out = this.#out.getContext('2d')!;
    out.globalCompositeOperation = 'copy';
    this.#drawBackground(out, w, h);
    out.globalCompositeOperation = 'source-over';
    out.drawImage(this.#person, 0, 0);
    this.stats.frames++;
    this.stats.busyMs += performance.now() - started;
  }

  #drawBackground(out: CanvasRenderingContext2D, w: number, h: number): void {
    const blur = BLUR_PX[this.#choice];
    if (blur !== undefined) {
      // Blurred at a quarter of the size (a sixteenth of the pixels to blur), then scaled up.
      const small = this.#blurred.getContext('2d')!;
      small.filter = `blur(${(blur * w) / 640 / 4}px)`;
      small.drawImage(this.#video, 0, 0, this.#blurred.width, this.#blurred.height);
      small.filter = 'none';
      out.drawImage(this.#blurred, 0, 0, w, h);
      return;
    }
    const image = this.#images.get(this.#choice);
    if (image?.complete && image.naturalWidth > 0) {
      // Cover the frame, as a photo on a wall would.
      const s = Math.max(w / image.naturalWidth, h / image.naturalHeight);
      out.drawImage(image, (w - image.naturalWidth * s) / 2, (h - image.naturalHeight * s) / 2, image.naturalWidth * s, image.naturalHeight * s);
      return;
    }
    // The colour, and for a picture still loading.
    out.fillStyle = BACKGROUND_COLOUR;
    out.fillRect(0, 0, w, h);
  }

  #resize(w: number, h: number): void {
    this.#out.width = this.#person.width = w;
    this.#out.height = this.#person.height = h;
    this.#blurred.width = Math.max(1, Math.round(w / 4));
    this.#blurred.height = Math.max(1, Math.round(h / 4));
  }

  #loadImage(choice: Background): void {
    const file = BACKGROUND_IMAGES[choice];
    if (!file || this.#images.has(choice)) return;
    const image = new Image();
    image.src = new URL(file, this.#assets.images).href;
    this.#images.set(choice, image);
  }
}
