/**
 * End-to-end encryption of signaling payloads, and safety codes.
 *
 * The box relays `data` it cannot read: every payload is AES-GCM-encrypted under a key derived
 * (HKDF-SHA-256) from the meeting secret, which never leaves the browsers. Sender and recipient
 * ids are bound as additional data, so the box cannot redirect a payload to another peer, and a
 * sequence number inside the ciphertext lets the recipient drop replays. PROTOCOL.md §10
 * specifies the format for other clients.
 */
import type { PeerId, RoomId } from '../../signaling/protocol.js';
import { fromBase64Url, roomIdFor, toBase64Url } from './room-link.js';

export const SEAL_VERSION = 1;
const HKDF_INFO = 'runde-signal-v1';
const HKDF_SALT = 'runde-signal-salt-v1';
const IV_BYTES = 12;

/** The encrypted form of a signal payload, as it travels in `signal.data`. */
export interface SealedPayload {
  v: typeof SEAL_VERSION;
  /** base64url, 12 random bytes */
  iv: string;
  /** base64url ciphertext with the 16-byte GCM tag appended */
  ct: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The room's signaling key: HKDF-SHA-256(secret, salt, info) → AES-256-GCM. Not extractable. */
export async function deriveSignalKey(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode(HKDF_SALT), info: encoder.encode(HKDF_INFO) },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** Everything the meeting secret yields: the room id the box sees, and the signaling key. */
export async function meetingKeys(secret: string): Promise<{ room: RoomId; signalKey: CryptoKey }> {
  const [room, signalKey] = await Promise.all([roomIdFor(secret), deriveSignalKey(secret)]);
  return { room, signalKey };
}

const aad = (from: PeerId, to: PeerId) => encoder.encode(`${HKDF_INFO}|${from}|${to}`);

/** Encrypts `payload` (any JSON value) from `from` to `to`, with sequence number `seq`. */
export async function seal(key: CryptoKey, from: PeerId, to: PeerId, seq: number, payload: unknown): Promise<SealedPayload> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plain = encoder.encode(JSON.stringify({ seq, payload }));
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(from, to) }, key, plain);
  return { v: SEAL_VERSION, iv: toBase64Url(iv), ct: toBase64Url(new Uint8Array(ct)) };
}

/**
 * Decrypts what `from` (as stamped by the box) sent to `to` (us). Null when it is not a sealed
 * payload, was made with another key, or was meant for another pair.
 */
export async function open(key: CryptoKey, from: PeerId, to: PeerId, data: unknown): Promise<{ seq: number; payload: unknown } | null> {
  const d = data as Partial<SealedPayload> | null;
  if (!d || typeof d !== 'object' || d.v !== SEAL_VERSION || typeof d.iv !== 'string' || typeof d.ct !== 'string') return null;
  try {
    const iv = fromBase64Url(d.iv);
    if (iv.length !== IV_BYTES) return null;
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad(from, to) }, key, fromBase64Url(d.ct));
    const parsed = JSON.parse(decoder.decode(plain)) as { seq?: unknown; payload?: unknown };
    if (!Number.isSafeInteger(parsed.seq) || !('payload' in parsed)) return null;
    return { seq: parsed.seq as number, payload: parsed.payload };
  } catch {
    return null;
  }
}

/** The DTLS certificate fingerprint (`a=fingerprint:` line) of an SDP, upper case. */
export function fingerprintOf(sdp: string | undefined): string | null {
  const [, algorithm, digest] = /^a=fingerprint:(\S+) ([0-9A-Fa-f:]+)\s*$/m.exec(sdp ?? '') ?? [];
  return algorithm && digest ? `${algorithm.toLowerCase()} ${digest.toUpperCase()}` : null;
}

/** Digits of a safety code, read aloud in groups. */
export const SAFETY_GROUPS = 4;
const GROUP_DIGITS = 4;

/**
 * A short code both ends of a connection compute alike: SHA-256 over the room id and both DTLS
 * fingerprints (sorted, so the order of the ends does not matter), shown as 4 groups of 4 digits.
 * If someone in the middle had swapped a fingerprint, the two ends would see different codes.
 */
export async function safetyCode(room: RoomId, fingerprintA: string, fingerprintB: string): Promise<string> {
  const [a, b] = [fingerprintA, fingerprintB].sort();
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(`runde-safety-v1|${room}|${a}|${b}`)));
  const view = new DataView(digest.buffer);
  const groups: string[] = [];
  for (let i = 0; i < SAFETY_GROUPS; i++) groups.push(String(view.getUint32(i * 4) % 10 ** GROUP_DIGITS).padStart(GROUP_DIGITS, '0'));
  return groups.join(' ');
}
