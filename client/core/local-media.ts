/**
 * Our own side of the call: name, microphone and camera state, raised hand, the camera stream
 * and a shared screen, and what every connection must send because of them. Muting disables a
 * track (no renegotiation; the others see silence or black at once); a new device replaces the
 * track in place on every connection.
 */
import type { PeerId } from '../../signaling/protocol.js';
import type { LocalState } from './mesh-types.js';
import type { Link } from './peer.js';
import { cleanName, type StateMessage } from './peer-messages.js';

/** What our own state needs from the mesh around it. */
export interface LocalMediaPorts {
  /** Runs `fn` on the connection of every peer in the meeting. */
  each(fn: (link: Link) => void): void;
  /** Our state changed: tell everyone (and the UI). */
  changed(): void;
}

export interface LocalMediaOptions {
  name: string;
  /** Whatever local media could be had; an empty stream to only listen and watch. */
  stream: MediaStream;
  audio: boolean;
  video: boolean;
}

export class LocalMedia {
  readonly local: LocalState;
  readonly stream: MediaStream;
  readonly #ports: LocalMediaPorts;
  /** The highest hand position seen in the room (a Lamport clock for the order of hands). */
  #handClock = 0;

  constructor(id: PeerId, options: LocalMediaOptions, ports: LocalMediaPorts) {
    this.stream = options.stream;
    this.local = { id, name: cleanName(options.name), audio: options.audio, video: options.video, hand: null, screen: null, recording: false };
    this.#ports = ports;
    this.#applyTrackState();
  }

  /** Changes name, microphone or camera state. */
  set(change: Partial<Pick<LocalState, 'name' | 'audio' | 'video'>>): void {
    Object.assign(this.local, change, change.name === undefined ? {} : { name: cleanName(change.name) });
    this.#changed();
  }

  /** Raises the hand at the end of the room's queue, or lowers it. */
  setHand(raised: boolean): void {
    if (raised === (this.local.hand !== null)) return;
    this.local.hand = raised ? ++this.#handClock : null;
    this.#changed();
  }

  /** Whether we are recording: everyone's screen says so while we do. */
  setRecording(recording: boolean): void {
    if (recording === this.local.recording) return;
    this.local.recording = recording;
    this.#changed();
  }

  /** A peer's hand position: ours, when raised later, goes after it. */
  sawHand(hand: number | null): void {
    if (hand !== null) this.#handClock = Math.max(this.#handClock, hand);
  }

  /** What a new connection sends: the camera stream, and the screen when one is shared. */
  streams(): MediaStream[] {
    return this.local.screen ? [this.stream, this.local.screen] : [this.stream];
  }

  /**
   * Puts `track` in place of the current track of its kind, on every connection, without
   * renegotiation when there was one (RTCRtpSender.replaceTrack). The old track is stopped unless `keepOld`.
   */
  replaceTrack(track: MediaStreamTrack, keepOld = false): void {
    const old = track.kind === 'audio' ? this.stream.getAudioTracks()[0] : this.stream.getVideoTracks()[0];
    if (old === track) return;
    this.#ports.each((link) => link.replaceTrack(old ?? null, track, this.stream));
    if (old) {
      this.stream.removeTrack(old);
      // Kept when it goes on elsewhere: the camera under a background effect.
      if (!keepOld) old.stop();
    }
    this.stream.addTrack(track);
    this.#changed();
  }

  /** Shares a screen, window or tab with everyone; the browser's own "stop" button ends it. */
  shareScreen(screen: MediaStream): void {
    this.stopScreen();
    this.local.screen = screen;
    for (const track of screen.getTracks()) track.addEventListener('ended', () => this.stopScreenShare(), { once: true });
    this.#ports.each((link) => link.addStream(screen));
    this.#changed();
  }

  stopScreenShare(): void {
    if (!this.local.screen) return;
    this.stopScreen();
    this.#changed();
  }

  /** Stops sharing without telling anyone (when leaving). */
  stopScreen(): void {
    const screen = this.local.screen;
    if (!screen) return;
    this.local.screen = null;
    this.#ports.each((link) => link.removeStream(screen));
    for (const track of screen.getTracks()) track.stop();
  }

  /** Our state as the peers get it over the data channel. */
  stateMessage(): StateMessage {
    return {
      type: 'state',
      name: this.local.name,
      audio: this.local.audio && this.stream.getAudioTracks().length > 0,
      video: this.local.video && this.stream.getVideoTracks().length > 0,
      hand: this.local.hand,
      screen: this.local.screen?.id ?? null,
      recording: this.local.recording,
    };
  }

  #changed(): void {
    this.#applyTrackState();
    this.#ports.changed();
  }

  /** Muting disables the track: no renegotiation, and the peers see silence/black at once. */
  #applyTrackState(): void {
    for (const t of this.stream.getAudioTracks()) t.enabled = this.local.audio;
    for (const t of this.stream.getVideoTracks()) t.enabled = this.local.video;
  }
}
