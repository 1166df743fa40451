/**
 * One meeting as the UI sees it: the mesh plus the features that ride on it (chat, reactions,
 * who is speaking, connection quality). Owns their lifetimes; the UI only calls methods here
 * and listens to events.
 */
import type { PeerId } from '../../signaling/protocol.js';
import { Chat } from './chat.js';
import { Emitter } from './emitter.js';
import { acquireTrack, listDevices, type Devices } from './media.js';
import { Mesh, type MeshOptions } from './mesh.js';
import { REACTIONS, type Reaction } from './peer-messages.js';
import { QUALITY_INTERVAL_MS, QualityMeter, type PeerQuality } from './quality.js';
import { SpeakingMonitor } from './speaking.js';

/** The id under which the own participant appears in speaking levels and reactions. */
export const LOCAL = 'local';

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

export class Meeting extends Emitter<MeetingEvents> {
  readonly mesh: Mesh;
  readonly chat: Chat;
  readonly speaking = new SpeakingMonitor();
  readonly quality = new Map<PeerId, PeerQuality>();
  readonly safetyCodes = new Map<PeerId, string>();
  readonly #meters = new Map<PeerId, QualityMeter>();
  #qualityTimer: ReturnType<typeof setInterval> | null = null;
  readonly #onDeviceChange = () => void this.#handleDeviceChange();

  constructor(options: MeshOptions) {
    super();
    this.mesh = new Mesh(options);
    this.chat = new Chat(this.mesh);
    this.speaking.watch(LOCAL, this.mesh.stream);
    this.mesh.on('peerUpdated', (peer) => this.speaking.watch(peer.id, peer.stream));
    this.mesh.on('localUpdated', () => this.speaking.watch(LOCAL, this.mesh.stream));
    this.mesh.on('peerConnected', (peer) => void this.#computeSafetyCode(peer.id));
    this.mesh.on('peerLeft', (id) => {
      this.safetyCodes.delete(id);
      this.speaking.watch(id, null);
      this.quality.delete(id);
      this.#meters.delete(id);
    });
    this.mesh.on('message', (peer, msg) => {
      if (msg.type === 'reaction') this.emit('reaction', peer.id, msg.emoji);
    });
  }

  join(): void {
    this.mesh.join();
    navigator.mediaDevices?.addEventListener?.('devicechange', this.#onDeviceChange);
    for (const track of this.mesh.stream.getTracks()) track.addEventListener('ended', this.#onDeviceChange);
    this.#qualityTimer = setInterval(() => void this.#measure(), QUALITY_INTERVAL_MS);
  }

  leave(): void {
    if (this.#qualityTimer) clearInterval(this.#qualityTimer);
    navigator.mediaDevices?.removeEventListener?.('devicechange', this.#onDeviceChange);
    this.mesh.leave();
    this.chat.dispose();
    this.speaking.dispose();
    for (const track of this.mesh.stream.getTracks()) track.stop();
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
    for (const peer of this.mesh.peers.values()) {
      if (!peer.connected) continue;
      let meter = this.#meters.get(peer.id);
      if (!meter) this.#meters.set(peer.id, (meter = new QualityMeter(peer.link.connection)));
      try {
        this.quality.set(peer.id, await meter.read());
      } catch {
        // the connection closed between the check and the read
      }
    }
    this.emit('quality', this.quality);
  }
}
