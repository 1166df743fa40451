/**
 * What the background effect does to one camera frame, wherever it runs (the page, or a worker
 * with OffscreenCanvas; background.ts chooses): the frame is scaled to the segmenter's 256×144,
 * its confidence becomes the alpha of a small mask, and the person (the frame where the mask is)
 * is drawn over a blurred quarter-size copy, a picture or a colour.
 *
 * Only this module and background.ts import tasks-vision; both are loaded only when someone
 * chooses an effect.
 */
import { FilesetResolver, ImageSegmenter } from '@mediapipe/tasks-vision';
import type { Background } from './background-choice.js';

/** The pictures shipped with Runde (static/backgrounds/), by choice. */
export const BACKGROUND_IMAGES: Partial<Record<Background, string>> = { office: 'office.svg', 'town-hall': 'town-hall.svg' };
/** The plain colour: Runde's calm blue-grey, dark enough for any skin tone to stand out. */
export const BACKGROUND_COLOUR = '#3d4f63';
/** Blur radii, in pixels of a 640-wide picture (scaled with the camera's width). */
export const BLUR_PX: Partial<Record<Background, number>> = { 'blur-light': 6, 'blur-strong': 16 };
/** The segmenter's input: its model takes 256×144 and gives a mask of that size. */
export const MASK_WIDTH = 256;
export const MASK_HEIGHT = 144;

/** One segmenter per page or worker (by where it comes from): loading its WASM costs a second or more, and one is enough for one camera. */
const segmenters = new Map<string, Promise<ImageSegmenter>>();

/** Loads the segmenter from `dir` (tasks-vision's WASM files and the model, …/segmenter/). */
export function loadSegmenter(dir: URL): Promise<ImageSegmenter> {
  let loading = segmenters.get(dir.href);
  if (loading) return loading;
  loading = (async () => {
    const files = await FilesetResolver.forVisionTasks(dir.href.replace(/\/$/, ''));
    return ImageSegmenter.createFromOptions(files, {
      baseOptions: { modelAssetPath: new URL('selfie_segmenter_landscape.tflite', dir).href, delegate: 'CPU' },
      runningMode: 'VIDEO',
      outputCategoryMask: false,
      outputConfidenceMasks: true,
    });
  })();
  segmenters.set(dir.href, loading);
  loading.catch(() => segmenters.delete(dir.href)); // a later try may work (e.g. after going online)
  return loading;
}

export interface EffectStats {
  /** Frames drawn with the effect. */
  frames: number;
  /** Milliseconds spent segmenting and drawing, in all. */
  busyMs: number;
}

type AnyCanvas = HTMLCanvasElement | OffscreenCanvas;
type Context = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
/** A camera frame: a playing video on the page, a VideoFrame in a worker. */
export type FrameSource = HTMLVideoElement | VideoFrame;
/** A shipped picture: an image on the page, an ImageBitmap in a worker. */
export type Picture = HTMLImageElement | ImageBitmap;

/** A canvas to draw on off screen: OffscreenCanvas where there is one (every worker that has canvases has it). */
function offscreen(width: number, height: number): AnyCanvas {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(width, height);
  return Object.assign(document.createElement('canvas'), { width, height });
}

function context(canvas: AnyCanvas): Context {
  return canvas.getContext('2d') as Context;
}

/** The size of a picture that may still be loading (0×0 until then). */
function pictureSize(p: Picture): [number, number] {
  return 'naturalWidth' in p ? (p.complete ? [p.naturalWidth, p.naturalHeight] : [0, 0]) : [p.width, p.height];
}

export class BackgroundPainter {
  readonly stats: EffectStats = { frames: 0, busyMs: 0 };
  /** What the background becomes, and the picture for it when it is one (null while it loads). */
  choice: Background;
  picture: Picture | null = null;
  readonly #segmenter: ImageSegmenter;
  /** Where the result is drawn (the page's canvas that is captured, or a worker's OffscreenCanvas). */
  readonly #out: AnyCanvas;
  readonly #small = offscreen(MASK_WIDTH, MASK_HEIGHT);
  readonly #mask = offscreen(MASK_WIDTH, MASK_HEIGHT);
  readonly #person = offscreen(1, 1);
  /** A VideoFrame drawn once at full size: drawing one converts it each time, and it is drawn three times. */
  readonly #frame = offscreen(1, 1);
  readonly #blurred = offscreen(1, 1);
  readonly #maskPixels = new ImageData(MASK_WIDTH, MASK_HEIGHT);
  #lastTime = -1;

  constructor(segmenter: ImageSegmenter, out: AnyCanvas, choice: Background) {
    this.#segmenter = segmenter;
    this.#out = out;
    this.choice = choice;
  }

  /** Draws `frame` (w×h) with the effect into the output canvas. */
  paint(source: FrameSource, w: number, h: number): void {
    const started = performance.now();
    if (w !== this.#out.width || h !== this.#out.height) this.#resize(w, h);
    let frame: FrameSource | AnyCanvas = source;
    if (typeof VideoFrame !== 'undefined' && source instanceof VideoFrame) {
      context(this.#frame).drawImage(source, 0, 0);
      frame = this.#frame;
    }
    // The segmenter needs strictly increasing times.
    const now = Math.max(performance.now(), this.#lastTime + 1);
    this.#lastTime = now;
    context(this.#small).drawImage(frame, 0, 0, MASK_WIDTH, MASK_HEIGHT);
    this.#segmenter.segmentForVideo(this.#small, now, (result) => {
      const mask = result.confidenceMasks?.[0];
      if (!mask) return;
      // The person's confidence becomes the alpha of a small mask image, scaled up when drawn (soft edges).
      const confidence = mask.getAsFloat32Array();
      const pixels = this.#maskPixels.data;
      for (let i = 0; i < confidence.length; i++) pixels[4 * i + 3] = confidence[i]! * 255;
      context(this.#mask).putImageData(this.#maskPixels, 0, 0);
    });
    // The person: the frame, kept where the mask is.
    const person = context(this.#person);
    person.globalCompositeOperation = 'copy';
    person.drawImage(frame, 0, 0, w, h);
    person.globalCompositeOperation = 'destination-in';
    person.drawImage(this.#mask, 0, 0, w, h);
    // The background, then the person over it.
    const out = context(this.#out);
    out.globalCompositeOperation = 'copy';
    this.#paintBackground(out, frame, w, h);
    out.globalCompositeOperation = 'source-over';
    out.drawImage(this.#person, 0, 0);
    this.stats.frames++;
    this.stats.busyMs += performance.now() - started;
  }

  #paintBackground(out: Context, frame: FrameSource | AnyCanvas, w: number, h: number): void {
    const blur = BLUR_PX[this.choice];
    if (blur !== undefined) {
      // Blurred at a quarter of the size (a sixteenth of the pixels to blur), then scaled up.
      const small = context(this.#blurred);
      small.filter = `blur(${(blur * w) / 640 / 4}px)`;
      small.drawImage(frame, 0, 0, this.#blurred.width, this.#blurred.height);
      small.filter = 'none';
      out.drawImage(this.#blurred, 0, 0, w, h);
      return;
    }
    const [pw, ph] = this.picture ? pictureSize(this.picture) : [0, 0];
    if (this.picture && pw > 0) {
      // Cover the frame, as a photo on a wall would.
      const s = Math.max(w / pw, h / ph);
      out.drawImage(this.picture, (w - pw * s) / 2, (h - ph * s) / 2, pw * s, ph * s);
      return;
    }
    // The colour, and for a picture still loading.
    out.fillStyle = BACKGROUND_COLOUR;
    out.fillRect(0, 0, w, h);
  }

  #resize(w: number, h: number): void {
    this.#out.width = this.#person.width = this.#frame.width = w;
    this.#out.height = this.#person.height = this.#frame.height = h;
    this.#blurred.width = Math.max(1, Math.round(w / 4));
    this.#blurred.height = Math.max(1, Math.round(h / 4));
  }
}
