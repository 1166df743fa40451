/**
 * Background blur and replacement, on this device: each camera frame is segmented (MediaPipe's
 * selfie segmenter through tasks-vision, its WASM and model served by the deployment itself,
 * scripts/segmenter-model.ts) and painted again with the background blurred or replaced
 * (background-paint.ts). The result is a track that takes the camera's place on every connection
 * (replaceTrack, no renegotiation); the camera itself is kept here, to go back to.
 *
 * Where the browser hands camera frames to a worker (Chromium's MediaStreamTrackProcessor and
 * MediaStreamTrackGenerator), the painting runs there (background-worker.ts) and the page's thread
 * stays free for the call; elsewhere (Firefox, Safari), or if the worker cannot start, it runs on
 * the page and a canvas is captured.
 *
 * Everything runs on demand: this module and tasks-vision are a chunk of their own (the meeting
 * imports it when an effect is first chosen), and the WASM and model are fetched only then.
 */
import type { Background } from './background-choice.js';
import { BACKGROUND_IMAGES, BackgroundPainter, loadSegmenter, type EffectStats } from './background-paint.js';
import type { FromWorker, ToWorker } from './background-worker.js';

export { BACKGROUNDS, isBackground, type Background } from './background-choice.js';
export { BACKGROUND_COLOUR, type EffectStats } from './background-paint.js';

export interface BackgroundAssets {
  /** Where tasks-vision's WASM files and the model are (…/segmenter/). */
  segmenter: URL;
  /** Where the background pictures are (…/backgrounds/). */
  images: URL;
  /** The worker's script (background-worker.js); without it the effect runs on the page. */
  worker?: URL;
}

/** In the built app: static/build/segmenter/ and the worker beside this chunk, static/backgrounds/ above it. */
export function defaultAssets(): BackgroundAssets {
  return {
    segmenter: new URL('./segmenter/', import.meta.url),
    images: new URL('../backgrounds/', import.meta.url),
    worker: new URL('./background-worker.js', import.meta.url),
  };
}

/** Chromium's track processor and generator (not in TypeScript's DOM types: not in every browser). */
interface TrackProcessor {
  readonly readable: ReadableStream<VideoFrame>;
}
type TrackGenerator = MediaStreamTrack & { readonly writable: WritableStream<VideoFrame> };
interface FrameStreams {
  MediaStreamTrackProcessor?: new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => TrackProcessor;
  MediaStreamTrackGenerator?: new (init: { kind: 'video' }) => TrackGenerator;
}

/** Where the painting happens: a worker, or the page. */
interface Pipeline {
  readonly output: MediaStreamTrack;
  readonly stats: EffectStats;
  setCamera(camera: MediaStreamTrack): Promise<void>;
  setChoice(choice: Background, picture: HTMLImageElement | null): void;
  setPaused(paused: boolean): void;
  stop(): void;
  /** Resolves when the first frame has been painted. */
  readonly painted: Promise<void>;
}

/**
 * How long the first painted frame may take once the segmenter has loaded. Where it never comes
 * (headless Firefox here: its graph waits for WebGL output that never arrives) the effect counts
 * as failed, and the camera is not replaced by a track without pictures.
 */
const FIRST_FRAME_MS = 10_000;

/** The pipeline `starting` gives, once it has painted a frame; stopped and rejected if it does not within FIRST_FRAME_MS. */
async function painting<P extends Pipeline>(starting: Promise<P>): Promise<P> {
  const pipeline = await starting;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no frame painted')), FIRST_FRAME_MS)));
  try {
    await Promise.race([pipeline.painted, late]);
    return pipeline;
  } catch (e) {
    pipeline.stop();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

export class BackgroundEffect {
  #camera: MediaStreamTrack;
  #choice: Background;
  readonly #pipeline: Pipeline;
  readonly #pictures: Pictures;

  /**
   * Starts the effect on `camera` (kept, not stopped; see `camera`): in a worker where the
   * browser allows it, else on the page. Rejects if the segmenter cannot load.
   */
  static async start(camera: MediaStreamTrack, choice: Background, assets = defaultAssets()): Promise<BackgroundEffect> {
    const pictures = new Pictures(assets.images);
    const picture = await pictures.get(choice);
    const streams = globalThis as FrameStreams;
    let pipeline: Pipeline | null = null;
    if (assets.worker && streams.MediaStreamTrackProcessor && streams.MediaStreamTrackGenerator) {
      pipeline = await painting(WorkerPipeline.start(camera, choice, picture, assets)).catch(() => null);
    }
    pipeline ??= await painting(PagePipeline.start(camera, choice, picture, assets));
    return new BackgroundEffect(camera, choice, pipeline, pictures);
  }

  private constructor(camera: MediaStreamTrack, choice: Background, pipeline: Pipeline, pictures: Pictures) {
    this.#camera = camera;
    this.#choice = choice;
    this.#pipeline = pipeline;
    this.#pictures = pictures;
  }

  /** The track to send: the camera's picture with the effect. */
  get output(): MediaStreamTrack {
    return this.#pipeline.output;
  }

  get stats(): EffectStats {
    return this.#pipeline.stats;
  }

  /** Whether the painting runs in a worker (false: on the page's thread). */
  get offThread(): boolean {
    return this.#pipeline instanceof WorkerPipeline;
  }

  /** The camera the effect draws from (what goes out again when the effect ends). */
  get camera(): MediaStreamTrack {
    return this.#camera;
  }

  get choice(): Background {
    return this.#choice;
  }

  /** Another background from now on (a picture shows once it has loaded; the colour meanwhile). */
  setChoice(choice: Background): void {
    this.#choice = choice;
    this.#pipeline.setChoice(choice, null);
    void this.#pictures.get(choice).then((picture) => {
      if (picture && this.#choice === choice) this.#pipeline.setChoice(choice, picture);
    });
  }

  /** While the camera is off nothing is painted (the segmenter costs a good part of a core). */
  setPaused(paused: boolean): void {
    this.#pipeline.setPaused(paused);
  }

  /** Draws from another camera from now on; the old one is stopped. */
  async setCamera(camera: MediaStreamTrack): Promise<void> {
    const old = this.#camera;
    this.#camera = camera;
    await this.#pipeline.setCamera(camera);
    if (old !== camera) old.stop();
  }

  /** Ends the effect: its output stops; the camera is left running for whoever takes it back. */
  stop(): void {
    this.#pipeline.stop();
  }
}

/** The shipped pictures, loaded once each; null for a choice without one or one that failed. */
class Pictures {
  readonly #dir: URL;
  readonly #loaded = new Map<Background, Promise<HTMLImageElement | null>>();
  constructor(dir: URL) {
    this.#dir = dir;
  }

  async get(choice: Background): Promise<HTMLImageElement | null> {
    const file = BACKGROUND_IMAGES[choice];
    if (!file) return null;
    let loaded = this.#loaded.get(choice);
    if (!loaded) {
      const image = new Image();
      image.src = new URL(file, this.#dir).href;
      loaded = image.decode().then(
        () => image,
        () => null, // the colour stands in
      );
      this.#loaded.set(choice, loaded);
    }
    return loaded;
  }
}

/** A picture the worker can take (an ImageBitmap, transferred). */
async function bitmapOf(picture: HTMLImageElement | null): Promise<ImageBitmap | null> {
  return picture ? createImageBitmap(picture).catch(() => null) : null;
}

/** The painting in a worker: camera frames in through a processor, painted frames out through a generator. */
class WorkerPipeline implements Pipeline {
  readonly output: TrackGenerator;
  readonly stats: EffectStats = { frames: 0, busyMs: 0 };
  readonly painted: Promise<void>;
  readonly #worker: Worker;
  #choice: Background;

  static async start(camera: MediaStreamTrack, choice: Background, picture: HTMLImageElement | null, assets: BackgroundAssets): Promise<WorkerPipeline> {
    const streams = globalThis as unknown as Required<FrameStreams>;
    const worker = new Worker(assets.worker!, { name: 'runde-background' });
    const output = new streams.MediaStreamTrackGenerator({ kind: 'video' });
    const pipeline = new WorkerPipeline(worker, output, choice);
    const frames = new streams.MediaStreamTrackProcessor({ track: camera, maxBufferSize: 1 }).readable;
    const bitmap = await bitmapOf(picture);
    const ready = new Promise<void>((resolve, reject) => {
      worker.addEventListener('message', (e: MessageEvent<FromWorker>) => {
        if (e.data.type === 'ready') resolve();
        if (e.data.type === 'failed') reject(new Error(e.data.reason));
      });
      worker.addEventListener('error', (e) => reject(new Error(e.message)));
    });
    pipeline.#post({ type: 'start', frames, sink: output.writable, segmenter: assets.segmenter.href, choice, picture: bitmap }, [
      frames,
      output.writable,
      ...(bitmap ? [bitmap] : []),
    ]);
    try {
      await ready;
    } catch (e) {
      pipeline.stop();
      throw e;
    }
    return pipeline;
  }

  private constructor(worker: Worker, output: TrackGenerator, choice: Background) {
    this.#worker = worker;
    this.output = output;
    this.#choice = choice;
    // The worker tells its figures after the first frame and every few after.
    this.painted = new Promise((resolve) => {
      worker.addEventListener('message', (e: MessageEvent<FromWorker>) => {
        if (e.data.type !== 'stats') return;
        Object.assign(this.stats, { frames: e.data.frames, busyMs: e.data.busyMs });
        resolve();
      });
    });
  }

  #post(msg: ToWorker, transfer: Transferable[] = []): void {
    this.#worker.postMessage(msg, transfer);
  }

  async setCamera(camera: MediaStreamTrack): Promise<void> {
    const Processor = (globalThis as unknown as Required<FrameStreams>).MediaStreamTrackProcessor;
    const frames = new Processor({ track: camera, maxBufferSize: 1 }).readable;
    this.#post({ type: 'camera', frames }, [frames]);
  }

  setChoice(choice: Background, picture: HTMLImageElement | null): void {
    this.#choice = choice;
    void bitmapOf(picture).then((bitmap) => {
      if (this.#choice === choice) this.#post({ type: 'choice', choice, picture: bitmap }, bitmap ? [bitmap] : []);
    });
  }

  setPaused(paused: boolean): void {
    this.#post({ type: 'pause', paused });
  }

  stop(): void {
    this.#post({ type: 'stop' });
    this.output.stop();
    // A worker that does not close itself in time is ended all the same.
    setTimeout(() => this.#worker.terminate(), 1_000);
  }
}

/** The painting on the page: the camera plays in a video element, a canvas is painted and captured. */
class PagePipeline implements Pipeline {
  readonly output: MediaStreamTrack;
  readonly painted: Promise<void>;
  #onPainted: () => void = () => {};
  readonly #painter: BackgroundPainter;
  readonly #video = document.createElement('video');
  #camera: MediaStreamTrack;
  #stopped = false;
  #paused = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  /** Whether the video's frame callbacks ever came, or are known not to (then the timer draws). */
  #frameCallbacksSeen = false;
  #noFrameCallbacks = false;
  /** The drawing loop's current round: a callback of an older one (before a camera change or the tab hiding) ends it. */
  #round = 0;
  /** Hidden, the page shows no frames (no requestVideoFrameCallback): a timer takes over, and back again. */
  readonly #onVisibility = () => this.#schedule();

  static async start(camera: MediaStreamTrack, choice: Background, picture: HTMLImageElement | null, assets: BackgroundAssets): Promise<PagePipeline> {
    const pipeline = new PagePipeline(camera, choice, await loadSegmenter(assets.segmenter));
    pipeline.#painter.picture = picture;
    try {
      await pipeline.#play();
    } catch (e) {
      pipeline.stop(); // its listener, canvas track and video go too
      throw e;
    }
    return pipeline;
  }

  private constructor(camera: MediaStreamTrack, choice: Background, segmenter: Awaited<ReturnType<typeof loadSegmenter>>) {
    this.#camera = camera;
    this.#video.muted = true;
    this.#video.playsInline = true;
    const settings = camera.getSettings();
    const out = Object.assign(document.createElement('canvas'), { width: settings.width ?? 640, height: settings.height ?? 480 });
    this.#painter = new BackgroundPainter(segmenter, out, choice);
    this.output = out.captureStream(settings.frameRate ?? 30).getVideoTracks()[0]!;
    this.painted = new Promise((resolve) => (this.#onPainted = resolve));
    document.addEventListener('visibilitychange', this.#onVisibility);
  }

  get stats(): EffectStats {
    return this.#painter.stats;
  }

  async setCamera(camera: MediaStreamTrack): Promise<void> {
    this.#camera = camera;
    await this.#play();
  }

  setChoice(choice: Background, picture: HTMLImageElement | null): void {
    this.#painter.choice = choice;
    this.#painter.picture = picture;
  }

  setPaused(paused: boolean): void {
    this.#paused = paused;
  }

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
    const interval = 1000 / (this.#camera.getSettings().frameRate ?? 30);
    if (video.requestVideoFrameCallback && document.visibilityState === 'visible' && !this.#noFrameCallbacks) {
      video.requestVideoFrameCallback(() => {
        this.#frameCallbacksSeen = true;
        next();
      });
      // Firefox calls none for a video that is not on the page: a timer takes over for good then.
      this.#timer = setTimeout(() => {
        if (!this.#frameCallbacksSeen) this.#noFrameCallbacks = true;
        next();
      }, 3 * interval);
    } else this.#timer = setTimeout(next, interval);
  }

  #frame(): void {
    if (this.#stopped) return;
    this.#timer = null;
    try {
      if (this.#video.videoWidth > 0 && !this.#paused) {
        this.#painter.paint(this.#video, this.#video.videoWidth, this.#video.videoHeight);
        this.#onPainted();
      }
    } catch {
      // A frame the segmenter could not take (Firefox without WebGL throws here): the next one
      // tries again, and an effect that never paints is given up (FIRST_FRAME_MS).
    } finally {
      this.#schedule();
    }
  }
}
