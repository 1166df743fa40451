/**
 * Connection quality per peer from WebRTC statistics: round-trip time, packet loss, received
 * frame rate and bitrates, read every few seconds, with a three-step rating.
 */
export const QUALITY_INTERVAL_MS = 2_000;

export type QualityLevel = 'good' | 'fair' | 'poor' | 'unknown';

export interface PeerQuality {
  level: QualityLevel;
  /** Milliseconds, or null before the first measurement. */
  rttMs: number | null;
  /** Percent of packets lost in the last interval (audio and video received). */
  lossPercent: number | null;
  /** Frames per second of the received video, or null without video. */
  fps: number | null;
  /** Kbit/s received and sent over this connection in the last interval. */
  inKbps: number | null;
  outKbps: number | null;
  /** The sender's estimate of what this connection can carry upward (kbit/s), if known. */
  availableOutKbps: number | null;
}

interface Totals {
  at: number;
  bytesIn: number;
  bytesOut: number;
  received: number;
  lost: number;
}

export const UNKNOWN_QUALITY: PeerQuality = {
  level: 'unknown',
  rttMs: null,
  lossPercent: null,
  fps: null,
  inKbps: null,
  outKbps: null,
  availableOutKbps: null,
};

/** Rates one connection: good below 250 ms and 2 % loss, poor above 500 ms or 8 %. */
export function rate(rttMs: number | null, lossPercent: number | null): QualityLevel {
  if (rttMs === null && lossPercent === null) return 'unknown';
  const rtt = rttMs ?? 0;
  const loss = lossPercent ?? 0;
  if (rtt > 500 || loss > 8) return 'poor';
  if (rtt > 250 || loss > 2) return 'fair';
  return 'good';
}

/** Reads successive getStats reports of one RTCPeerConnection and turns them into figures. */
export class QualityMeter {
  #last: Totals | null = null;

  constructor(readonly connection: RTCPeerConnection) {}

  async read(): Promise<PeerQuality> {
    const report = await this.connection.getStats();
    const now: Totals = { at: performance.now(), bytesIn: 0, bytesOut: 0, received: 0, lost: 0 };
    let rttMs: number | null = null;
    let fps: number | null = null;
    let availableOutKbps: number | null = null;
    report.forEach((s) => {
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && typeof s.currentRoundTripTime === 'number') {
        rttMs = Math.round(s.currentRoundTripTime * 1000);
        if (typeof s.availableOutgoingBitrate === 'number') availableOutKbps = Math.round(s.availableOutgoingBitrate / 1000);
      } else if (s.type === 'inbound-rtp') {
        now.bytesIn += s.bytesReceived ?? 0;
        now.received += s.packetsReceived ?? 0;
        now.lost += Math.max(0, s.packetsLost ?? 0);
        if (s.kind === 'video' && typeof s.framesPerSecond === 'number') fps = Math.max(fps ?? 0, s.framesPerSecond);
      } else if (s.type === 'outbound-rtp') {
        now.bytesOut += s.bytesSent ?? 0;
      }
    });
    const last = this.#last;
    this.#last = now;
    if (!last) return { ...UNKNOWN_QUALITY, rttMs, fps, availableOutKbps, level: rate(rttMs, null) };
    const seconds = Math.max(0.001, (now.at - last.at) / 1000);
    const packets = now.received - last.received + (now.lost - last.lost);
    const lossPercent = packets > 0 ? Math.round(((now.lost - last.lost) / packets) * 1000) / 10 : 0;
    return {
      level: rate(rttMs, lossPercent),
      rttMs,
      lossPercent,
      fps: fps === null ? null : Math.round(fps),
      inKbps: Math.round(((now.bytesIn - last.bytesIn) * 8) / 1000 / seconds),
      outKbps: Math.round(((now.bytesOut - last.bytesOut) * 8) / 1000 / seconds),
      availableOutKbps,
    };
  }
}
