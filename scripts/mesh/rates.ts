/**
 * Rates between two readings of the same connections (LinkSample, link-sample.ts): frames
 * decoded per second by the role the receiver gave each sender, frames encoded, upload, loss and
 * audio that had to be concealed. Shared by bench:mesh's one-page meshes and its measured person.
 */
import type { ViewRole } from '../../client/core/bandwidth.js';
import type { LinkSample } from './link-sample.js';

export interface Rates {
  /** Video frames decoded per second per received stream, by the role the receiver shows it in. */
  decoded: Record<ViewRole, number[]>;
  /** Video frames encoded per second per sent stream. */
  encoded: number[];
  /** Upload per sender (`local`), kbit/s, audio and video over all its connections. */
  uploadKbps: Map<number, number>;
  /** Video packets lost, % of those that arrived or were lost. */
  lossPercent: number;
  /** Audio concealed for lack of packets (not silence), % of the samples played, over all streams. */
  concealedPercent: number;
  /** Streams whose connection was redialled between the readings. */
  redialled: number;
  /** Streams expected but not read in both samples: not flowing for the reader (0 fps). */
  missing: number;
}

const key = (l: LinkSample) => `${l.local}>${l.peer}`;
const ZERO = { framesDecoded: 0, framesEncoded: 0, packetsReceived: 0, packetsLost: 0, bytesSent: 0, audioSamples: 0, concealedSamples: 0 };

/**
 * Each connection over its own stats clock. A stream redialled in between counts from its new
 * connection's zero; one read in only one of the samples (its link came up, or could not be read
 * because it was being redialled) is left out and counted in `missing` against `expected`.
 */
export function rates(s0: readonly LinkSample[], s1: readonly LinkSample[], expected = 0): Rates {
  const before = new Map(s0.map((l) => [key(l), l]));
  const out: Rates = {
    decoded: { large: [], thumbnail: [] },
    encoded: [],
    uploadKbps: new Map(),
    lossPercent: 0,
    concealedPercent: 0,
    redialled: 0,
    missing: 0,
  };
  let [received, lost, samples, concealed] = [0, 0, 0, 0];
  for (const l of s1) {
    const l0 = before.get(key(l));
    const ms = l0 ? l.timestamp - l0.timestamp : 0;
    if (!l0 || ms <= 0) continue;
    const start = l0.generation === l.generation ? l0 : ZERO;
    if (start === ZERO) out.redialled++;
    out.decoded[l.role].push((((l.framesDecoded ?? 0) - (start.framesDecoded ?? 0)) * 1000) / ms);
    out.encoded.push(((l.framesEncoded - start.framesEncoded) * 1000) / ms);
    out.uploadKbps.set(l.local, (out.uploadKbps.get(l.local) ?? 0) + ((l.bytesSent - start.bytesSent) * 8) / ms); // bits per ms = kbit/s
    received += l.packetsReceived - start.packetsReceived;
    lost += l.packetsLost - start.packetsLost;
    samples += l.audioSamples - start.audioSamples;
    concealed += l.concealedSamples - start.concealedSamples;
  }
  out.missing = Math.max(0, expected - out.encoded.length);
  out.lossPercent = (lost / (received + lost || Number.NaN)) * 100;
  out.concealedPercent = (concealed / (samples || Number.NaN)) * 100;
  return out;
}
