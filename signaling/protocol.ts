/**
 * Runde's signaling wire protocol: one source of truth for the box and the browser client.
 *
 * Pure: no Node or browser APIs, so the client bundle can import it. Every frame is a JSON text
 * frame; `signaling/PROTOCOL.md` documents the same rules for independent implementations.
 */

/** Bumped on any incompatible change of the messages below. */
export const PROTOCOL_VERSION = 1;

/** Largest text frame a client may send (bytes of UTF-8). */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** Deepest nesting of arrays/objects accepted inside a frame (the frame itself is depth 1). */
export const MAX_JSON_DEPTH = 16;

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Opaque room id derived by the client from the link's secret: base64url, 16–128 characters. */
export type RoomId = Brand<string, 'RoomId'>;
/** Client-chosen peer id: 128 random bits, base64url without padding (22 characters). */
export type PeerId = Brand<string, 'PeerId'>;
/** Secret handed out in the welcome that lets the same peer id resume after a dropped socket. */
export type ResumeToken = Brand<string, 'ResumeToken'>;

const ROOM_ID_RE = /^[A-Za-z0-9_-]{16,128}$/;
const ID_128_RE = /^[A-Za-z0-9_-]{22}$/;

export function isRoomId(value: unknown): value is RoomId {
  return typeof value === 'string' && ROOM_ID_RE.test(value);
}
export function isPeerId(value: unknown): value is PeerId {
  return typeof value === 'string' && ID_128_RE.test(value);
}
export function isResumeToken(value: unknown): value is ResumeToken {
  return typeof value === 'string' && ID_128_RE.test(value);
}

/** A room id from a string that must be one (a TypeError otherwise): the only way to make one. */
export function roomId(value: string): RoomId {
  if (!isRoomId(value)) throw new TypeError('not a room id');
  return value;
}
/** A peer id from a string that must be one (a TypeError otherwise): the only way to make one. */
export function peerId(value: string): PeerId {
  if (!isPeerId(value)) throw new TypeError('not a peer id');
  return value;
}

/** An RTCIceServer as the browser's RTCPeerConnection takes it. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** The limits the box enforces, announced in the welcome so a client can stay within them. */
export interface Limits {
  maxMessageBytes: number;
  maxPeersPerRoom: number;
  /** Sustained messages per second per socket (token bucket refill rate). */
  ratePerSecond: number;
  /** Messages a socket may send in a burst (token bucket size). */
  rateBurst: number;
  /** How long the box keeps a dropped peer in its room, waiting for it to resume. */
  graceMs: number;
}

// ---- client → box -------------------------------------------------------------------------

export interface JoinMessage {
  type: 'join';
  room: RoomId;
  peer: PeerId;
  /** The token from an earlier welcome for this peer id in this room: resume instead of join. */
  resume?: ResumeToken;
  /** The protocol version the client speaks; when given it must equal PROTOCOL_VERSION. */
  version?: number;
}
export interface SignalMessage {
  type: 'signal';
  to: PeerId;
  /** Opaque to the box: relayed as it came. */
  data: unknown;
}
export interface LeaveMessage {
  type: 'leave';
}
export interface PingMessage {
  type: 'ping';
}
export type ClientMessage = JoinMessage | SignalMessage | LeaveMessage | PingMessage;

// ---- box → client -------------------------------------------------------------------------

export interface WelcomeMessage {
  type: 'welcome';
  version: number;
  /** The peer id this socket now holds. */
  peer: PeerId;
  /** Peers already in the room, in join order; the newcomer dials each of them. */
  peers: PeerId[];
  resumeToken: ResumeToken;
  /** True when this welcome resumed an earlier session: the others saw no leave and no join. */
  resumed: boolean;
  iceServers: IceServer[];
  limits: Limits;
}
export interface PeerJoinedMessage {
  type: 'peer-joined';
  peer: PeerId;
}
export type LeaveReason = 'left' | 'lost';
export interface PeerLeftMessage {
  type: 'peer-left';
  peer: PeerId;
  /** `left`: it said goodbye or closed cleanly; `lost`: its socket dropped and it did not resume. */
  reason: LeaveReason;
}
export interface RelayedSignalMessage {
  type: 'signal';
  /** Stamped by the box; whatever the sender wrote here is ignored. */
  from: PeerId;
  data: unknown;
}
export interface ErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
  /** For errors about one signal: the recipient it named. */
  peer?: PeerId;
}
export interface PongMessage {
  type: 'pong';
}
export type ServerMessage = WelcomeMessage | PeerJoinedMessage | PeerLeftMessage | RelayedSignalMessage | ErrorMessage | PongMessage;

// ---- refusals -----------------------------------------------------------------------------

/** Every refusal the box can send. Documented one by one in PROTOCOL.md. */
export type ErrorCode =
  | 'ERR_BAD_MESSAGE'
  | 'ERR_TOO_LARGE'
  | 'ERR_UNSUPPORTED_VERSION'
  | 'ERR_NOT_JOINED'
  | 'ERR_ALREADY_JOINED'
  | 'ERR_ROOM_FULL'
  | 'ERR_SERVER_FULL'
  | 'ERR_PEER_ID_TAKEN'
  | 'ERR_UNKNOWN_PEER'
  | 'ERR_PEER_UNREACHABLE'
  | 'ERR_RATE_LIMITED'
  | 'ERR_ABUSE'
  | 'ERR_JOIN_TIMEOUT'
  | 'ERR_REPLACED'
  | 'ERR_TOO_SLOW'
  | 'ERR_ADDRESS_FULL';

/** WebSocket close codes the box uses when a socket must end. */
export const CloseCode = {
  /** A client's clean close (1000) counts as leaving; the box closes with it after a `leave`. */
  NORMAL: 1000,
  /** The box is shutting down: reconnect (with backoff) and resume. */
  GOING_AWAY: 1001,
  /** A frame exceeded the transport limit and was not read. */
  TOO_LARGE: 1009,
  REPLACED: 4001,
  /** The socket did not read what the box sent it: resume on a new one. */
  TOO_SLOW: 4002,
  JOIN_TIMEOUT: 4008,
  ABUSE: 4400,
  UNSUPPORTED_VERSION: 4406,
  ROOM_FULL: 4403,
  PEER_ID_TAKEN: 4409,
  RATE_LIMITED: 4429,
  /** The client's address holds its share of the box: try again later. */
  ADDRESS_FULL: 4430,
  SERVER_FULL: 4503,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** English sentences sent with each code; clients translate by code, not by this text. */
export const ERROR_TEXT: Record<ErrorCode, string> = {
  ERR_BAD_MESSAGE: 'The message is not valid JSON of a known type with valid fields.',
  ERR_TOO_LARGE: 'The message is larger than the limit.',
  ERR_UNSUPPORTED_VERSION: 'This box speaks another protocol version.',
  ERR_NOT_JOINED: 'Join a room first.',
  ERR_ALREADY_JOINED: 'This socket has already joined a room.',
  ERR_ROOM_FULL: 'The room is full.',
  ERR_SERVER_FULL: 'The box has reached its limit of rooms or peers.',
  ERR_PEER_ID_TAKEN: 'Another connection holds this peer id.',
  ERR_UNKNOWN_PEER: 'The recipient is not in this room.',
  ERR_PEER_UNREACHABLE: 'The recipient is reconnecting and its queue is full.',
  ERR_RATE_LIMITED: 'Too many messages; this one was dropped.',
  ERR_ABUSE: 'Too many invalid or excess messages.',
  ERR_JOIN_TIMEOUT: 'No join arrived in time.',
  ERR_REPLACED: 'A newer connection resumed this peer id.',
  ERR_TOO_SLOW: 'This connection did not read its messages; resume on a new one.',
  ERR_ADDRESS_FULL: 'Your address holds as many connections and peers as the box allows; try again later.',
};

// ---- validation ---------------------------------------------------------------------------

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * True when `value` nests no deeper than `maxDepth` and holds no prototype-polluting keys.
 * Iterative, so a hostile value cannot overflow the stack here.
 */
export function isSafeJson(value: unknown, maxDepth = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return true;
  // Only objects and arrays are pushed (a flat frame allocates nothing here), with their depths
  // in a parallel stack.
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > maxDepth) return false;
    if (Array.isArray(node)) {
      for (const item of node) {
        if (item !== null && typeof item === 'object') {
          nodes.push(item);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const key in node) {
      if (FORBIDDEN_KEYS.has(key)) return false;
      const child = (node as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return true;
}

function parseJsonObject(raw: string): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null; // also catches RangeError from absurd nesting
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  return isSafeJson(value) ? (value as Record<string, unknown>) : null;
}

/** Every message type a client may send (PROTOCOL.md §3; the docs test compares the two). */
export const CLIENT_MESSAGE_TYPES = ['join', 'signal', 'leave', 'ping'] as const satisfies readonly ClientMessage['type'][];
/** Every message type the box sends. */
export const SERVER_MESSAGE_TYPES = ['welcome', 'peer-joined', 'peer-left', 'signal', 'error', 'pong'] as const satisfies readonly ServerMessage['type'][];
/** Compiles only when `T` is never: used to prove that the lists above name every type of their union. */
type Nothing<T extends never> = T;
export type UnlistedClientTypes = Nothing<Exclude<ClientMessage['type'], (typeof CLIENT_MESSAGE_TYPES)[number]>>;
export type UnlistedServerTypes = Nothing<Exclude<ServerMessage['type'], (typeof SERVER_MESSAGE_TYPES)[number]>>;

/** Returns the message, or null when `raw` is not a well-formed ClientMessage. */
export function parseClientMessage(raw: string): ClientMessage | null {
  const m = parseJsonObject(raw);
  if (!m) return null;
  switch (m.type) {
    case 'join': {
      if (!isRoomId(m.room) || !isPeerId(m.peer)) return null;
      if (m.resume !== undefined && !isResumeToken(m.resume)) return null;
      if (m.version !== undefined && !Number.isSafeInteger(m.version)) return null;
      const join: JoinMessage = { type: 'join', room: m.room, peer: m.peer };
      if (m.resume !== undefined) join.resume = m.resume;
      if (m.version !== undefined) join.version = m.version as number;
      return join;
    }
    case 'signal':
      if (!isPeerId(m.to) || !('data' in m) || m.data === undefined) return null;
      return { type: 'signal', to: m.to, data: m.data };
    case 'leave':
      return { type: 'leave' };
    case 'ping':
      return { type: 'ping' };
    default:
      return null;
  }
}

const LEAVE_REASONS: ReadonlySet<unknown> = new Set(['left', 'lost']);

function isIceServer(v: unknown): v is IceServer {
  if (v === null || typeof v !== 'object') return false;
  const s = v as Record<string, unknown>;
  const urlsOk = typeof s.urls === 'string' || (Array.isArray(s.urls) && s.urls.every((u) => typeof u === 'string'));
  return urlsOk && (s.username === undefined || typeof s.username === 'string') && (s.credential === undefined || typeof s.credential === 'string');
}

function isLimits(v: unknown): v is Limits {
  if (v === null || typeof v !== 'object') return false;
  const l = v as Record<string, unknown>;
  return ['maxMessageBytes', 'maxPeersPerRoom', 'ratePerSecond', 'rateBurst', 'graceMs'].every((k) => typeof l[k] === 'number' && (l[k] as number) >= 0);
}

/** Returns the message, or null when `raw` is not a well-formed ServerMessage (client side). */
export function parseServerMessage(raw: string): ServerMessage | null {
  const m = parseJsonObject(raw);
  if (!m) return null;
  switch (m.type) {
    case 'welcome':
      if (
        typeof m.version !== 'number' ||
        !isPeerId(m.peer) ||
        !Array.isArray(m.peers) ||
        !m.peers.every(isPeerId) ||
        !isResumeToken(m.resumeToken) ||
        typeof m.resumed !== 'boolean' ||
        !Array.isArray(m.iceServers) ||
        !m.iceServers.every(isIceServer) ||
        !isLimits(m.limits)
      )
        return null;
      return m as unknown as WelcomeMessage;
    case 'peer-joined':
      return isPeerId(m.peer) ? { type: 'peer-joined', peer: m.peer } : null;
    case 'peer-left':
      return isPeerId(m.peer) && LEAVE_REASONS.has(m.reason) ? { type: 'peer-left', peer: m.peer, reason: m.reason as LeaveReason } : null;
    case 'signal':
      return isPeerId(m.from) && m.data !== undefined ? { type: 'signal', from: m.from, data: m.data } : null;
    case 'error':
      if (typeof m.code !== 'string' || !(m.code in ERROR_TEXT) || typeof m.message !== 'string') return null;
      if (m.peer !== undefined && !isPeerId(m.peer)) return null;
      return m as unknown as ErrorMessage;
    case 'pong':
      return { type: 'pong' };
    default:
      return null;
  }
}
