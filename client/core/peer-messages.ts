/**
 * What peers say to each other over their data channel (never through the box): one typed,
 * versioned message set, validated on receipt. A malformed or oversized message is dropped and
 * counted by the mesh, never a crash.
 */
import { isPeerId, type PeerId } from '../../signaling/protocol.js';
import { asSignedStatement, type SignedStatement } from './statements.js';
import type { ViewRole } from './bandwidth.js';

export const PEER_PROTOCOL_VERSION = 1;
/** Largest control message accepted, in UTF-16 code units (file data has its own channels). */
export const MAX_PEER_MESSAGE_CHARS = 64 * 1024;
export const MAX_NAME_CHARS = 64;
export const MAX_CHAT_CHARS = 4_000;
/** Chat messages a newcomer receives from the peers already there. */
export const MAX_HISTORY = 200;
export const MAX_FILE_NAME_CHARS = 255;
/** A name inside a chat history entry as received, before cleanName trims it to MAX_NAME_CHARS. */
export const MAX_RECEIVED_NAME_CHARS = 4 * MAX_NAME_CHARS;
/** Length of chat message and transfer ids (base64url): randomMessageId makes 16. */
export const MESSAGE_ID_CHARS = { min: 8, max: 64 } as const;
/** The id of the MediaStream that carries a shared screen (browsers make far shorter ones). */
export const MAX_SCREEN_ID_CHARS = 128;
export const MAX_MIME_CHARS = 255;
/**
 * Data-channel ids a file offer may name. The narrower rules (file-channel.ts: from
 * FIRST_FILE_CHANNEL, and the sender's parity) are checked by file-transfer.ts
 * (ChannelIds.takeRemote), which declines an offer that breaks them, so that the sender hears why.
 */
export const OFFER_CHANNEL_IDS = { min: 1, max: 1023 } as const;
/** The largest tile size a receiver may report, in device pixels per side. */
export const MAX_VIEW_PX = 16_384;
/** The reactions people can send; anything else is dropped. */
export const REACTIONS = ['👍', '👏', '😂', '❤️', '🎉', '😮'] as const;
export type Reaction = (typeof REACTIONS)[number];

/** A participant's public state: sent on connect and whenever it changes. */
export interface StateMessage {
  type: 'state';
  name: string;
  audio: boolean;
  video: boolean;
  /** Position of a raised hand in the room's shared order (a Lamport counter), or null. */
  hand: number | null;
  /** The id of the MediaStream that carries a shared screen, or null. */
  screen: string | null;
  /** It records the meeting. Optional on the wire (absent: false). */
  recording: boolean;
}

export interface ChatEntry {
  /** Random id chosen by the author; also de-duplicates history from several peers. */
  id: string;
  from: PeerId;
  name: string;
  text: string;
  /** The author's clock, ms since epoch: for display only. */
  at: number;
}

export interface ChatMessage {
  type: 'chat';
  id: string;
  text: string;
  at: number;
}
export interface HistoryMessage {
  type: 'history';
  messages: ChatEntry[];
}
export interface ReactionMessage {
  type: 'reaction';
  emoji: Reaction;
}
export interface FileOfferMessage {
  type: 'file-offer';
  id: string;
  name: string;
  size: number;
  mime: string;
  /** The negotiated data-channel id the data will use. */
  channel: number;
}
export interface FileControlMessage {
  type: 'file-accept' | 'file-decline' | 'file-cancel';
  id: string;
}
export interface FileDoneMessage {
  /** Sender → receiver after the last chunk: SHA-256 over the 1 MiB block digests (block-hash.ts). */
  type: 'file-done';
  id: string;
  sha256: string;
}
export interface FileResultMessage {
  /** Receiver → sender: the data arrived and matched (or not). */
  type: 'file-result';
  id: string;
  ok: boolean;
}

/** Receiver → sender: how large the sender's tile is shown here (device pixels) and in what role, for shaping. */
export interface ViewMessage {
  type: 'view';
  width: number;
  height: number;
  /** Absent on the wire from older clients, and any role this version does not know: `large`. */
  role: ViewRole;
}
/** Sender → receiver: video to you is paused to save bandwidth (or resumed). */
export interface VideoPausedMessage {
  type: 'video-paused';
  paused: boolean;
}

/**
 * A host-signed statement (statements.ts): the room state, a host's proof, or a request. Its
 * shape is checked here; whether a host signed it, by admission-control.ts.
 */
export interface HostStatementMessage {
  type: 'host';
  st: SignedStatement;
}

export type PeerMessage =
  | StateMessage
  | ViewMessage
  | VideoPausedMessage
  | HostStatementMessage
  | ChatMessage
  | HistoryMessage
  | ReactionMessage
  | FileOfferMessage
  | FileControlMessage
  | FileDoneMessage
  | FileResultMessage;

export function encodePeerMessage(msg: PeerMessage): string {
  return JSON.stringify({ v: PEER_PROTOCOL_VERSION, ...msg });
}

type Fields = Record<string, unknown>;
const ID_RE = new RegExp(`^[A-Za-z0-9_-]{${MESSAGE_ID_CHARS.min},${MESSAGE_ID_CHARS.max}}$`);
const isId = (v: unknown): v is string => typeof v === 'string' && ID_RE.test(v);
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;

function chatEntry(v: unknown): ChatEntry | null {
  if (!v || typeof v !== 'object') return null;
  const e = v as Fields;
  if (!isId(e.id) || !isPeerId(e.from) || !isText(e.name, MAX_RECEIVED_NAME_CHARS) || !isText(e.text, MAX_CHAT_CHARS) || !isTime(e.at)) {
    return null;
  }
  return { id: e.id, from: e.from, name: cleanName(e.name), text: cleanText(e.text), at: e.at };
}

const PARSERS: Record<PeerMessage['type'], (m: Fields) => PeerMessage | null> = {
  state: (m) =>
    typeof m.name === 'string' &&
    typeof m.audio === 'boolean' &&
    typeof m.video === 'boolean' &&
    (m.hand === null || (Number.isSafeInteger(m.hand) && (m.hand as number) > 0)) &&
    (m.screen === null || isText(m.screen, MAX_SCREEN_ID_CHARS)) &&
    (m.recording === undefined || typeof m.recording === 'boolean')
      ? {
          type: 'state',
          name: cleanName(m.name),
          audio: m.audio,
          video: m.video,
          hand: m.hand as number | null,
          screen: m.screen as string | null,
          recording: m.recording === true,
        }
      : null,
  chat: (m) =>
    isId(m.id) && isText(m.text, MAX_CHAT_CHARS) && cleanText(m.text) !== '' && isTime(m.at)
      ? { type: 'chat', id: m.id, text: cleanText(m.text), at: m.at }
      : null,
  history: (m) => {
    if (!Array.isArray(m.messages) || m.messages.length > MAX_HISTORY) return null;
    const messages = m.messages.map(chatEntry);
    return messages.every((e) => e !== null) ? { type: 'history', messages: messages as ChatEntry[] } : null;
  },
  reaction: (m) => ((REACTIONS as readonly unknown[]).includes(m.emoji) ? { type: 'reaction', emoji: m.emoji as Reaction } : null),
  'file-offer': (m) =>
    isId(m.id) &&
    typeof m.name === 'string' &&
    Number.isSafeInteger(m.size) &&
    (m.size as number) >= 0 &&
    isText(m.mime, MAX_MIME_CHARS) &&
    Number.isInteger(m.channel) &&
    (m.channel as number) >= OFFER_CHANNEL_IDS.min &&
    (m.channel as number) <= OFFER_CHANNEL_IDS.max
      ? { type: 'file-offer', id: m.id, name: cleanFileName(m.name), size: m.size as number, mime: m.mime, channel: m.channel as number }
      : null,
  view: (m) => {
    const ok = (v: unknown) => Number.isFinite(v) && (v as number) >= 0 && (v as number) <= MAX_VIEW_PX;
    if (!ok(m.width) || !ok(m.height) || (m.role !== undefined && typeof m.role !== 'string')) return null;
    // A role this version does not know (a later one's) counts as large: the frame rate its share allows.
    const role: ViewRole = m.role === 'thumbnail' ? 'thumbnail' : 'large';
    return { type: 'view', width: Math.round(m.width as number), height: Math.round(m.height as number), role };
  },
  'video-paused': (m) => (typeof m.paused === 'boolean' ? { type: 'video-paused', paused: m.paused } : null),
  host: (m) => {
    const st = asSignedStatement(m.st);
    return st ? { type: 'host', st } : null;
  },
  'file-accept': (m) => (isId(m.id) ? { type: 'file-accept', id: m.id } : null),
  'file-decline': (m) => (isId(m.id) ? { type: 'file-decline', id: m.id } : null),
  'file-cancel': (m) => (isId(m.id) ? { type: 'file-cancel', id: m.id } : null),
  'file-done': (m) =>
    isId(m.id) && typeof m.sha256 === 'string' && /^[0-9a-f]{64}$/.test(m.sha256) ? { type: 'file-done', id: m.id, sha256: m.sha256 } : null,
  'file-result': (m) => (isId(m.id) && typeof m.ok === 'boolean' ? { type: 'file-result', id: m.id, ok: m.ok } : null),
};

/** Every message type a peer may send on the data channel (PEERS.md §4; the docs test compares the two). */
export const PEER_MESSAGE_TYPES = Object.keys(PARSERS) as PeerMessage['type'][];

/** Returns the message, or null when `raw` is not a valid message of a version we speak. */
export function parsePeerMessage(raw: string): PeerMessage | null {
  if (raw.length > MAX_PEER_MESSAGE_CHARS) return null;
  let m: unknown;
  try {
    m = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!m || typeof m !== 'object' || Array.isArray(m)) return null;
  const fields = m as Fields;
  if (fields.v !== PEER_PROTOCOL_VERSION || typeof fields.type !== 'string') return null;
  const parse = Object.hasOwn(PARSERS, fields.type) ? PARSERS[fields.type as PeerMessage['type']] : null;
  return parse ? parse(fields) : null;
}

// Control characters and bidi overrides could disguise a name or a file name.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** A display name without control characters, trimmed to MAX_NAME_CHARS. */
export function cleanName(name: string): string {
  return name.replace(UNSAFE_CHARS, '').replace(/\s+/g, ' ').trim().slice(0, MAX_NAME_CHARS);
}

/** Chat text without control characters (newlines and tabs stay). */
export function cleanText(text: string): string {
  return text.replace(UNSAFE_CHARS, '').trim().slice(0, MAX_CHAT_CHARS);
}

/** A file name that cannot point into folders or hide its extension. */
export function cleanFileName(name: string): string {
  const base = name.replace(UNSAFE_CHARS, '').replace(/[\\/]/g, '_').trim().slice(0, MAX_FILE_NAME_CHARS);
  return base === '' || base === '.' || base === '..' ? 'file' : base;
}

/** A random id for chat messages and transfers (96 bits, base64url). */
export function randomMessageId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}
