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
import { LARGE_VIEW_HEIGHT, type ViewRole } from '../../client/core/bandwidth.js';
import { link, statsOf, type LinkSample } from './link-sample.js';

export type { LinkSample } from './link-sample.js';

let meetings: Meeting[] = [];
let videos: HTMLVideoElement[] = [];
/** When each Meeting started, was let in by the box, and connected each peer (ms, page clock); connections per peer. */
interface Timeline {
  started: number;
  welcomed: number | null;
  connected: Map<string, number>;
  connections: Map<string, number>;
}
let timelines: Timeline[] = [];
/** The role each receiver reported for each sender, by `${receiver id}>${sender id}`. */
const roles = new Map<string, ViewRole>();
const ids = () => meetings.map((m) => m.local.id);

/** The tile a receiver shows each sender in: a grid of everyone (self included) in 1280×720. */
function tile(n: number): { width: number; height: number } {
  const g = gridLayout(n, 1280, 720);
  return { width: g.tileWidth, height: g.tileHeight };
}

/** Everyone in the meeting, this page's Meetings and whoever they are connected to, in id order. */
function everyone(): string[] {
  const all = new Set<string>();
  for (const m of meetings) for (const id of [m.local.id, ...m.peers.keys()]) all.add(id);
  return [...all].sort();
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

/** How long one arrival may take before the next person comes anyway. */
const ARRIVAL_LIMIT_MS = 60_000;

/** Resolves once `ok()` holds, or after `ms` (checked every 100 ms). */
async function until(ok: () => boolean, ms: number): Promise<void> {
  for (const end = performance.now() + ms; !ok() && performance.now() < end; ) await new Promise((r) => setTimeout(r, 100));
}

const bench = {
  /**
   * Starts `n` Meetings in the room of `secret`; each asks for its own camera and microphone.
   * They arrive in turn, as people do: each joins once the one before is connected to everyone
   * before it (all at once, eight in one page saturate two cores before the last is in).
   */
  async start(secret: string, n: number, adapt: boolean): Promise<void> {
    const keys = await meetingKeys(secret);
    for (let i = 0; i < n; i++) {
      if (i > 0) await until(() => bench.connected(i - 1), ARRIVAL_LIMIT_MS);
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
      const timeline: Timeline = { started: performance.now(), welcomed: null, connected: new Map(), connections: new Map() };
      meeting.on('joined', () => {
        timeline.welcomed ??= performance.now();
      });
      meeting.on('peerConnected', (peer) => {
        if (!timeline.connected.has(peer.id)) timeline.connected.set(peer.id, performance.now());
        timeline.connections.set(peer.id, (timeline.connections.get(peer.id) ?? 0) + 1);
      });
      timelines.push(timeline);
      meeting.join();
      meetings.push(meeting);
    }
  },

  /**
   * Every Meeting has a connected data channel and a remote video track from each of `others`
   * (by default everyone else in this page).
   */
  connected(others = meetings.length - 1): boolean {
    return meetings.every((m) => {
      const peers = [...m.peers.values()];
      return peers.length === others && peers.every((p) => p.connected && (p.stream?.getVideoTracks().length ?? 0) > 0);
    });
  },

  /**
   * Each receiver tells each sender how large its tile is and in what role, as the app's grid of
   * everyone in 1280×720 does: the active speaker's tile (here: the next person in id order, so
   * that every sender is somebody's speaker) is large, every other tile large only from
   * LARGE_VIEW_HEIGHT up (a grid of up to four), else a thumbnail.
   */
  reportViews(withVideos: boolean): { width: number; height: number } {
    const ids = everyone();
    const size = tile(ids.length);
    for (const m of meetings) {
      const speaker = ids[(ids.indexOf(m.local.id) + 1) % ids.length];
      for (const id of m.peers.keys()) {
        const role: ViewRole = id === speaker || size.height >= LARGE_VIEW_HEIGHT ? 'large' : 'thumbnail';
        roles.set(`${m.local.id}>${id}`, role);
        m.reportView(id, size.width, size.height, role);
      }
    }
    if (withVideos) render(ids.length);
    return size;
  },

  /**
   * How connecting went: per Meeting after the first, ms from its start until it was connected
   * to everyone there before it (its arrival); the box's welcome (median); links that came up
   * more than once.
   */
  connecting(): { welcome: number; arrivals: number[]; again: number } {
    const welcomes = timelines.map((t) => (t.welcomed ?? Number.NaN) - t.started).sort((a, b) => a - b);
    const arrivals = timelines.slice(1).map((t, i) => {
      const earlier = meetings.slice(0, i + 1).map((m) => m.local.id);
      const ups = earlier.map((id) => t.connected.get(id) ?? Number.NaN);
      return Math.max(...ups) - t.started;
    });
    const again = timelines.reduce((sum, t) => sum + [...t.connections.values()].filter((c) => c > 1).length, 0);
    return { welcome: welcomes[Math.floor(welcomes.length / 2)] ?? Number.NaN, arrivals, again };
  },

  /** Where each Meeting stands while connecting: its admission, peers known, connected, highest link generation. */
  progress(): string {
    return meetings
      .map((m) => {
        const peers = [...m.peers.values()];
        return `${m.ownAdmission}:${peers.filter((p) => p.connected).length}/${peers.length}g${Math.max(0, ...peers.map((p) => p.generation))}`;
      })
      .join(' ');
  },

  /** The counters of every connection of every Meeting, read all at once. */
  async sample(): Promise<LinkSample[]> {
    const order = ids();
    // A link torn down for a redial (a busy machine can miss ICE checks) has no connection for
    // a moment, or one that closes while it is read: the read fails and the link is left out
    // (bench-mesh.ts counts it as missing: not flowing).
    const reads = meetings.flatMap((m, local) =>
      [...m.peers.values()].map(async (peer) => {
        const generation = peer.generation;
        const connection = m.linkTo(peer.id)?.connection;
        const stats = connection ? await statsOf(connection).catch(() => null) : null;
        return stats && link(local, order.indexOf(peer.id), peer.id, roles.get(`${m.local.id}>${peer.id}`) ?? 'large', generation, stats);
      }),
    );
    return (await Promise.all(reads)).filter((l): l is LinkSample => l !== null);
  },

  leave(): void {
    for (const v of videos) v.remove();
    for (const m of meetings) m.leave();
    meetings = [];
    videos = [];
    timelines = [];
    roles.clear();
  },
};

declare global {
  interface Window {
    meshBench: typeof bench;
  }
}

window.meshBench = bench;
