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

/**
 * How much audio one Opus packet carries. 20 ms is WebRTC's default and the lowest delay; in a
 * larger mesh every sender sends N−1 audio streams at 50 packets a second and receives as many,
 * which makes audio most of the packets a machine handles (bench:mesh at N = 6: about 1,500 of
 * 2,200 sent per second). 40 ms packets halve that, take a third of all packets off the network
 * threads and the IPC between the browser's processes, and save about 12 kbit/s of headers per
 * stream, for 20 ms more delay. bench:mesh at N = 6: the machine went from saturated (189 %,
 * streams down to 13.6 fps) to 176–178 % of its two cores with every stream at 18.4 fps or more.
 * From six people on, 60 ms packets take another third of the audio packets off (bench:mesh at
 * N = 5, forced to 60 ms: 17 instead of 25 packets a second per stream, and about 10 % less CPU
 * for the whole mesh), for 40 ms more delay than the default: still well under the 150 ms
 * one-way budget of ITU-T G.114 on the short paths of a mesh, and Opus's largest frame before
 * 120 ms, which Chromium does not send by default.
 */
export const LONG_AUDIO_PACKETS_FROM = 4;
export const LONGEST_AUDIO_PACKETS_FROM = 6;
/** WebRTC's own packet time, which a description without `a=ptime` gets. */
export const DEFAULT_AUDIO_PACKET_MS = 20;

/** The Opus packet time (ms) for a meeting of `people` (oneself included). */
export function audioPacketMs(people: number): number {
  if (people >= LONGEST_AUDIO_PACKETS_FROM) return 60;
  return people >= LONG_AUDIO_PACKETS_FROM ? 40 : DEFAULT_AUDIO_PACKET_MS;
}

/**
 * Asks the other side to send `ms` of audio per packet: `a=ptime` in every audio section of our
 * offer or answer (RFC 4566: what the writer of the description wants to receive). 20 ms is the
 * default and leaves the description as the browser wrote it.
 */
export function withAudioPacketTime(sdp: string, ms: number): string {
  // Each media section starts at its "\r\nm=" line; the last one ends with the final CRLF.
  return sdp
    .split(/(?=\r\nm=)/)
    .map((section) => {
      if (!section.startsWith('\r\nm=audio')) return section;
      const end = section.endsWith('\r\n') ? '\r\n' : '';
      const body = section.slice(0, section.length - end.length).replace(/\r\na=ptime:\d+/g, '');
      return ms === DEFAULT_AUDIO_PACKET_MS ? body + end : `${body}\r\na=ptime:${ms}${end}`;
    })
    .join('');
}

/**
 * Asks the other side to send Opus with discontinuous transmission (`usedtx=1` in our Opus
 * `a=fmtp` line, RFC 7587: what the writer of the description wants to receive): while someone
 * is silent, their browser sends a comfort-noise packet every 400 ms instead of one every packet
 * time. In a meeting most people are silent most of the time, and each of them sends N−1 audio
 * streams: the packets, their encryption and their handling on both ends mostly go.
 */
export function withOpusDtx(sdp: string): string {
  const opus = /\r\na=rtpmap:(\d+) opus\/48000/i.exec(sdp)?.[1];
  if (!opus) return sdp;
  return sdp.replace(new RegExp(`(\\r\\na=fmtp:${opus} )([^\\r\\n]*)`, 'g'), (line, start: string, params: string) =>
    /(^|;)\s*usedtx=/.test(params) ? line : `${start}${params};usedtx=1`,
  );
}
