/**
 * Local camera and microphone: acquiring them with a plain reason when one is missing, listing
 * devices, and a microphone level meter for the lobby.
 */
import { RundeError, type RundeErrorCode } from './errors.js';

export type MediaKind = 'audio' | 'video';

export interface MediaRequest {
  audio: boolean;
  video: boolean;
  audioDeviceId?: string | null;
  videoDeviceId?: string | null;
}

export interface LocalMedia {
  /** Holds whatever could be had: both tracks, one, or none. */
  stream: MediaStream;
  /** Why a requested kind is missing. */
  problems: Partial<Record<MediaKind, RundeErrorCode>>;
}

/** Camera constraints: modest by default, since every sender encodes one stream per peer. */
const VIDEO_CONSTRAINTS: MediaTrackConstraints = {
  width: { ideal: 640 },
  height: { ideal: 480 },
  frameRate: { ideal: 24, max: 30 },
};

export function hasWebRtc(): boolean {
  return typeof RTCPeerConnection === 'function' && typeof navigator.mediaDevices?.getUserMedia === 'function';
}

/** Maps a getUserMedia failure to the sentence the person needs. */
export function mediaErrorCode(err: unknown): RundeErrorCode {
  const name = err instanceof Error || err instanceof DOMException ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'ERR_MEDIA_DENIED';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'ERR_MEDIA_NOT_FOUND';
    case 'NotReadableError':
    case 'AbortError':
      return 'ERR_MEDIA_IN_USE';
    default:
      return 'ERR_MEDIA_FAILED';
  }
}

function constraintsFor(kind: MediaKind, req: MediaRequest): MediaTrackConstraints | boolean {
  const deviceId = kind === 'audio' ? req.audioDeviceId : req.videoDeviceId;
  const base: MediaTrackConstraints = kind === 'audio' ? { echoCancellation: true, noiseSuppression: true } : { ...VIDEO_CONSTRAINTS };
  return deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
}

async function getOne(kind: MediaKind, req: MediaRequest): Promise<MediaStreamTrack> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraintsFor(kind, req) });
    const [track] = stream.getTracks();
    // A browser that resolves without the track it was asked for: as if there were no device.
    if (!track) throw new DOMException(`no ${kind} track`, 'NotFoundError');
    return track;
  } catch (err) {
    // A remembered device that is gone: fall back to the default one.
    const deviceId = kind === 'audio' ? req.audioDeviceId : req.videoDeviceId;
    if (deviceId && mediaErrorCode(err) === 'ERR_MEDIA_NOT_FOUND') {
      return getOne(kind, { ...req, audioDeviceId: null, videoDeviceId: null });
    }
    throw err;
  }
}

/**
 * Asks for the requested kinds, each on its own so that a denied or busy camera does not cost the
 * microphone. Never throws for media problems: they come back in `problems`.
 */
export async function acquireMedia(req: MediaRequest): Promise<LocalMedia> {
  if (!hasWebRtc()) throw new RundeError('ERR_NO_WEBRTC', 'This browser has no WebRTC');
  const stream = new MediaStream();
  const problems: LocalMedia['problems'] = {};
  for (const kind of ['audio', 'video'] as const) {
    if (!req[kind]) continue;
    try {
      stream.addTrack(await getOne(kind, req));
    } catch (err) {
      problems[kind] = mediaErrorCode(err);
    }
  }
  return { stream, problems };
}

/** One fresh track of `kind`, from `deviceId` or the default device. Throws a RundeError. */
export async function acquireTrack(kind: MediaKind, deviceId: string | null): Promise<MediaStreamTrack> {
  const req: MediaRequest = { audio: kind === 'audio', video: kind === 'video', audioDeviceId: deviceId, videoDeviceId: deviceId };
  try {
    return await getOne(kind, req);
  } catch (err) {
    throw new RundeError(mediaErrorCode(err), `Could not start the ${kind} device`, { cause: err });
  }
}

/** A screen, window or tab chosen by the person (the browser asks). Throws a RundeError. */
export async function acquireScreen(): Promise<MediaStream> {
  try {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
    // Text and slides: when the upload is short, keep the resolution (legible) and drop frames,
    // not the other way round as for faces.
    for (const track of stream.getVideoTracks()) track.contentHint = 'detail';
    return stream;
  } catch (err) {
    throw new RundeError(mediaErrorCode(err), 'Screen sharing did not start', { cause: err });
  }
}

export function canShareScreen(): boolean {
  return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

/** Whether the browser can choose the speaker for playback. */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

export function stopStream(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

export interface Devices {
  audioInputs: MediaDeviceInfo[];
  videoInputs: MediaDeviceInfo[];
  audioOutputs: MediaDeviceInfo[];
}

export async function listDevices(): Promise<Devices> {
  const all = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
  return {
    audioInputs: all.filter((d) => d.kind === 'audioinput'),
    videoInputs: all.filter((d) => d.kind === 'videoinput'),
    audioOutputs: all.filter((d) => d.kind === 'audiooutput'),
  };
}

/** Quietest level shown: −60 dBFS and below read as 0. */
const FLOOR_DB = -60;

/**
 * Loudness of audio samples on a 0–1 scale that follows hearing: 0 at −60 dBFS or below,
 * 1 at full scale (speech at a normal distance reads about 0.4–0.7).
 */
export function loudness(samples: Float32Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return loudnessOfRms(Math.sqrt(sum / samples.length));
}

/** The same scale for an RMS amplitude (0–1, full scale 1), e.g. an RTP packet's audio level. */
export function loudnessOfRms(rms: number): number {
  const db = rms > 0 ? 20 * Math.log10(rms) : FLOOR_DB;
  return Math.max(0, Math.min(1, (db - FLOOR_DB) / -FLOOR_DB));
}

/** The loudness of a stream's audio, 0–1, read on demand (the lobby polls it per frame). */
export class AudioLevel {
  readonly #context: AudioContext;
  /** Made here (and closed with the meter), or shared and left open for others. */
  readonly #ownContext: boolean;
  readonly #source: MediaStreamAudioSourceNode;
  readonly #analyser: AnalyserNode;
  readonly #samples: Float32Array<ArrayBuffer>;

  /**
   * `samples`: how much audio one read measures (512 ≈ 10 ms at 48 kHz); `context`: an
   * AudioContext shared with other meters, which outlives this one.
   */
  constructor(stream: MediaStream, options: { samples?: number; context?: AudioContext } = {}) {
    this.#ownContext = !options.context;
    this.#context = options.context ?? new AudioContext();
    this.#analyser = this.#context.createAnalyser();
    this.#analyser.fftSize = options.samples ?? 512;
    this.#samples = new Float32Array(this.#analyser.fftSize);
    this.#source = this.#context.createMediaStreamSource(stream);
    this.#source.connect(this.#analyser);
  }

  read(): number {
    if (this.#context.state === 'suspended') void this.#context.resume();
    this.#analyser.getFloatTimeDomainData(this.#samples);
    return loudness(this.#samples);
  }

  close(): void {
    this.#source.disconnect();
    if (this.#ownContext) void this.#context.close();
  }
}
