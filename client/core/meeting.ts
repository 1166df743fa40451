/**
 * One meeting as the UI sees it, and the only part of the call core the UI talks to: the mesh
 * (kept private) plus the features that ride on it (chat, files, reactions, who is speaking,
 * connection quality, video shaping). Owns their lifetimes; the UI calls methods here and
 * listens to events (the mesh's, passed on, and its own). test/node/layers.test.ts keeps the UI
 * from importing anything behind it.
 */
import type { PeerId, RoomId } from '../../signaling/protocol.js';
import type { OwnAdmission } from './admission.js';
import type { BackgroundAssets, BackgroundEffect, EffectStats } from './background.js';
import type { Background } from './background-choice.js';
import { BackgroundControl } from './background-control.js';
import { DEFAULT_UPLOAD_KBPS, type VideoPlan, type ViewRole } from './bandwidth.js';
import { Chat } from './chat.js';
import { fingerprintOf, safetyCode } from './crypto.js';
import { Emitter } from './emitter.js';
import { FileTransfers } from './file-transfer.js';
import { acquireTrack, listDevices, type Devices } from './media.js';
import { Mesh } from './mesh.js';
import type { CallEvents, LocalState, MeshEvents, MeshOptions, RemotePeer } from './mesh-types.js';
import type { Link } from './peer.js';
import { REACTIONS, type Reaction } from './peer-messages.js';
import { QUALITY_INTERVAL_MS, QualityMeter, type PeerQuality } from './quality.js';
import type { SignalingState } from './signaling-client.js';
import { SpeakingMonitor } from './speaking.js';
import type { HostRequest } from './statements.js';
import { VideoShaping } from './video-shaping.js';

export type { LocalState } from './mesh-types.js';
export type { SignalingState } from './signaling-client.js';
export type { OwnAdmission } from './admission.js';
export { BACKGROUNDS, isBackground, type Background } from './background-choice.js';
/** What a host can ask of one participant (or, to mute, everyone). */
export type HostAsk = HostRequest['kind'];
export { VIEW_REPORT_MS } from './video-shaping.js';

/** The id under which the own participant appears in speaking levels and reactions. */
export const LOCAL = 'local';

/** A remote participant as the UI sees it: what it says and shows, not its connection. */
export type PeerView = Readonly<Omit<RemotePeer, 'link'>>;

export interface MeetingOptions extends MeshOptions {
  /** Where background blur finds its segmenter and pictures (tests; the built app knows). */
  backgroundAssets?: BackgroundAssets;
  /** The background chosen before the call: a camera that comes later goes out only through it. */
  background?: Background;
  /**
   * The lobby's effect with its camera, while or once it runs (`stream` then carries its output,
   * or no video until it runs). If it cannot start, the camera goes out with video off.
   */
  effect?: { camera: MediaStreamTrack; ready: Promise<BackgroundEffect> } | null;
  /** Total upload budget for all outgoing video and audio, in kbit/s. */
  uploadKbps?: number;
  /** Shape outgoing streams (default true); false sends as the browser likes (for comparison). */
  adapt?: boolean;
}

export interface MeetingEvents extends CallEvents<PeerView> {
  /** Someone (or we, as LOCAL) sent a reaction. */
  reaction: (from: PeerId | typeof LOCAL, emoji: Reaction) => void;
  /** New quality figures for some peers. */
  quality: (figures: ReadonlyMap<PeerId, PeerQuality>) => void;
  /** The safety code of a connection is known (see crypto.ts). */
  safetyCode: (id: PeerId, code: string) => void;
  /** Devices were plugged in or out (a lost device has already been replaced if possible). */
  devices: (devices: Devices) => void;
  /** A host asked us to mute or lower our hand, and it is done (`by`: the host's peer id). */
  hostAsked: (kind: HostRequest['kind'], by: PeerId) => void;
  /** The chosen background could not start for a camera: it is sent, but with video off (never as it is unasked). */
  backgroundFailed: () => void;
}

/** The mesh events the meeting passes on as they are. */
const PASSED_ON = [
  'joined',
  'peerJoined',
  'peerConnected',
  'peerUpdated',
  'peerLeft',
  'message',
  'localUpdated',
  'signalingState',
  'failed',
  'relayProblem',
  'admissionChanged',
] as const satisfies readonly (keyof MeshEvents & keyof MeetingEvents)[];

/** The receiver of the audio track in a peer's camera stream (its microphone), if it sends one. */
function audioReceiver(peer: RemotePeer): RTCRtpReceiver | null {
  const track = peer.stream?.getAudioTracks()[0];
  return track ? peer.link.receiverOf(track) : null;
}

export class Meeting extends Emitter<MeetingEvents> {
  readonly #mesh: Mesh;
  readonly #room: RoomId;
  readonly chat: Chat;
  readonly files: FileTransfers;
  readonly speaking = new SpeakingMonitor();
  readonly quality = new Map<PeerId, PeerQuality>();
  readonly safetyCodes = new Map<PeerId, string>();
  readonly #shaping: VideoShaping;
  readonly #meters = new Map<PeerId, QualityMeter>();
  #left = false;
  /** The background: its choice and effect, and which camera picture is sent (background-control.ts). */
  readonly #backgrounds: BackgroundControl;
  #measuring = false;
  #qualityTimer: ReturnType<typeof setInterval> | null = null;
  readonly #onDeviceChange = () => void this.#handleDeviceChange();

  constructor(options: MeetingOptions) {
    super();
    this.#room = options.room;
    const mesh = (this.#mesh = new Mesh(options));
    this.#backgrounds = new BackgroundControl(
      {
        sent: () => mesh.stream.getVideoTracks()[0] ?? null,
        send: (track, keepOld) => mesh.media.replaceTrack(track, keepOld),
        videoOn: () => mesh.media.local.video,
        failed: (camera) => {
          this.setVideo(false);
          mesh.media.replaceTrack(camera);
          this.emit('backgroundFailed');
        },
        cameraEnded: this.#onDeviceChange,
        assets: options.backgroundAssets,
      },
      options.background ?? 'none',
    );
    if (options.effect) void this.#backgrounds.useCamera(options.effect.camera, options.effect.ready);
    this.#shaping = new VideoShaping(mesh, this.quality, options.uploadKbps ?? DEFAULT_UPLOAD_KBPS, options.adapt ?? true);
    this.chat = new Chat(mesh);
    this.files = new FileTransfers(mesh);
    this.speaking.watch(LOCAL, mesh.stream);
    mesh.on('peerUpdated', (peer) => this.speaking.watchReceiver(peer.id, audioReceiver(peer)));
    mesh.on('localUpdated', () => this.speaking.watch(LOCAL, mesh.stream));
    mesh.on('peerConnected', (peer) => {
      void this.#computeSafetyCode(peer.id);
      this.#shaping.connected(peer.id);
    });
    mesh.on('peerLeft', (id) => {
      this.safetyCodes.delete(id);
      this.#shaping.forget(id);
      this.speaking.watchReceiver(id, null);
      this.quality.delete(id);
      this.#meters.delete(id);
    });
    // The asked person's own browser does what a host asks: it owns the microphone and the hand.
    mesh.on('hostRequest', (request) => {
      if (request.kind === 'mute') this.setAudio(false);
      else if (request.kind === 'lower-hand') this.setHand(false);
      this.emit('hostAsked', request.kind, request.by);
    });
    mesh.on('message', (peer, msg) => {
      if (msg.type === 'reaction') this.emit('reaction', peer.id, msg.emoji);
      if (msg.type === 'view') this.#shaping.viewed(peer.id, { width: msg.width, height: msg.height, role: msg.role });
    });
    // After the meeting's own listeners, so that the UI reads state they have brought up to date.
    for (const event of PASSED_ON) this.#passOn(mesh, event);
  }

  #passOn<K extends (typeof PASSED_ON)[number]>(mesh: Mesh, event: K): void {
    const relay = (...args: Parameters<MeetingEvents[K]>) => this.emit(event, ...args);
    mesh.on(event, relay as unknown as MeshEvents[K]);
  }

  // What the UI reads.
  /** Everyone else in the meeting (they proved the room key). */
  get peers(): ReadonlyMap<PeerId, PeerView> {
    return this.#mesh.peers;
  }
  get local(): Readonly<LocalState> {
    return this.#mesh.local;
  }
  /** Camera and microphone as sent; tracks are replaced in place when devices change. */
  get stream(): MediaStream {
    return this.#mesh.stream;
  }
  get signalingState(): SignalingState {
    return this.#mesh.channel.state;
  }
  /** While reconnecting: when the next attempt starts (ms since epoch). */
  get retryAt(): number {
    return this.#mesh.channel.retryAt;
  }
  /** While reconnecting: the box said it was busy (full, or this address's share taken). */
  get signalingBusy(): boolean {
    return this.#mesh.channel.busy;
  }
  /** The box has let us in at least once (a lost connection is a reconnect, not a first try). */
  get everJoined(): boolean {
    return this.#mesh.everJoined;
  }
  get relayOnly(): boolean {
    return this.#mesh.relayOnly;
  }
  get closed(): boolean {
    return this.#mesh.closed;
  }
  get locked(): boolean {
    return this.#mesh.admission.state.locked;
  }
  /** We hold the host key (opened the host link, or this browser remembers it). */
  get isHost(): boolean {
    return this.#mesh.admission.isHost;
  }
  /** Peers (and we ourselves, by our id) that proved they hold the host key. */
  get hosts(): ReadonlySet<PeerId> {
    return this.#mesh.admission.state.hosts;
  }
  /** A host is at the box now (what a waiting newcomer is told). */
  get hostPresent(): boolean {
    return this.#mesh.admission.hostPresent;
  }
  /** Still asking whether we may come in, because someone at the box has not answered yet and no host has. */
  get waitingForAnswers(): boolean {
    return this.#mesh.admission.waitingForAnswers;
  }
  /** Host statements that failed their check (forged, other room, malformed). */
  get forgedStatements(): number {
    return this.#mesh.admission.forged;
  }
  /** Newcomers waiting at the lock, with the names they gave. */
  /**
   * What to call a peer: the name of its state, else the one its hello said (a peer whose data
   * channel never opens is still named), else '' (not known yet).
   */
  nameOf(id: PeerId): string {
    return this.#mesh.peers.get(id)?.name || this.#mesh.admission.nameOf(id) || '';
  }

  get knocking(): ReadonlyMap<PeerId, string> {
    return this.#mesh.admission.state.knocking;
  }
  get ownAdmission(): OwnAdmission {
    return this.#mesh.admission.own;
  }
  /** Signals through the box that were dropped (undecryptable, replayed, unknown, over bounds). */
  get droppedSignals(): number {
    return this.#mesh.droppedSignals;
  }
  /** The configured upload budget, kbit/s. */
  get uploadKbps(): number {
    return this.#shaping.uploadKbps;
  }
  /** "Low bandwidth": audio only is sent. */
  get audioOnly(): boolean {
    return this.#shaping.audioOnly;
  }
  /** The last video plan per receiver. */
  get plans(): ReadonlyMap<PeerId, VideoPlan> {
    return this.#shaping.plans;
  }
  /**
   * The connection to a peer, for measurements and tests; the UI never needs it (the layer test
   * keeps it out of client/ui).
   */
  linkTo(id: PeerId): Link | null {
    return this.#mesh.peers.get(id)?.link ?? null;
  }

  // What the UI does.
  join(): void {
    this.#mesh.join();
    navigator.mediaDevices?.addEventListener?.('devicechange', this.#onDeviceChange);
    for (const track of this.#mesh.stream.getTracks()) track.addEventListener('ended', this.#onDeviceChange);
    this.#qualityTimer = setInterval(() => void this.#measure(), QUALITY_INTERVAL_MS);
  }

  /** Leaves the meeting and frees everything (again: no effect). */
  leave(): void {
    if (this.#left) return;
    this.#left = true;
    if (this.#qualityTimer) clearInterval(this.#qualityTimer);
    navigator.mediaDevices?.removeEventListener?.('devicechange', this.#onDeviceChange);
    // Transfers first, so that the others read "cancelled" rather than "the other person left".
    void this.files.dispose();
    this.#shaping.stop();
    this.#mesh.leave();
    this.chat.dispose();
    this.speaking.dispose();
    for (const track of this.#mesh.stream.getTracks()) track.stop();
    this.#backgrounds.close();
  }

  setAudio(on: boolean): void {
    this.#mesh.media.set({ audio: on });
  }
  setVideo(on: boolean): void {
    this.#mesh.media.set({ video: on });
    this.#backgrounds.setPaused(!on);
  }
  setName(name: string): void {
    this.#mesh.media.set({ name });
  }
  /** Raises the hand at the end of the room's queue, or lowers it. */
  setHand(raised: boolean): void {
    this.#mesh.media.setHand(raised);
  }
  /** Tells everyone that we record the meeting, or that we stopped. */
  setRecording(recording: boolean): void {
    this.#mesh.media.setRecording(recording);
  }
  shareScreen(screen: MediaStream): void {
    this.#mesh.media.shareScreen(screen);
  }
  stopScreenShare(): void {
    this.#mesh.media.stopScreenShare();
  }
  // Host decisions: signed with the host key; without it they do nothing (the UI offers them only to hosts).
  /** Locks or unlocks the meeting for everyone; unlocking lets the knockers in. */
  setLocked(locked: boolean): void {
    this.#mesh.admission.setLocked(locked);
  }
  admit(id: PeerId): void {
    this.#mesh.admission.admit(id);
  }
  decline(id: PeerId): void {
    this.#mesh.admission.decline(id);
  }
  /** Removes a participant for everyone; the meeting locks so that they cannot simply come back. */
  removeParticipant(id: PeerId): void {
    this.#mesh.admission.remove(id);
  }
  /** Asks one participant, or everyone (`*`), to mute: their own browser mutes them. */
  askToMute(id: PeerId | '*'): void {
    this.#mesh.admission.askToMute(id);
  }
  askToLowerHand(id: PeerId): void {
    this.#mesh.admission.askToLowerHand(id);
  }
  /** Asks a participant to stop recording: their own browser stops (the UI that records listens to hostAsked). */
  askToStopRecording(id: PeerId): void {
    this.#mesh.admission.askToStopRecording(id);
  }

  /** Sends audio only (true) or audio and video (false) to everyone. */
  setAudioOnly(on: boolean): void {
    this.#shaping.audioOnly = on;
    this.#shaping.shape();
  }

  /** Changes the upload budget (kbit/s) and reshapes at once. */
  setUploadBudget(kbps: number): void {
    this.#shaping.uploadKbps = kbps;
    this.#shaping.shape();
  }

  /** Tells `id` how large its tile is shown here (CSS pixels) and in what role; see video-shaping.ts. */
  reportView(id: PeerId, cssWidth: number, cssHeight: number, role: ViewRole = 'large'): void {
    this.#shaping.reportView(id, cssWidth, cssHeight, role);
  }

  react(emoji: Reaction): void {
    if (!REACTIONS.includes(emoji)) return;
    this.#mesh.broadcast({ type: 'reaction', emoji });
    this.emit('reaction', LOCAL, emoji);
  }

  /** Switches microphone or camera mid-call, without renegotiation. Throws a RundeError. */
  async useDevice(kind: 'audio' | 'video', deviceId: string | null): Promise<void> {
    const track = await acquireTrack(kind, deviceId);
    if (this.#left) return track.stop();
    track.addEventListener('ended', this.#onDeviceChange);
    // A camera goes through the background when one is chosen (background-control.ts).
    if (kind === 'video') return this.#backgrounds.useCamera(track);
    this.#mesh.media.replaceTrack(track);
  }

  /** The camera in use: under a background effect the one it paints from, not the track it sends. */
  get camera(): MediaStreamTrack | null {
    return this.#backgrounds.camera ?? this.#mesh.stream.getVideoTracks()[0] ?? null;
  }

  /** The background effect chosen ('none': the camera as it is). */
  get background(): Background {
    return this.#backgrounds.choice;
  }

  /**
   * Blurs or replaces the camera's background for everyone and in the own view, or ('none') sends
   * the camera as it is again, all without renegotiation. Rejects if the effect cannot start; the
   * camera then goes on as it was. Chosen without a camera, it applies when one comes.
   */
  setBackground(choice: Background): Promise<void> {
    return this.#backgrounds.choose(choice);
  }

  /** What the background effect has drawn (bench:blur, tests); null without one. */
  get backgroundStats(): EffectStats | null {
    return this.#backgrounds.stats;
  }

  /** Whether the background effect runs in a worker, off the page's thread (false without one). */
  get backgroundOffThread(): boolean {
    return this.#backgrounds.offThread;
  }

  /**
   * A device that was still starting when we joined (a slow camera) joins the call: it is sent to
   * everyone, on or muted as chosen before (setAudio/setVideo). It is stopped instead after
   * leaving, or when a live track of its kind is sent already (a device picked meanwhile).
   */
  addLateTrack(track: MediaStreamTrack): void {
    const sent = track.kind === 'audio' ? this.#mesh.stream.getAudioTracks() : this.#mesh.stream.getVideoTracks();
    if (this.#left || sent.some((t) => t.readyState === 'live')) {
      track.stop();
      return;
    }
    track.addEventListener('ended', this.#onDeviceChange);
    if (track.kind === 'video') void this.#backgrounds.useCamera(track);
    else this.#mesh.media.replaceTrack(track);
  }

  /** The safety code of the connection to `id` (crypto.ts), from both DTLS fingerprints. */
  async #computeSafetyCode(id: PeerId): Promise<void> {
    const pc = this.#mesh.peers.get(id)?.link.connection;
    const mine = fingerprintOf(pc?.localDescription?.sdp);
    const theirs = fingerprintOf(pc?.remoteDescription?.sdp);
    const code = mine && theirs ? await safetyCode(this.#room, mine, theirs) : null;
    if (!code || !this.#mesh.peers.has(id)) return;
    this.safetyCodes.set(id, code);
    this.emit('safetyCode', id, code);
  }

  /** A device that vanished (unplugged) is replaced by the default one of its kind. */
  async #handleDeviceChange(): Promise<void> {
    if (this.#mesh.closed) return;
    // The camera under a background effect is not in the sent stream: it is replaced all the same.
    if (this.#backgrounds.camera?.readyState === 'ended') await this.useDevice('video', null).catch(() => {});
    for (const track of this.#mesh.stream.getTracks()) {
      if (track.readyState !== 'ended') continue;
      try {
        await this.useDevice(track.kind as 'audio' | 'video', null);
      } catch {
        this.#mesh.stream.removeTrack(track); // nothing left of that kind: go on without it
      }
    }
    this.emit('devices', await listDevices());
  }

  async #measure(): Promise<void> {
    // A round that takes longer than the interval (a busy machine) is not stacked on.
    if (this.#measuring) return;
    this.#measuring = true;
    try {
      await this.#measureOnce();
    } finally {
      this.#measuring = false;
    }
  }

  async #measureOnce(): Promise<void> {
    // All connections at once, for the same reason as in video-shaping.ts: getStats waits as long.
    const reads = [...this.#mesh.peers.values()]
      .filter((peer) => peer.connected)
      .map(async (peer) => {
        let meter = this.#meters.get(peer.id);
        // A redialled peer has a new connection: its figures start afresh.
        if (meter?.connection !== peer.link.connection) this.#meters.set(peer.id, (meter = new QualityMeter(peer.link.connection)));
        try {
          const figures = await meter.read();
          if (this.#mesh.peers.has(peer.id)) this.quality.set(peer.id, figures);
        } catch {
          // the connection closed between the check and the read
        }
      });
    await Promise.all(reads);
    if (this.#left) return;
    this.emit('quality', this.quality);
    // Not awaited: a shaping round can take seconds under load, and would hold up the next reads.
    this.#shaping.shape();
  }
}
