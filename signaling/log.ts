/**
 * One structured JSON line per event. Room and peer ids are replaced by short salted hashes so
 * that lines correlate within one process but reveal no id; message contents are never logged.
 */
import { hash, randomBytes } from 'node:crypto';

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
  readonly #salt = randomBytes(16).toString('hex');
  constructor(private readonly sink: LogSink) {}

  event(event: LogEvent, fields: LogFields = {}): void {
    this.sink(JSON.stringify({ time: new Date().toISOString(), event, ...fields }));
  }

  /** A stable 8-hex-character tag for an id, meaningless outside this process. */
  tag(id: string): string {
    // One-shot: no Hash object (and its native context) per call.
    return hash('sha256', this.#salt + id).slice(0, 8);
  }
}
