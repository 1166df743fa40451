/**
 * Nothing fails silently: every dropped message, swallowed error or throwing listener is counted
 * here by kind, and logged with its context when the debug switch is on (`?debug` in the page's
 * address, which is also remembered in this browser; `?debug=0` turns it off again). Counts stay
 * in the page: nothing is reported anywhere.
 */

export type TroubleKind =
  /** A listener of a core event threw; the other listeners still ran. */
  | 'listener-threw'
  /** A signal through the box did not decrypt, was a replay, or came from a removed peer. */
  | 'signal-unopened'
  /** A signal opened but was not a message Runde knows. */
  | 'signal-unknown'
  /** A knocker's signal beyond what is held for it until someone lets it in. */
  | 'signal-held-full'
  /** Sealing or sending a signal failed (the box connection was gone). */
  | 'signal-send-failed'
  /** Handling an opened signal threw. */
  | 'signal-handling-failed'
  /** A peer that could not prove the id it uses (visit-identity.ts). */
  | 'peer-unproven'
  /** A host statement whose signature, key or room did not check out. */
  | 'statement-forged'
  /** A peer's data-channel message that failed its check. */
  | 'peer-message-invalid'
  /** The browser refused to switch the speaker (output device) of a tile. */
  | 'speaker-switch-failed'
  /** Cleaning up a temporary file of a transfer failed (the browser clears it later). */
  | 'file-cleanup-failed'
  /** A local recording stopped by itself (its file could not be written, or the encoder failed). */
  | 'recording-failed'
  /** A peer connection failed with an error (its close follows and is handled). */
  | 'link-error'
  /** The box refused something we sent (e.g. a signal to a peer that had just left). */
  | 'box-refused'
  /** simple-peer's own debug output (only logged, with the switch on). */
  | 'simple-peer';

const STORAGE_KEY = 'runde-debug';
const counts = new Map<TroubleKind, number>();
let debugOn = detectDebug();

function detectDebug(): boolean {
  try {
    const param = new URLSearchParams(globalThis.location?.search ?? '').get('debug');
    if (param !== null) {
      const on = param !== '0';
      if (on) globalThis.localStorage?.setItem(STORAGE_KEY, '1');
      else globalThis.localStorage?.removeItem(STORAGE_KEY);
      return on;
    }
    return globalThis.localStorage?.getItem(STORAGE_KEY) === '1';
  } catch {
    return false; // storage blocked (private mode, a sandboxed frame): no switch, no harm
  }
}

/** Counts one occurrence of `kind`; with the debug switch on, logs it with `context` and `error`. */
export function noteTrouble(kind: TroubleKind, context: Record<string, unknown> = {}, error?: unknown): void {
  counts.set(kind, (counts.get(kind) ?? 0) + 1);
  if (debugOn) console.debug(`[runde] ${kind}`, context, ...(error === undefined ? [] : [error]));
}

/** How often `kind` happened in this page. */
export function troubleCount(kind: TroubleKind): number {
  return counts.get(kind) ?? 0;
}

export function debugEnabled(): boolean {
  return debugOn;
}

/** Turns the debug log on or off for this page (tests; the address switch for people). */
export function setDebug(on: boolean): void {
  debugOn = on;
}

/** A `.catch` handler that counts the failure as `kind` instead of dropping it. */
export function noteFailure(kind: TroubleKind, context: Record<string, unknown> = {}): (error: unknown) => void {
  return (error) => noteTrouble(kind, context, error);
}
