/**
 * What peers say to each other over their data channel (never through the box): a typed,
 * versioned message set, validated on receipt. Malformed or oversized messages are dropped.
 */

export const PEER_PROTOCOL_VERSION = 1;
/** Largest data-channel text message accepted (bytes of UTF-8, approximated by length × 3). */
export const MAX_PEER_MESSAGE_CHARS = 16 * 1024;
export const MAX_NAME_CHARS = 64;

/** A participant's public state: sent on connect and whenever it changes. */
export interface StateMessage {
  v: typeof PEER_PROTOCOL_VERSION;
  type: 'state';
  name: string;
  audio: boolean;
  video: boolean;
}

export type PeerMessage = StateMessage;

export function encodePeerMessage(msg: PeerMessage): string {
  return JSON.stringify(msg);
}

/** Returns the message, or null when `raw` is not a valid message of a version we speak. */
export function parsePeerMessage(raw: string): PeerMessage | null {
  if (raw.length > MAX_PEER_MESSAGE_CHARS) return null;
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!m || typeof m !== 'object' || m.v !== PEER_PROTOCOL_VERSION) return null;
  switch (m.type) {
    case 'state':
      if (typeof m.name !== 'string' || typeof m.audio !== 'boolean' || typeof m.video !== 'boolean') {
        return null;
      }
      return { v: 1, type: 'state', name: cleanName(m.name), audio: m.audio, video: m.video };
    default:
      return null;
  }
}

/** A display name without control characters, trimmed to MAX_NAME_CHARS. */
export function cleanName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').trim().slice(0, MAX_NAME_CHARS);
}
