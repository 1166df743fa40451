/**
 * The host capability: a key in the host link, checked by everyone through the participant link.
 *
 * "Start a meeting" draws a host secret `h` (128 random bits). From it every host browser derives
 * the same Ed25519 key pair (HKDF → 32-byte seed), and from the public key the meeting secret
 * `s` = base64url(first 16 bytes of SHA-256(public key)). The participant link is `#s` (room id
 * and signaling key come from it, as before); the host link is `#host:h`. So:
 *
 * - a participant link alone yields no signing key, and a statement is accepted only under a key
 *   whose hash is `s` — a second key with that hash takes 2^128 tries;
 * - the box sees neither link: `s` stays a 128-bit secret, and the public key travels only sealed
 *   or over the data channel (it would give `s` away);
 * - every host link of a meeting is the same, so co-hosts are whoever the host shares it with;
 * - links made before hosts existed are random `s` with no known key: nobody is host there, and
 *   the meeting works as it did (open, no lock).
 *
 * PROTOCOL.md §10a specifies the derivation for other clients.
 */
import { fromBase64Url, newSecret, toBase64Url } from './room-link.js';

const HKDF_SALT = 'runde-host-salt-v1';
const HKDF_INFO = 'runde-host-key-v1';
/** Bytes of the public key's SHA-256 that make the meeting secret. */
const KEY_ID_BYTES = 16;
/** PKCS #8 wrapping of a raw Ed25519 seed (RFC 8410): the fixed header, then the 32 bytes. */
const ED25519_PKCS8_HEADER = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

/** The public key of RFC 8032's first test vector: any valid key does to ask for Ed25519. */
const RFC8032_TEST_KEY = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';

const encoder = new TextEncoder();

export interface HostKey {
  /** The host secret `h` of the host link. */
  readonly secret: string;
  /** Signs statements (not extractable). */
  readonly privateKey: CryptoKey;
  /** The raw 32-byte public key, base64url: sent with each signed statement. */
  readonly publicKey: string;
  /** The meeting secret `s` this key belongs to (the participant link's fragment). */
  readonly meetingSecret: string;
}

/** A fresh host secret: 128 random bits, the same form as a meeting secret. */
export const newHostSecret = newSecret;

/** The meeting secret that belongs to a host public key (raw bytes): the key's id. */
export async function keyIdOf(publicKey: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', publicKey));
  return toBase64Url(digest.slice(0, KEY_ID_BYTES));
}

/** Derives the host key pair from the host secret (the same in every browser). */
export async function hostKeyFrom(secret: string): Promise<HostKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveBits']);
  const seed = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode(HKDF_SALT), info: encoder.encode(HKDF_INFO) },
    material,
    256,
  );
  const pkcs8 = new Uint8Array([...ED25519_PKCS8_HEADER, ...new Uint8Array(seed)]);
  // Imported once as extractable only to read the public half (WebCrypto has no other way), then
  // again without: the key the meeting keeps cannot be exported.
  const readable = await crypto.subtle.importKey('pkcs8', pkcs8, 'Ed25519', true, ['sign']);
  const { x } = await crypto.subtle.exportKey('jwk', readable);
  if (!x) throw new Error('Ed25519 key without a public half');
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, 'Ed25519', false, ['sign']);
  return { secret, privateKey, publicKey: x, meetingSecret: await keyIdOf(fromBase64Url(x)) };
}

/** Whether this browser can check host signatures (Ed25519 in WebCrypto). */
export async function canVerifyHosts(): Promise<boolean> {
  try {
    await crypto.subtle.importKey('raw', fromBase64Url(RFC8032_TEST_KEY), 'Ed25519', false, ['verify']);
    return true;
  } catch {
    return false;
  }
}
