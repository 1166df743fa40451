/**
 * Who is speaking: the audio level of every participant, a speaking flag with hysteresis, and
 * the active speaker.
 *
 * Levels come from where they are cheapest. A remote participant's come from the audio level
 * its browser writes into every RTP packet (RFC 6464), read through
 * `RTCRtpReceiver.getSynchronizationSources()`: no Web Audio graph per peer. Our own
 * microphone's come from a Web Audio analyser, on one AudioContext that renders in large
 * blocks, because nothing else measures our audio before it is sent.
 *
 * Why: an AudioContext renders all the time, and every stream in it is pulled through it. In
 * `npm run bench:mesh` at N = 5 (all five people in one page) the Web Audio graphs cost 136–143 %
 * against 118–126 % of the two cores without them; at N = 6, the slowest stream went from
 * 11.2–17.4 fps to 13.1–19.3 fps in three alternating runs each, on a saturated machine.
 */
import { Emitter } from './emitter.js';
import { AudioLevel, loudnessOfRms } from './media.js';

/** How often levels are read: our own microphone's every time, remote participants' in turn (RECEIVERS_PER_INTERVAL). */
export const SPEAKING_INTERVAL_MS = 100;
/**
 * Reading a receiver's RTP level (getSynchronizationSources) waits for WebRTC's worker thread:
 * the call's largest piece of JavaScript in bench:mesh's profile (N = 6 in one page: 80 ms of
 * every second, 8 % of a core, for 30 receivers at 10 reads a second), and on a saturated
 * machine each read blocks the page for longer. So at most this many receivers are read per
 * interval, in turn: each every 100 ms with up to three others, about every 200 ms with four to
 * six, about every 300 ms with seven, still well within a syllable.
 */
export const RECEIVERS_PER_INTERVAL = 3;
/** Loudness above which someone counts as speaking (about −45 dBFS), and below which they stop. */
const START_LEVEL = 0.25;
const STOP_LEVEL = 0.15;
/** Levels rise at once and fall by this factor per interval (like a VU meter's release). */
export const RELEASE = 0.85;
/** An RTP level older than this is stale: nothing of that peer's audio is playing any more. */
const STALE_MS = 1_000;

export interface SpeakingEvents {
  /** Levels (0–1) and speaking flags changed; sent every interval while anyone is audible. */
  levels: (levels: ReadonlyMap<string, number>, speaking: ReadonlySet<string>) => void;
  activeSpeaker: (id: string | null) => void;
}

/** One participant's audio, read as loudness 0–1 (see media.ts `loudness`). */
interface LevelSource {
  /** What is measured: the same one watched again is kept. */
  readonly of: MediaStreamTrack | RTCRtpReceiver;
  /** A receiver: read in turn with the others (RECEIVERS_PER_INTERVAL). */
  readonly remote: boolean;
  read(): number;
  close(): void;
}

/**
 * A remote participant, from the level in the RTP packets. The browser updates it as the audio
 * plays out (the call's tiles play every peer's audio), so no decoding happens here.
 */
function receiverLevel(receiver: RTCRtpReceiver): number {
  const source = receiver.getSynchronizationSources()[0];
  // The timestamp is on the clock of performance.timeOrigin + performance.now() (the spec's
  // "wall clock"); a level from over a second ago belongs to audio that stopped.
  if (!source || typeof source.audioLevel !== 'number' || performance.timeOrigin + performance.now() - source.timestamp > STALE_MS) return 0;
  return loudnessOfRms(source.audioLevel);
}

export class SpeakingMonitor extends Emitter<SpeakingEvents> {
  /** Created with the first analysed stream; 'playback' latency: it only feeds analysers. */
  #context: AudioContext | null = null;
  readonly #sources = new Map<string, { source: LevelSource; level: number; readAt: number }>();
  readonly #speaking = new Set<string>();
  #active: string | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  /** Where the turn of the receivers' reads goes on from, and the intervals counted so far. */
  #nextReceiver = 0;
  #ticks = 0;

  get activeSpeaker(): string | null {
    return this.#active;
  }

  /**
   * Follows the microphone of a local `stream` under `id` (Web Audio), and the new one after a
   * device switch (call it again); null stops following it.
   */
  watch(id: string, stream: MediaStream | null): void {
    const track = stream?.getAudioTracks()[0] ?? null;
    this.#follow(id, track, (t) => {
      // About 20 ms of audio per read, as long as an RTP packet's.
      const meter = new AudioLevel(new MediaStream([t]), { samples: 1024, context: (this.#context ??= new AudioContext({ latencyHint: 'playback' })) });
      return { of: t, remote: false, read: () => meter.read(), close: () => meter.close() };
    });
  }

  /** Follows a remote participant's audio through the receiver of its audio track; null stops. */
  watchReceiver(id: string, receiver: RTCRtpReceiver | null): void {
    this.#follow(id, receiver, (r) => ({ of: r, remote: true, read: () => receiverLevel(r), close: () => {} }));
  }

  #follow<T extends MediaStreamTrack | RTCRtpReceiver>(id: string, of: T | null, create: (of: T) => LevelSource): void {
    const current = this.#sources.get(id);
    if (current && current.source.of === of) return;
    if (current) {
      current.source.close();
      this.#sources.delete(id);
      this.#speaking.delete(id);
    }
    if (of) this.#sources.set(id, { source: create(of), level: 0, readAt: this.#ticks });
    if (this.#sources.size > 0 && !this.#timer) this.#timer = setInterval(() => this.#tick(), SPEAKING_INTERVAL_MS);
  }

  dispose(): void {
    if (this.#timer) clearInterval(this.#timer);
    for (const s of this.#sources.values()) s.source.close();
    this.#sources.clear();
    void this.#context?.close();
    this.clearListeners();
  }

  /** The receivers read this interval: RECEIVERS_PER_INTERVAL of them, in turn. */
  #receiversDue(): Set<string> {
    const receivers = [...this.#sources].filter(([, s]) => s.source.remote).map(([id]) => id);
    const count = Math.min(RECEIVERS_PER_INTERVAL, receivers.length);
    const due = new Set(Array.from({ length: count }, (_, i) => receivers[(this.#nextReceiver + i) % receivers.length] ?? ''));
    this.#nextReceiver = receivers.length ? (this.#nextReceiver + RECEIVERS_PER_INTERVAL) % receivers.length : 0;
    return due;
  }

  #tick(): void {
    const levels = new Map<string, number>();
    let loudest: string | null = null;
    const due = this.#receiversDue();
    const now = ++this.#ticks;
    for (const [id, s] of this.#sources) {
      // A receiver not read this time holds its level: falling meanwhile would end speech that
      // goes on; read, it falls by the release of every interval since its last read.
      if (!s.source.remote || due.has(id)) {
        s.level = Math.max(s.source.read(), s.level * RELEASE ** (now - s.readAt));
        s.readAt = now;
      }
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
