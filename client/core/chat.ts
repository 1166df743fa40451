/**
 * The meeting's chat: messages go to every peer over the data channels, and a newcomer gets the
 * recent history from each peer that was already there (merged, de-duplicated by id).
 * History lives only in the browsers and ends with the meeting.
 */
import type { PeerId } from '../../signaling/protocol.js';
import { Emitter } from './emitter.js';
import type { Mesh, RemotePeer } from './mesh.js';
import { MAX_HISTORY, cleanText, randomMessageId, type ChatEntry, type PeerMessage } from './peer-messages.js';

/** Messages kept in memory; older ones drop off. */
export const MAX_CHAT_ENTRIES = 1_000;

export interface ChatEvents {
  /** The list of messages changed (new message or merged history). */
  changed: (entries: readonly ChatEntry[]) => void;
  /** A new message from someone else arrived (not history). */
  received: (entry: ChatEntry) => void;
}

export class Chat extends Emitter<ChatEvents> {
  #entries: ChatEntry[] = [];
  readonly #ids = new Set<string>();
  readonly #off: Array<() => void>;

  constructor(private readonly mesh: Mesh) {
    super();
    this.#off = [mesh.on('message', (peer, msg) => this.#handleMessage(peer, msg)), mesh.on('peerConnected', (peer) => this.#handleConnected(peer))];
  }

  get entries(): readonly ChatEntry[] {
    return this.#entries;
  }

  /** Sends `text` to everyone; returns the entry, or null for an empty message. */
  send(text: string): ChatEntry | null {
    const clean = cleanText(text);
    if (!clean) return null;
    const entry: ChatEntry = { id: randomMessageId(), from: this.mesh.local.id, name: this.mesh.local.name, text: clean, at: Date.now() };
    this.mesh.broadcast({ type: 'chat', id: entry.id, text: entry.text, at: entry.at });
    this.#add([entry]);
    return entry;
  }

  /** The whole chat as plain text, one line per message, for "save chat". */
  transcript(format: (at: number) => string, nameOf: (entry: ChatEntry) => string): string {
    return `${this.#entries.map((e) => `[${format(e.at)}] ${nameOf(e)}: ${e.text}`).join('\n')}\n`;
  }

  dispose(): void {
    for (const off of this.#off) off();
    this.clearListeners();
  }

  #handleConnected(peer: RemotePeer): void {
    // The newcomer dials (it is the initiator); those already here answer with the history.
    if (peer.link.isInitiator || this.#entries.length === 0) return;
    this.mesh.sendTo(peer.id, { type: 'history', messages: this.#entries.slice(-MAX_HISTORY) });
  }

  #handleMessage(peer: RemotePeer, msg: PeerMessage): void {
    if (msg.type === 'chat') {
      const entry: ChatEntry = { id: msg.id, from: peer.id, name: peer.name, text: msg.text, at: msg.at };
      if (this.#add([entry])) this.emit('received', entry);
    } else if (msg.type === 'history') {
      this.#add(msg.messages.filter((e) => e.from !== this.mesh.local.id || !this.#ids.has(e.id)));
    }
  }

  /** Adds unseen entries in time order; true when anything was new. */
  #add(entries: ChatEntry[]): boolean {
    const fresh = entries.filter((e) => !this.#ids.has(e.id));
    if (fresh.length === 0) return false;
    for (const e of fresh) this.#ids.add(e.id);
    // Same order at every participant: by the author's time, ties by id.
    const merged = [...this.#entries, ...fresh].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.#entries = merged.slice(-MAX_CHAT_ENTRIES);
    this.emit('changed', this.#entries);
    return true;
  }
}

export type { ChatEntry, PeerId };
