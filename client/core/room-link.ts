/**
 * Meeting links: `<app origin>/#<secret>`. The secret (128 random bits, base64url) stays in the
 * browser: the fragment is never sent to any server, and the room id the box sees is a hash of it.
 */
import { peerId, roomId, type PeerId, type RoomId } from '../../signaling/protocol.js';

/** Bytes of randomness in a meeting secret (128 bits, as the privacy model requires). */
export const SECRET_BYTES = 16;
/** Context string of the room-id hash; PROTOCOL.md documents the same derivation. */
const ROOM_ID_CONTEXT = 'runde-room-v1:';
/** What opens a host link (the host secret follows it in the fragment; host-key.ts). */
export const HOST_LINK_PREFIX = 'host:';
const SECRET_RE = /^[A-Za-z0-9_-]{22,128}$/;

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Whether `value` is base64url text of exactly `chars` characters; `canonical` also asks that
 * decoding and encoding again give the same text (the last character's spare bits are zero).
 */
export function isBase64Url(value: unknown, chars: number, canonical = false): value is string {
  if (typeof value !== 'string' || value.length !== chars || !/^[A-Za-z0-9_-]*$/.test(value)) return false;
  if (!canonical) return true;
  try {
    return toBase64Url(fromBase64Url(value)) === value;
  } catch {
    return false; // a length no base64 text has
  }
}

/** The bytes of base64url text (with or without padding); throws on text that is not base64. */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** A fresh meeting secret from the browser's CSPRNG. */
export function newSecret(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

/** A fresh peer id (128 random bits), the same form as a secret. */
export function newPeerId(): PeerId {
  return peerId(newSecret());
}

/**
 * The secret from a link, a bare fragment or a pasted secret; null when it holds none of at
 * least 128 bits.
 */
export function secretFromLink(input: string): string | null {
  const text = input.trim();
  const hash = text.indexOf('#');
  const candidate = hash >= 0 ? text.slice(hash + 1) : text;
  return SECRET_RE.test(candidate) ? candidate : null;
}

/** What a link opens: the meeting as a participant (`#s`), or as a host (`#host:h`, host-key.ts). */
export type MeetingLink = { secret: string; hostSecret?: undefined } | { hostSecret: string; secret?: undefined };

/** A participant or host link, a bare fragment or a pasted secret; null when it holds neither. */
export function parseMeetingLink(input: string): MeetingLink | null {
  const text = input.trim();
  const hash = text.indexOf('#');
  const fragment = hash >= 0 ? text.slice(hash + 1) : text;
  if (fragment.startsWith(HOST_LINK_PREFIX)) {
    const hostSecret = fragment.slice(HOST_LINK_PREFIX.length);
    return SECRET_RE.test(hostSecret) ? { hostSecret } : null;
  }
  const secret = secretFromLink(fragment);
  return secret ? { secret } : null;
}

/** The host link of a meeting: whoever opens it can lock, let in and remove. */
export function hostLinkFor(hostSecret: string, base: string = location.href): string {
  return linkFor(HOST_LINK_PREFIX + hostSecret, base);
}

export function linkFor(secret: string, base: string = location.href): string {
  const url = new URL(base);
  url.hash = secret;
  url.search = '';
  return url.href;
}

/** base64url(SHA-256(context + secret)): what the box sees instead of the secret. */
export async function roomIdFor(secret: string): Promise<RoomId> {
  const data = new TextEncoder().encode(ROOM_ID_CONTEXT + secret);
  const digest = await crypto.subtle.digest('SHA-256', data);
  return roomId(toBase64Url(new Uint8Array(digest)));
}
