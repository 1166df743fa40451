/**
 * Host statements: what a host decides, signed with the host key (host-key.ts) so that every
 * participant can check it without trusting whoever passed it on — another peer or the box.
 *
 * A signed statement is `{st, key, sig}`: `st` the statement as JSON text (signed as sent, so no
 * canonical form is needed), `key` the raw Ed25519 public key, `sig` the signature over
 * UTF-8("runde-host-v1|" + st). It is accepted when the key's id is this meeting's secret, the
 * signature holds, and `st` parses and names this room. PROTOCOL.md §10a is the reference.
 *
 * Kinds:
 * - `state`: the whole room state (locked, admitted, declined, removed). The newest `at` wins
 *   (ties: the larger signature text), so order of arrival does not matter and an older state
 *   passed on again changes nothing.
 * - `host`: "the peer `peer` holds the host key" (the host badge; bound to that peer id).
 * - `mute` / `lower-hand` / `stop-recording`: a request to one peer (or `*`, everyone). Accepted once each, and only
 *   while fresh, since they are actions rather than state.
 */
import { isPeerId, type PeerId, type RoomId } from '../../signaling/protocol.js';
import type { HostKey } from './host-key.js';
import { keyIdOf } from './host-key.js';
import { fromBase64Url, isBase64Url, toBase64Url } from './room-link.js';

export interface RoomState {
  kind: 'state';
  room: RoomId;
  /** The host's clock (ms), raised above the state it replaces: orders states. */
  at: number;
  locked: boolean;
  /** Who may be in while locked (hosts add themselves). */
  admitted: PeerId[];
  /** Turned away at the lock, or removed: ignored for the rest of the meeting. */
  declined: PeerId[];
  removed: PeerId[];
}
export interface HostProof {
  kind: 'host';
  room: RoomId;
  at: number;
  peer: PeerId;
}
export interface HostRequest {
  kind: 'mute' | 'lower-hand' | 'stop-recording';
  room: RoomId;
  at: number;
  /** The host peer that asks (its name is shown to the one asked). */
  by: PeerId;
  /** The peer asked, or everyone (mute only). */
  peer: PeerId | '*';
}
export type Statement = RoomState | HostProof | HostRequest;

export interface SignedStatement {
  st: string;
  key: string;
  sig: string;
}

const SIGNATURE_CONTEXT = 'runde-host-v1|';
/** A raw Ed25519 public key and a signature, in base64url characters. */
export const KEY_CHARS = 43;
export const SIGNATURE_CHARS = 86;
/** Ids listed per kind in a room state at most; the oldest go first beyond it. */
export const MAX_LISTED = 100;
/** A statement's JSON text at most (a full state is ≈ 3 × 100 × 25 characters). */
export const MAX_STATEMENT_CHARS = 10_000;
/** How old (or early, for a host whose clock runs ahead) a request may be and still be carried out. */
export const REQUEST_MAX_SKEW_MS = 5 * 60_000;

const encoder = new TextEncoder();

/** Signs a statement with the host key. */
export async function sign(host: HostKey, statement: Statement): Promise<SignedStatement> {
  const st = JSON.stringify(statement);
  const sig = await crypto.subtle.sign('Ed25519', host.privateKey, encoder.encode(SIGNATURE_CONTEXT + st));
  return { st, key: host.publicKey, sig: toBase64Url(new Uint8Array(sig)) };
}

/** The shape of a signed statement as it arrives (nothing checked but types and lengths). */
export function asSignedStatement(value: unknown): SignedStatement | null {
  if (!value || typeof value !== 'object') return null;
  const { st, key, sig } = value as Record<string, unknown>;
  // Canonical only: the last character of a key or a signature has spare bits that decoders
  // ignore, and a second spelling of one signature must not count as a second statement.
  return typeof st === 'string' && st.length <= MAX_STATEMENT_CHARS && isBase64Url(key, KEY_CHARS, true) && isBase64Url(sig, SIGNATURE_CHARS, true)
    ? { st, key, sig }
    : null;
}

/** Checks statements against the one host key a meeting accepts (its secret is the key's id). */
export class StatementChecker {
  readonly #room: RoomId;
  readonly #keyId: string | null;
  /** The host public key once one has been seen with the right id (imported once). */
  #key: { text: string; key: CryptoKey } | null = null;

  /** `keyId` is the meeting secret; null for a meeting without hosts (every statement fails). */
  constructor(room: RoomId, keyId: string | null) {
    this.#room = room;
    this.#keyId = keyId;
  }

  /** The statement, or null when anything about it is wrong. */
  async check(value: unknown): Promise<Statement | null> {
    return (await this.checkSigned(value))?.statement ?? null;
  }

  /** The statement and the signed form it came in (to pass on), or null when anything is wrong. */
  async checkSigned(value: unknown): Promise<{ statement: Statement; signed: SignedStatement } | null> {
    const signed = asSignedStatement(value);
    if (!signed || this.#keyId === null) return null;
    try {
      const key = await this.#importKey(signed.key);
      if (!key) return null;
      const ok = await crypto.subtle.verify('Ed25519', key, fromBase64Url(signed.sig), encoder.encode(SIGNATURE_CONTEXT + signed.st));
      const statement = ok ? parseStatement(signed.st, this.#room) : null;
      return statement ? { statement, signed } : null;
    } catch {
      return null; // not base64, not a point on the curve, no Ed25519 here: not from a host
    }
  }

  async #importKey(text: string): Promise<CryptoKey | null> {
    if (this.#key?.text === text) return this.#key.key;
    const raw = fromBase64Url(text);
    if ((await keyIdOf(raw)) !== this.#keyId) return null;
    const key = await crypto.subtle.importKey('raw', raw, 'Ed25519', false, ['verify']);
    this.#key = { text, key };
    return key;
  }
}

const isTime = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
const isList = (v: unknown): v is PeerId[] => Array.isArray(v) && v.length <= MAX_LISTED && v.every(isPeerId);

/** A statement's JSON text, checked field by field and bound to `room`; null otherwise. */
export function parseStatement(text: string, room: RoomId): Statement | null {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!m || typeof m !== 'object' || m.room !== room || !isTime(m.at)) return null;
  const at = m.at;
  switch (m.kind) {
    case 'state':
      return typeof m.locked === 'boolean' && isList(m.admitted) && isList(m.declined) && isList(m.removed)
        ? { kind: 'state', room, at, locked: m.locked, admitted: m.admitted, declined: m.declined, removed: m.removed }
        : null;
    case 'host':
      return isPeerId(m.peer) ? { kind: 'host', room, at, peer: m.peer } : null;
    case 'mute':
    case 'lower-hand':
    case 'stop-recording':
      return isPeerId(m.by) && (isPeerId(m.peer) || (m.peer === '*' && m.kind === 'mute')) ? { kind: m.kind, room, at, by: m.by, peer: m.peer } : null;
    default:
      return null;
  }
}

/** Whether state `a` (signed as `aSig`) replaces state `b`: newer, or as new with the larger signature. */
export function isNewer(a: RoomState, aSig: string, b: RoomState | null, bSig: string): boolean {
  if (!b) return true;
  return a.at > b.at || (a.at === b.at && aSig > bSig);
}

/** Appends `id` to a list of at most MAX_LISTED (the oldest go first). */
export function listWith(list: readonly PeerId[], id: PeerId): PeerId[] {
  return [...list.filter((x) => x !== id), id].slice(-MAX_LISTED);
}
