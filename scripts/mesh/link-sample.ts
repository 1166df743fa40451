/**
 * One connection's counters from its getStats report, as `npm run bench:mesh` reads them: in the
 * bench's own page (mesh-page.ts) and in the real app's page (app-probe.ts).
 */
import type { ViewRole } from '../../client/core/bandwidth.js';

/** The counters of one connection, seen from the Meeting `local` whose connection it is. */
export interface LinkSample {
  local: number;
  /** The index of the remote Meeting in this page, or -1 for a person in another browser. */
  remote: number;
  /** Names the connection's far end among `local`'s (a peer id, or the connection's number). */
  peer: string;
  /** How `local` shows `remote`'s camera (reportViews): the role it reported to the sender. */
  role: ViewRole;
  /** The connection's generation: a redialled link starts its counters from zero. */
  generation: number;
  /** The stats' own clock (ms): reading many connections takes a while, so each has its own. */
  timestamp: number;
  /** Video from `remote`: frames decoded so far (null before any arrived), packets received and lost. */
  framesDecoded: number | null;
  packetsReceived: number;
  packetsLost: number;
  /** To `remote`: payload bytes sent (audio and video), the encoded height, and why WebRTC limits it. */
  bytesSent: number;
  /** Video frames encoded for `remote` so far: tells a sender that sends few frames from a receiver that decodes few. */
  framesEncoded: number;
  sentHeight: number;
  limitation: string;
  /** What the encoders aim at (bit/s, audio and video): what the shaping allows, not what the content needs. */
  targetBitrate: number;
  /** The video codec sent to `remote` (e.g. "H264"), or "" before any video was sent. */
  codec: string;
  /** Audio from `remote`: samples played out, and those concealed for lack of packets (not silence). */
  audioSamples: number;
  concealedSamples: number;
}

/** Stats fields this page reads; the DOM typings lack some of them. */
interface RtpStats {
  type: string;
  id: string;
  codecId?: string;
  mimeType?: string;
  timestamp: number;
  kind?: string;
  framesDecoded?: number;
  framesEncoded?: number;
  packetsReceived?: number;
  packetsLost?: number;
  frameHeight?: number;
  bytesSent?: number;
  targetBitrate?: number;
  qualityLimitationReason?: string;
  totalSamplesReceived?: number;
  concealedSamples?: number;
  silentConcealedSamples?: number;
}

export async function statsOf(connection: RTCPeerConnection): Promise<RtpStats[]> {
  const out: RtpStats[] = [];
  (await connection.getStats()).forEach((s: RtpStats) => {
    out.push(s);
  });
  return out;
}

export function link(local: number, remote: number, peer: string, role: ViewRole, generation: number, stats: RtpStats[]): LinkSample {
  const out: LinkSample = {
    local,
    remote,
    peer,
    role,
    generation,
    timestamp: 0,
    framesDecoded: null,
    packetsReceived: 0,
    packetsLost: 0,
    bytesSent: 0,
    framesEncoded: 0,
    sentHeight: 0,
    limitation: 'none',
    targetBitrate: 0,
    codec: '',
    audioSamples: 0,
    concealedSamples: 0,
  };
  for (const s of stats) {
    if (s.type === 'inbound-rtp' && s.kind === 'video') {
      out.framesDecoded = s.framesDecoded ?? 0;
      [out.packetsReceived, out.packetsLost] = [s.packetsReceived ?? 0, s.packetsLost ?? 0];
    } else if (s.type === 'inbound-rtp' && s.kind === 'audio') {
      out.audioSamples = s.totalSamplesReceived ?? 0;
      out.concealedSamples = (s.concealedSamples ?? 0) - (s.silentConcealedSamples ?? 0);
    } else if (s.type === 'outbound-rtp') {
      out.bytesSent += s.bytesSent ?? 0;
      out.targetBitrate += s.targetBitrate ?? 0;
      if (s.kind !== 'video') continue;
      [out.sentHeight, out.limitation] = [s.frameHeight ?? 0, s.qualityLimitationReason ?? 'none'];
      out.framesEncoded += s.framesEncoded ?? 0;
      out.codec = stats.find((c) => c.id === s.codecId)?.mimeType?.replace(/^video\//, '') ?? '';
    } else continue;
    out.timestamp = Math.max(out.timestamp, s.timestamp);
  }
  return out;
}
