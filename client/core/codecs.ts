/**
 * Which video codec a connection asks for first. In a full mesh every sender encodes one stream
 * per receiver and every receiver decodes one per sender, so the codec's CPU cost is paid
 * 2·(N−1) times on each machine: it decides how many people an old laptop can hold.
 *
 * H.264 constrained baseline costs about half of VP8 in Chromium's software codecs (bench:mesh,
 * N = 5 at 320×240: 35 % against 70 % of a core in the codec threads), and most laptops since
 * about 2011 encode and decode it in hardware. It is the H.264 profile every WebRTC endpoint has
 * to offer (RFC 7742). A browser without it keeps its own order, and offer/answer settles on a
 * codec both ends have, so a Firefox without the OpenH264 plug-in still talks VP8.
 */

/** Constrained baseline (42e0xx), non-interleaved packetization: what every H.264 endpoint takes. */
function isBaselineH264(codec: RTCRtpCodec): boolean {
  const fmtp = codec.sdpFmtpLine ?? '';
  return codec.mimeType.toLowerCase() === 'video/h264' && /packetization-mode=1/.test(fmtp) && /profile-level-id=42e0/i.test(fmtp);
}

const same = (a: RTCRtpCodec, b: RTCRtpCodec) => a.mimeType.toLowerCase() === b.mimeType.toLowerCase() && (a.sdpFmtpLine ?? '') === (b.sdpFmtpLine ?? '');

/**
 * The receivable video codecs with baseline H.264 moved to the front, if this browser can both
 * send and receive it; the rest keep the browser's order. Null when there is nothing to change.
 */
export function preferredVideoCodecs(receivable: readonly RTCRtpCodec[], sendable: readonly RTCRtpCodec[]): RTCRtpCodec[] | null {
  const first = receivable.filter((c) => isBaselineH264(c) && sendable.some((s) => same(s, c)));
  if (first.length === 0) return null;
  return [...first, ...receivable.filter((c) => !first.includes(c))];
}

let cached: RTCRtpCodec[] | null | undefined;

/** This browser's preferred order (computed once), or null to leave the browser's own. */
export function videoCodecOrder(): RTCRtpCodec[] | null {
  if (cached === undefined) {
    const receivable = globalThis.RTCRtpReceiver?.getCapabilities?.('video')?.codecs ?? [];
    const sendable = globalThis.RTCRtpSender?.getCapabilities?.('video')?.codecs ?? [];
    cached = preferredVideoCodecs(receivable, sendable);
  }
  return cached;
}
