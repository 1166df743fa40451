/**
 * The page that `npm run bench:mesh` loads (bundled into .tmp/bench/mesh/): N Meetings in one
 * page, each with its own fake camera and microphone, driven from the script through
 * `window.meshBench`. `sample()` returns raw counters per connection; the script takes the differences.
 */
import { newVisitIdentity } from '../../client/core/visit-identity.js';
import { meetingKeys } from '../../client/core/crypto.js';
import { acquireMedia } from '../../client/core/media.js';
import { Meeting } from '../../client/core/meeting.js';
import { gridLayout } from '../../client/ui/grid-layout.js';

/** The counters of one connection, seen from the Meeting `local` whose connection it is. */
export interface LinkSample {
  local: number;
  remote: number;
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
}

let meetings: Meeting[] = [];
let videos: HTMLVideoElement[] = [];
const ids = () => meetings.map((m) => m.local.id);

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
}

async function statsOf(connection: RTCPeerConnection): Promise<RtpStats[]> {
  const out: RtpStats[] = [];
  (await connection.getStats()).forEach((s: RtpStats) => {
    out.push(s);
  });
  return out;
}

function link(local: number, remote: number, generation: number, stats: RtpStats[]): LinkSample {
  const out: LinkSample = {
    local,
    remote,
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
  };
  for (const s of stats) {
    if (s.type === 'inbound-rtp' && s.kind === 'video') {
      out.framesDecoded = s.framesDecoded ?? 0;
      [out.packetsReceived, out.packetsLost] = [s.packetsReceived ?? 0, s.packetsLost ?? 0];
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

/** The tile a receiver shows each sender in: a grid of everyone (self included) in 1280×720. */
function tile(n: number): { width: number; height: number } {
  const g = gridLayout(n, 1280, 720);
  return { width: g.tileWidth, height: g.tileHeight };
}

/**
 * Plays every remote stream in a <video> of tile size, sound and picture, as the app's call view
 * would (its tiles play each peer's audio too, which is also what feeds the RTP audio levels that
 * tell who speaks). All receivers' tiles are stacked in the one viewport: each person would have
 * a screen and speakers of their own.
 */
function render(n: number): void {
  const { width, height } = tile(n);
  for (const m of meetings) {
    for (const peer of m.peers.values()) {
      const v = Object.assign(document.createElement('video'), { autoplay: true, playsInline: true, srcObject: peer.stream });
      Object.assign(v.style, { width: `${width}px`, height: `${height}px`, position: 'absolute', left: '0', top: '0' });
      document.body.append(v);
      videos.push(v);
    }
  }
}

const bench = {
  /** Starts `n` Meetings in the room of `secret`; each asks for its own camera and microphone. */
  async start(secret: string, n: number, adapt: boolean): Promise<void> {
    const keys = await meetingKeys(secret);
    for (let i = 0; i < n; i++) {
      const { stream } = await acquireMedia({ audio: true, video: true });
      const meeting = new Meeting({
        identity: await newVisitIdentity(),
        signalingUrl: `ws://${location.host}/ws`,
        ...keys,
        name: `peer${i}`,
        stream,
        audio: true,
        video: true,
        adapt,
      });
      meeting.join();
      meetings.push(meeting);
    }
  },

  /** Every Meeting has a connected data channel and a remote video track from every other. */
  connected(): boolean {
    const n = meetings.length;
    return meetings.every((m) => {
      const peers = [...m.peers.values()];
      return peers.length === n - 1 && peers.every((p) => p.connected && (p.stream?.getVideoTracks().length ?? 0) > 0);
    });
  },

  /** Each receiver tells each sender how large its tile is (the app does this from a ResizeObserver). */
  reportViews(withVideos: boolean): { width: number; height: number } {
    const size = tile(meetings.length);
    for (const m of meetings) for (const id of m.peers.keys()) m.reportView(id, size.width, size.height);
    if (withVideos) render(meetings.length);
    return size;
  },

  /** The counters of every connection of every Meeting, read all at once. */
  async sample(): Promise<LinkSample[]> {
    const order = ids();
    // A link torn down for a redial (a busy machine can miss ICE checks) has no connection for
    // a moment, or one that closes while it is read: the read fails, the link is left out, and
    // its stream counts as not flowing.
    const reads = meetings.flatMap((m, local) =>
      [...m.peers.values()].map(async (peer) => {
        const generation = peer.generation;
        const connection = m.linkTo(peer.id)?.connection;
        const stats = connection ? await statsOf(connection).catch(() => null) : null;
        return stats && link(local, order.indexOf(peer.id), generation, stats);
      }),
    );
    return (await Promise.all(reads)).filter((l): l is LinkSample => l !== null);
  },

  leave(): void {
    for (const v of videos) v.remove();
    for (const m of meetings) m.leave();
    meetings = [];
    videos = [];
  },
};

declare global {
  interface Window {
    meshBench: typeof bench;
  }
}

window.meshBench = bench;
