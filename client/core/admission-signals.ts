/**
 * The admission protocol's messages as they travel (PROTOCOL.md §10a, PEERS.md §1): the payloads
 * sealed through the box, with the check of their shape, and a host statement on the data
 * channel. What they mean, and who acts on them, is admission-control.ts.
 */
import { MAX_RECEIVED_NAME_CHARS } from './peer-messages.js';
import { isBase64Url } from './room-link.js';
import { KEY_CHARS, SIGNATURE_CHARS, asSignedStatement, type SignedStatement } from './statements.js';

/**
 * Control payloads sealed through the box, for peers without a connection. `key` is the sender's
 * visit key, `nonce` what the other side must sign to prove its id, `proof` the signature over
 * the nonce the other side sent (visit-identity.ts).
 */
export type AdmissionSignal =
  | { runde: 'hello'; name: string; key: string; nonce: string; host?: SignedStatement }
  | { runde: 'entry'; key: string; nonce: string; proof: string; state?: SignedStatement; host?: SignedStatement; waiting?: string; linked?: boolean }
  | { runde: 'proof'; proof: string }
  | { runde: 'host'; st: SignedStatement };

/** The admission payloads there are (PEERS.md §1). */
export const ADMISSION_SIGNAL_KINDS = ['hello', 'entry', 'proof', 'host'] as const satisfies readonly AdmissionSignal['runde'][];

const isName = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_RECEIVED_NAME_CHARS;
/** A 16-byte nonce in base64url. (Keys and signatures: statements.ts.) */
const NONCE_CHARS = 22;

/**
 * The admission payload in a sealed signal (PEERS.md "Sealed payloads"), its shape checked;
 * null for anything else. Whether its statements are signed by a host is checked later.
 */
export function parseAdmissionSignal(payload: unknown): AdmissionSignal | null {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return null;
  const p = payload as Record<string, unknown>;
  const signed = (v: unknown) => (v === undefined ? undefined : asSignedStatement(v));
  switch (p.runde) {
    case 'hello': {
      const host = signed(p.host);
      if (!isName(p.name) || !isBase64Url(p.key, KEY_CHARS) || !isBase64Url(p.nonce, NONCE_CHARS) || host === null) return null;
      const hello: AdmissionSignal = { runde: 'hello', name: p.name, key: p.key, nonce: p.nonce };
      if (host) hello.host = host;
      return hello;
    }
    case 'entry': {
      const [state, host] = [signed(p.state), signed(p.host)];
      if (!isBase64Url(p.key, KEY_CHARS) || !isBase64Url(p.nonce, NONCE_CHARS) || !isBase64Url(p.proof, SIGNATURE_CHARS)) return null;
      if (state === null || host === null || (p.waiting !== undefined && !isName(p.waiting))) return null;
      const entry: AdmissionSignal = { runde: 'entry', key: p.key, nonce: p.nonce, proof: p.proof };
      if (state) entry.state = state;
      if (host) entry.host = host;
      if (p.waiting !== undefined) entry.waiting = p.waiting as string;
      if (p.linked === true) entry.linked = true;
      return entry;
    }
    case 'proof':
      return isBase64Url(p.proof, SIGNATURE_CHARS) ? { runde: 'proof', proof: p.proof } : null;
    case 'host': {
      const st = asSignedStatement(p.st);
      return st ? { runde: 'host', st } : null;
    }
    default:
      return null;
  }
}

/** A signed statement over the data channel. */
export interface HostMessage {
  type: 'host';
  st: SignedStatement;
}
