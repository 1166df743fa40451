/**
 * One meeting as the UI sees it: the mesh plus the features that ride on it (chat, reactions,
 * who is speaking, connection quality). Owns their lifetimes; the UI only calls methods here
 * and listens to events.
 */
import type { PeerId } from '../../signaling/protocol.js';
import { Chat } from './chat.js';
import { Emitter } from './emitter.js';
import { FileTransfers } from './file-transfer.js';
import { applyPlan, DEFAULT_UPLOAD_KBPS, planVideo, type ReceiverView, type VideoPlan } from './bandwidth.js';
import { acquireTrack, listDevices, type Devices } from './media.js';
import { Mesh, type MeshOptions, type RemotePeer } from './mesh.js';
import { REACTIONS, type Reaction } from './peer-messages.js';
import { QUALITY_INTERVAL_MS, QualityMeter, type PeerQuality } from './quality.js';
import { SpeakingMonitor } from './speaking.js';

/** The id under which the own participant appears in speaking levels and reactions. */
export const LOCAL = 'local';
/** View sizes are sent at most this often per peer (tiles resize continuously while dragging). */
export const VIEW_REPORT_MS = 500;

export interface MeetingOptions extends MeshOptions {
  /** Total upload budget for all outgoing video and audio, in kbit/s. */
  uploadKbps?: number;
  /** Shape outgoing streams (default true); false sends as the browser likes (for comparison). */
  adapt?: boolean;
}

export interface MeetingEvents {
  /** Someone (or we, as LOCAL) sent a reaction. */
  reaction: (from: PeerId | typeof LOCAL, emoji: Reaction) => void;
  /** New quality figures for some peers. */
  quality: (figures: ReadonlyMap<PeerId, PeerQuality>) => void;
  /** The safety code of a connection is known (see crypto.ts). */
  safetyCode: (id: PeerId, code: string) => void;
  /** Devices were plugged in or out (a lost device has already been replaced if possible). */
  devices: (devices: Devices) => void;
}

/** The receiver of the audio track in a peer's camera stream (its microphone), if it sends one. */
function audioReceiver(peer: RemotePeer): RTCRtpReceiver | null {
  const track = peer.stream?.getAudioTracks()[0];
  return track ? peer.link.receiverOf(track) : null;
}

export class Meeting extends Emitter<MeetingEvents> {
  readonly mesh: Mesh;
  readonly chat: Chat;
  readonly files: FileTransfers;
  readonly speaking = new SpeakingMonitor();
  readonly quality = new Map<PeerId, PeerQuality>();
  readonly safetyCodes = new Map<PeerId, string>();
  readonly #meters = new Map<PeerId, QualityMeter>();
  /** How large each receiver shows our tile (it tells us over the data channel). */
  readonly #views = new Map<PeerId, { width: number; height: number }>();
  /** The last plan per receiver, to tell it when its video pauses or resumes. */
  readonly plans = new Map<PeerId, VideoPlan>();
  readonly #viewTimers = new Map<PeerId, ReturnType<typeof setTimeout>>();
  readonly #sentViews = new Map<PeerId, string>();
  readonly #pendingViews = new Map<PeerId, { width: number; height: number }>();
  /** The configured upload budget; the effective one may be lower (see #shape). */
  uploadKbps: number;
  /** "Low bandwidth": send audio only. */
  audioOnly = false;
  readonly #adapt: boolean;
  #shaping = false;
  #reshape = false;
  #left = false;
  #measuring = false;
  #qualityTimer: ReturnType<typeof setInterval> | null = null;
  readonly #onDeviceChange = () => void this.#handleDeviceChange();

  constructor(options: MeetingOptions) {
    super();
    this.uploadKbps = options.uploadKbps ?? DEFAULT_UPLOAD_KBPS;
    this.#adapt = options.adapt ?? true;
    this.mesh = new Mesh(options);
    this.chat = new Chat(this.mesh);
    this.files = new FileTransfers(this.mesh);
    this.speaking.watch(LOCAL, this.mesh.stream);
    this.mesh.on('peerUpdated', (peer) => this.speaking.watchReceiver(peer.id, audioReceiver(peer)));
    this.mesh.on('localUpdated', () => this.speaking.watch(LOCAL, this.mesh.stream));
    this.mesh.on('peerConnected', (peer) => void this.#computeSafetyCode(peer.id));
    this.mesh.on('peerLeft', (id) => {
      this.safetyCodes.delete(id);
      this.#views.delete(id);
      this.plans.delete(id);
      this.#sentViews.delete(id);
      clearTimeout(this.#viewTimers.get(id));
      this.speaking.watchReceiver(id, null);
      this.quality.delete(id);
      this.#meters.delete(id);
    });
    this.mesh.on('message', (peer, msg) => {
      if (msg.type === 'reaction') this.emit('reaction', peer.id, msg.emoji);
      if (msg.type === 'view') {
        this.#views.set(peer.id, { width: msg.width, height: msg.height });
        void this.#shape();
      }
    });
    this.mesh.on('peerConnected', () => void this.#shape());
  }

  join(): void {
    this.mesh.join();
    navigator.mediaDevices?.addEventListener?.('devicechange', this.#onDeviceChange);
    for (const track of this.mesh.stream.getTracks()) track.addEventListener('ended', this.#onDeviceChange);
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
    this.mesh.leave();
    this.chat.dispose();
    this.speaking.dispose();
    for (const track of this.mesh.stream.getTracks()) track.stop();
  }

  /** Sends audio only (true) or audio and video (false) to everyone. */
  setAudioOnly(on: boolean): void {
    this.audioOnly = on;
    void this.#shape();
  }

  /** Changes the upload budget (kbit/s) and reshapes at once. */
  setUploadBudget(kbps: number): void {
    this.uploadKbps = kbps;
    void this.#shape();
  }

  /**
   * Tells `id` how large its tile is here (CSS pixels; sent as device pixels, so that a sender
   * sends a plain screen no more lines than it can show), at most every VIEW_REPORT_MS.
   */
  reportView(id: PeerId, cssWidth: number, cssHeight: number): void {
    const scale = globalThis.devicePixelRatio || 1;
    this.#reportDevicePixels(id, cssWidth * scale, cssHeight * scale);
  }

  #reportDevicePixels(id: PeerId, width: number, height: number): void {
    const text = `${Math.round(width)}x${Math.round(height)}`;
    if (this.#sentViews.get(id) === text || this.#viewTimers.has(id)) {
      this.#pendingViews.set(id, { width, height });
      return;
    }
    this.#sentViews.set(id, text);
    this.mesh.sendTo(id, { type: 'view', width: Math.round(width), height: Math.round(height) });
    this.#viewTimers.set(
      id,
      setTimeout(() => {
        this.#viewTimers.delete(id);
        const pending = this.#pendingViews.get(id);
        this.#pendingViews.delete(id);
        if (pending) this.#reportDevicePixels(id, pending.width, pending.height);
      }, VIEW_REPORT_MS),
    );
  }


  /**
   * Shares the upload budget among the receivers by their view sizes (bandwidth.ts), lowered to
   * what the connections' congestion control says they can carry, and applies it.
   */
  async #shape(): Promise<void> {
    // One shaping round at a time; requests meanwhile fold into one more round after it.
    if (this.#shaping) {
      this.#reshape = true;
      return;
    }
    this.#shaping = true;
    try {
      do {
        this.#reshape = false;
        await this.#shapeOnce();
      } while (this.#reshape && !this.#left);
    } finally {
      this.#shaping = false;
    }
  }

  async #shapeOnce(): Promise<void> {
    const peers = [...this.mesh.peers.values()].filter((p) => p.connected);
    if (peers.length === 0 || !this.#adapt) return;
    const available = peers.map((p) => this.quality.get(p.id)?.availableOutKbps ?? null);
    const known = available.filter((v): v is number => v !== null);
    const budget = known.length === peers.length ? Math.min(this.uploadKbps, known.reduce((a, b) => a + b, 0)) : this.uploadKbps;
    const camera = this.mesh.stream.getVideoTracks()[0] ?? null;
    const sourceHeight = camera?.getSettings().height ?? 480;
    const views: ReceiverView[] = peers.map((p) => ({ id: p.id, width: this.#views.get(p.id)?.width ?? null, height: this.#views.get(p.id)?.height ?? null }));
    const plans = planVideo(views, budget, sourceHeight, this.audioOnly);
    // All connections at once: under load each setParameters waits a second or more for
    // WebRTC's network thread (bench:mesh at N = 6: median 1.3 s), and one after the other a
    // newcomer's streams went out unshaped, at full size, for many seconds.
    await Promise.all(
      peers.map(async (peer) => {
        const plan = plans.get(peer.id)!;
        const before = this.plans.get(peer.id);
        this.plans.set(peer.id, plan);
        try {
          await applyPlan(peer.link.connection, plan, camera);
        } catch {
          // The link was replaced or closed meanwhile: the next round shapes the new one, and
          // still tells of a pause or resume, since the plan sent stays the one before.
          if (before) this.plans.set(peer.id, before);
          else this.plans.delete(peer.id);
          return;
        }
        if (camera && before?.active !== plan.active && (before || !plan.active)) {
          this.mesh.sendTo(peer.id, { type: 'video-paused', paused: !plan.active });
        }
      }),
    );
  }

  react(emoji: Reaction): void {
    if (!REACTIONS.includes(emoji)) return;
    this.mesh.broadcast({ type: 'reaction', emoji });
    this.emit('reaction', LOCAL, emoji);
  }

  async #computeSafetyCode(id: PeerId): Promise<void> {
    const code = await this.mesh.safetyCode(id);
    if (!code || !this.mesh.peers.has(id)) return;
    this.safetyCodes.set(id, code);
    this.emit('safetyCode', id, code);
  }

  /** Switches microphone or camera mid-call, without renegotiation. Throws a RundeError. */
  async useDevice(kind: 'audio' | 'video', deviceId: string | null): Promise<void> {
    const track = await acquireTrack(kind, deviceId);
    track.addEventListener('ended', this.#onDeviceChange);
    this.mesh.replaceTrack(track);
  }

  /** A device that vanished (unplugged) is replaced by the default one of its kind. */
  async #handleDeviceChange(): Promise<void> {
    if (this.mesh.closed) return;
    for (const track of this.mesh.stream.getTracks()) {
      if (track.readyState !== 'ended') continue;
      try {
        await this.useDevice(track.kind as 'audio' | 'video', null);
      } catch {
        this.mesh.stream.removeTrack(track); // nothing left of that kind: go on without it
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
    // All connections at once, for the same reason as in #shapeOnce: getStats waits as long.
    const reads = [...this.mesh.peers.values()]
      .filter((peer) => peer.connected)
      .map(async (peer) => {
        let meter = this.#meters.get(peer.id);
        // A redialled peer has a new connection: its figures start afresh.
        if (meter?.connection !== peer.link.connection) this.#meters.set(peer.id, (meter = new QualityMeter(peer.link.connection)));
        try {
          const figures = await meter.read();
          if (this.mesh.peers.has(peer.id)) this.quality.set(peer.id, figures);
        } catch {
          // the connection closed between the check and the read
        }
      });
    await Promise.all(reads);
    if (this.#left) return;
    this.emit('quality', this.quality);
    // Not awaited: a shaping round can take seconds under load, and would hold up the next reads.
    void this.#shape();
  }
}
