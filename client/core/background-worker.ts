/**
 * The background effect off the page's thread (background.ts starts it where the browser can
 * hand camera frames to a worker: Chromium's MediaStreamTrackProcessor and
 * MediaStreamTrackGenerator). Frames come in as VideoFrames, are painted into an OffscreenCanvas
 * (background-paint.ts) and go out as VideoFrames to the generator, whose track is what the
 * peers receive. Built on its own as a classic worker (scripts/build.ts): tasks-vision loads its
 * WASM runner with importScripts, which module workers lack.
 */
import type { Background } from './background-choice.js';
import { BackgroundPainter, loadSegmenter } from './background-paint.js';

/** What the page tells the worker. */
export type ToWorker =
  | { type: 'start'; frames: ReadableStream<VideoFrame>; sink: WritableStream<VideoFrame>; segmenter: string; choice: Background; picture: ImageBitmap | null }
  /** Another camera: its frames from now on (the sink stays, so the sent track does too). */
  | { type: 'camera'; frames: ReadableStream<VideoFrame> }
  | { type: 'choice'; choice: Background; picture: ImageBitmap | null }
  /** The camera is off: frames are dropped unpainted (the sent track is disabled meanwhile). */
  | { type: 'pause'; paused: boolean }
  | { type: 'stop' };

/** What the worker tells the page. */
export type FromWorker = { type: 'ready' } | { type: 'failed'; reason: string } | { type: 'stats'; frames: number; busyMs: number };

/** How often (in frames) the page hears the figures (bench:blur, tests). */
const STATS_EVERY = 10;

interface WorkerScope {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
  close(): void;
}
const scope = self as unknown as WorkerScope;

let painter: BackgroundPainter | null = null;
let out: OffscreenCanvas | null = null;
let sink: WritableStreamDefaultWriter<VideoFrame> | null = null;
/** The current camera's reading loop; an older one ends at its next frame. */
let reading = 0;
let paused = false;

async function start(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  try {
    const segmenter = await loadSegmenter(new URL(msg.segmenter));
    out = new OffscreenCanvas(1, 1);
    painter = new BackgroundPainter(segmenter, out, msg.choice);
    painter.picture = msg.picture;
    sink = msg.sink.getWriter();
  } catch (e) {
    scope.postMessage({ type: 'failed', reason: e instanceof Error ? e.message : String(e) });
    return;
  }
  scope.postMessage({ type: 'ready' });
  void pump(msg.frames);
}

/** Paints every frame of `frames` until it ends (the camera stopped) or another camera takes over. */
async function pump(frames: ReadableStream<VideoFrame>): Promise<void> {
  const round = ++reading;
  const reader = frames.getReader();
  try {
    for (;;) {
      const { value: frame, done } = await reader.read();
      if (done) return;
      if (round !== reading || !painter || !out || !sink) {
        frame.close();
        await reader.cancel();
        return;
      }
      if (paused) {
        frame.close();
        continue;
      }
      let painted: VideoFrame | null = null;
      try {
        painter.paint(frame, frame.displayWidth, frame.displayHeight);
        painted = new VideoFrame(out, { timestamp: frame.timestamp });
      } catch {
        // A frame the segmenter could not take: the next one tries again (the page gives up on
        // an effect that never paints, background.ts FIRST_FRAME_MS).
      } finally {
        frame.close();
      }
      if (!painted) continue;
      try {
        await sink.write(painted);
      } catch (e) {
        painted.close(); // the sent track has stopped: nobody takes it
        throw e;
      } // the generator takes the frame (and closes it)
      // The first frame too: the page waits for it to know the effect works here.
      if (painter.stats.frames === 1 || painter.stats.frames % STATS_EVERY === 0) scope.postMessage({ type: 'stats', ...painter.stats });
    }
  } catch {
    // The camera's stream or the sent track ended: nothing more to paint.
  } finally {
    reader.releaseLock();
  }
}

scope.onmessage = (e) => {
  const msg = e.data;
  if (msg.type === 'start') void start(msg);
  else if (msg.type === 'camera') void pump(msg.frames);
  else if (msg.type === 'pause') paused = msg.paused;
  else if (msg.type === 'choice' && painter) {
    painter.choice = msg.choice;
    painter.picture = msg.picture;
  } else if (msg.type === 'stop') {
    reading++;
    void sink?.close().catch(() => {});
    scope.close();
  }
};
