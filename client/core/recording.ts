/**
 * A local recording of the meeting: one video track (the UI draws the meeting as this person sees
 * it) and everyone's sound mixed, encoded by the browser's MediaRecorder into WebM and written to
 * a temporary file in the browser's private storage as it goes (file-sink.ts), so a two-hour
 * meeting does not sit in memory. Nothing leaves this machine; the person saves the file at the
 * end. The others are told through the state message (local-media.ts), not from here.
 */
import { noteTrouble } from './diagnostics.js';
import { Emitter } from './emitter.js';
import { FileStore, type FileSink } from './file-sink.js';

/** The formats tried, cheapest to encode first (VP8 costs less processor time than VP9). */
export const RECORDING_TYPES = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm'] as const;
/** How often the recorder hands over what it encoded (each piece goes to the file at once). */
export const RECORDING_SLICE_MS = 1_000;
/** The video's bitrate: a 1280×720 meeting view at 15 fps; about 0.9 GB for two hours with sound. */
export const RECORDING_VIDEO_BPS = 1_000_000;
export const RECORDING_AUDIO_BPS = 96_000;

export type RecordingState = 'recording' | 'paused' | 'stopped';
export type RecordingFailure = 'storage' | 'recorder';

export interface RecordingEvents {
  /** Recording, paused or stopped. */
  changed: () => void;
  /** It stopped by itself: the file could not be written (disk full) or the encoder failed. What was written is kept. */
  failed: (why: RecordingFailure) => void;
}

/** The first format this browser's MediaRecorder can write, or null (no recording here). */
export function recordingType(): string | null {
  if (typeof MediaRecorder === 'undefined' || typeof AudioContext === 'undefined') return null;
  return RECORDING_TYPES.find((t) => MediaRecorder.isTypeSupported(t)) ?? null;
}

export class Recording extends Emitter<RecordingEvents> {
  readonly type: string;
  readonly startedAt: number;
  #state: RecordingState = 'recording';
  readonly #recorder: MediaRecorder;
  readonly #audio: AudioContext;
  readonly #mix: MediaStreamAudioDestinationNode;
  /** The mixed sources by audio track id. */
  readonly #sources = new Map<string, MediaStreamAudioSourceNode>();
  readonly #store: FileStore;
  readonly #sink: FileSink;
  /** Bytes handed to the file so far. */
  bytes = 0;
  /** Every write queued so far, in order: stop() waits for the last. */
  #written: Promise<void> = Promise.resolve();
  #stopped: Promise<void>;
  #file: Promise<File> | null = null;

  /** Starts recording `video` and, mixed, the audio of the streams given to setAudio. */
  static async start(video: MediaStreamTrack, type = recordingType()): Promise<Recording> {
    if (!type) throw new Error('MediaRecorder cannot write WebM here');
    const store = await FileStore.open();
    // The sink reports a failed write (disk full) to the recording made with it below.
    const failed = { storage: () => {} };
    const sink = await store.sink(`recording-${Date.now()}`, () => failed.storage());
    let recording: Recording;
    try {
      recording = new Recording(video, type, store, sink);
    } catch (err) {
      // The encoder refused (e.g. the format after all): nothing may stay behind.
      await sink.discard();
      await store.dispose();
      throw err;
    }
    failed.storage = () => recording.#fail('storage');
    return recording;
  }

  private constructor(video: MediaStreamTrack, type: string, store: FileStore, sink: FileSink) {
    super();
    this.type = type;
    this.#store = store;
    this.#sink = sink;
    this.#audio = new AudioContext();
    try {
      // Made after awaits that may outlast the click's activation: a suspended context mixes silence.
      void this.#audio.resume().catch(() => {});
      this.#mix = this.#audio.createMediaStreamDestination();
      const stream = new MediaStream([video, ...this.#mix.stream.getAudioTracks()]);
      const recorder = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: RECORDING_VIDEO_BPS, audioBitsPerSecond: RECORDING_AUDIO_BPS });
      this.#recorder = recorder;
      recorder.addEventListener('dataavailable', (e) => this.#write(e.data));
      this.#stopped = new Promise((resolve) => recorder.addEventListener('stop', () => resolve(), { once: true }));
      recorder.addEventListener('error', () => this.#fail('recorder'));
      recorder.start(RECORDING_SLICE_MS);
    } catch (err) {
      // The encoder refused (start() then discards the file): the context must not stay open.
      void this.#audio.close().catch(() => {});
      throw err;
    }
    this.startedAt = Date.now();
  }

  get state(): RecordingState {
    return this.#state;
  }

  /** Mixes exactly these streams' audio tracks into the recording (call again when people come and go). */
  setAudio(streams: readonly MediaStream[]): void {
    if (this.#state === 'stopped') return;
    const tracks = new Map(
      streams
        .flatMap((s) => s.getAudioTracks())
        .filter((t) => t.readyState === 'live')
        .map((t) => [t.id, t]),
    );
    for (const [id, node] of this.#sources) {
      if (tracks.has(id)) continue;
      node.disconnect();
      this.#sources.delete(id);
    }
    for (const [id, track] of tracks) {
      if (this.#sources.has(id)) continue;
      const node = this.#audio.createMediaStreamSource(new MediaStream([track]));
      node.connect(this.#mix);
      this.#sources.set(id, node);
    }
  }

  /** The number of audio tracks mixed now (tests, diagnostics). */
  get mixed(): number {
    return this.#sources.size;
  }

  pause(): void {
    if (this.#state !== 'recording') return;
    this.#recorder.pause();
    this.#state = 'paused';
    this.emit('changed');
  }

  resume(): void {
    if (this.#state !== 'paused') return;
    this.#recorder.resume();
    this.#state = 'recording';
    this.emit('changed');
  }

  /** Stops and returns the file (on disk where the browser allows); idempotent. */
  stop(name: string): Promise<File> {
    this.#file ??= this.#finish(name);
    return this.#file;
  }

  /** Throws the file away (after it was saved, or when leaving without saving). */
  async discard(): Promise<void> {
    await this.stop('').catch(() => {});
    await this.#sink.discard();
    await this.#store.dispose();
  }

  async #finish(name: string): Promise<File> {
    if (this.#recorder.state !== 'inactive') this.#recorder.stop();
    this.#end();
    await this.#stopped;
    await this.#written;
    return this.#sink.finish(name, this.type.split(';')[0]!);
  }

  #write(data: Blob): void {
    if (data.size === 0) return;
    // In order: each piece's bytes are read, then appended, before the next piece's.
    this.#written = this.#written.then(async () => {
      const bytes = new Uint8Array(await data.arrayBuffer());
      this.#sink.write(bytes);
      this.bytes += bytes.length;
    });
    this.#written.catch(() => this.#fail('storage'));
  }

  #fail(why: RecordingFailure): void {
    if (this.#state === 'stopped') return;
    noteTrouble('recording-failed', { why });
    if (this.#recorder.state !== 'inactive') this.#recorder.stop();
    this.#end();
    this.emit('failed', why);
  }

  /** Lets go of the mix; the video track belongs to whoever draws it. */
  #end(): void {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    for (const node of this.#sources.values()) node.disconnect();
    this.#sources.clear();
    void this.#audio.close().catch(() => {});
    this.emit('changed');
  }
}
