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
  return (
    typeof RTCPeerConnection === 'function' &&
    typeof navigator.mediaDevices?.getUserMedia === 'function'
  );
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
  const base: MediaTrackConstraints =
    kind === 'audio' ? { echoCancellation: true, noiseSuppression: true } : { ...VIDEO_CONSTRAINTS };
  return deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
}

async function getOne(kind: MediaKind, req: MediaRequest): Promise<MediaStreamTrack> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraintsFor(kind, req) });
    return stream.getTracks()[0];
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

export function stopStream(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

export interface Devices {
  audioInputs: MediaDeviceInfo[];
  videoInputs: MediaDeviceInfo[];
}

export async function listDevices(): Promise<Devices> {
  const all = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
  return {
    audioInputs: all.filter((d) => d.kind === 'audioinput'),
    videoInputs: all.filter((d) => d.kind === 'videoinput'),
  };
}

/** The loudness of a stream's audio, 0–1, read on demand (the lobby polls it per frame). */
export class AudioLevel {
  readonly #context: AudioContext;
  readonly #analyser: AnalyserNode;
  readonly #samples: Float32Array<ArrayBuffer>;

  constructor(stream: MediaStream) {
    this.#context = new AudioContext();
    this.#analyser = this.#context.createAnalyser();
    this.#analyser.fftSize = 512;
    this.#samples = new Float32Array(this.#analyser.fftSize);
    this.#context.createMediaStreamSource(stream).connect(this.#analyser);
  }

  /** Root-mean-square level scaled so that speech reaches roughly 0.3–0.8. */
  read(): number {
    if (this.#context.state === 'suspended') void this.#context.resume();
    this.#analyser.getFloatTimeDomainData(this.#samples);
    let sum = 0;
    for (const s of this.#samples) sum += s * s;
    return Math.min(1, Math.sqrt(sum / this.#samples.length) * 4);
  }

  close(): void {
    void this.#context.close();
  }
}
