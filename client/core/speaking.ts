/**
 * Who is speaking: the audio level of every participant (Web Audio analysers on one shared
 * AudioContext), a speaking flag with hysteresis, and the active speaker.
 */
import { Emitter } from './emitter.js';
import { loudness } from './media.js';

/** How often levels are read. */
export const SPEAKING_INTERVAL_MS = 100;
/** Loudness above which someone counts as speaking (about −45 dBFS), and below which they stop. */
const START_LEVEL = 0.25;
const STOP_LEVEL = 0.15;
/** Levels rise at once and fall by this factor per interval (like a VU meter's release). */
const RELEASE = 0.85;

export interface SpeakingEvents {
  /** Levels (0–1) and speaking flags changed; sent every interval while anyone is audible. */
  levels: (levels: ReadonlyMap<string, number>, speaking: ReadonlySet<string>) => void;
  activeSpeaker: (id: string | null) => void;
}

interface Source {
  stream: MediaStream;
  node: MediaStreamAudioSourceNode;
  analyser: AnalyserNode;
  level: number;
}

export class SpeakingMonitor extends Emitter<SpeakingEvents> {
  readonly #context = new AudioContext();
  readonly #sources = new Map<string, Source>();
  readonly #speaking = new Set<string>();
  /** About 20 ms of audio per read. */
  readonly #samples = new Float32Array(1024);
  #active: string | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;

  get activeSpeaker(): string | null {
    return this.#active;
  }

  /** Follows the audio of `stream` under `id`; null stops following it. */
  watch(id: string, stream: MediaStream | null): void {
    const current = this.#sources.get(id);
    if (current?.stream === stream && stream?.getAudioTracks().length) return;
    if (current) {
      current.node.disconnect();
      this.#sources.delete(id);
      this.#speaking.delete(id);
    }
    if (stream && stream.getAudioTracks().length > 0) {
      const node = this.#context.createMediaStreamSource(stream);
      const analyser = this.#context.createAnalyser();
      analyser.fftSize = this.#samples.length;
      node.connect(analyser);
      this.#sources.set(id, { stream, node, analyser, level: 0 });
    }
    if (this.#sources.size > 0 && !this.#timer) this.#timer = setInterval(() => this.#tick(), SPEAKING_INTERVAL_MS);
  }

  dispose(): void {
    if (this.#timer) clearInterval(this.#timer);
    for (const s of this.#sources.values()) s.node.disconnect();
    this.#sources.clear();
    void this.#context.close();
    this.clearListeners();
  }

  #tick(): void {
    if (this.#context.state === 'suspended') void this.#context.resume();
    const levels = new Map<string, number>();
    let loudest: string | null = null;
    for (const [id, s] of this.#sources) {
      s.analyser.getFloatTimeDomainData(this.#samples);
      s.level = Math.max(loudness(this.#samples), s.level * RELEASE);
      levels.set(id, s.level);
      const was = this.#speaking.has(id);
      if (!was && s.level > START_LEVEL) this.#speaking.add(id);
      if (was && s.level < STOP_LEVEL) this.#speaking.delete(id);
      if (this.#speaking.has(id) && (loudest === null || s.level > levels.get(loudest)!)) loudest = id;
    }
    this.emit('levels', levels, this.#speaking);
    // The stage stays with the last speaker until someone else speaks.
    if (loudest !== null && loudest !== this.#active && !this.#speaking.has(this.#active ?? '')) {
      this.#active = loudest;
      this.emit('activeSpeaker', loudest);
    }
  }
}
