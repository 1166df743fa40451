/**
 * One structured JSON line per event. Room and peer ids are replaced by short salted hashes so
 * that lines correlate within one process but reveal no id; message contents are never logged.
 */
import * as crypto from 'node:crypto';

/**
 * SHA-256 as hex. One-shot `crypto.hash` (Node ≥ 20.12) makes no Hash object (and native context)
 * per call; Debian 12's own Node 18, which the release runs on, has only `createHash`.
 */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text) : (text) => crypto.createHash('sha256').update(text).digest('hex');

export type LogEvent =
  | 'listening'
  | 'connect'
  | 'join'
  | 'resume'
  | 'leave'
  | 'away'
  | 'refuse'
  | 'error'
  | 'close'
  | 'shutdown'
  | 'moved'
  | 'slow'
  | 'redis-error';

export type LogFields = Record<string, string | number | boolean | undefined>;
export type LogSink = (line: string) => void;

export class Logger {
  readonly #salt = crypto.randomBytes(16).toString('hex');
  constructor(private readonly sink: LogSink) {}

  event(event: LogEvent, fields: LogFields = {}): void {
    this.sink(JSON.stringify({ time: new Date().toISOString(), event, ...fields }));
  }

  /** A stable 8-hex-character tag for an id, meaningless outside this process. */
  tag(id: string): string {
    return sha256Hex(this.#salt + id).slice(0, 8);
  }
}
