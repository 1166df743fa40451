/**
 * Injected by `npm run bench:mesh` into the real app's page before it loads (bundled as a
 * classic script, evaluateOnNewDocument): it keeps every RTCPeerConnection the app makes, so that
 * the bench can read their counters, and reads what each remote tile shows and whether it plays. Nothing in the app
 * knows of it; it changes no behaviour.
 */
import { LARGE_VIEW_HEIGHT, type ViewRole } from '../../client/core/bandwidth.js';
import { link, statsOf, type LinkSample } from './link-sample.js';

/** What one remote camera tile presented so far. */
export interface TileSample {
  peer: string;
  role: ViewRole;
  /** Video frames presented (getVideoPlaybackQuality), at `at` on the page's clock (ms). */
  frames: number;
  at: number;
}

export interface AppSample {
  links: LinkSample[];
  tiles: TileSample[];
}

const connections: RTCPeerConnection[] = [];
const Original = globalThis.RTCPeerConnection;
globalThis.RTCPeerConnection = class extends Original {
  constructor(config?: RTCConfiguration) {
    super(config);
    connections.push(this);
  }
};

/** Every runde-tile of a remote camera, through the shadow roots. */
function remoteTiles(root: Document | ShadowRoot = document, out: HTMLElement[] = []): HTMLElement[] {
  for (const el of root.querySelectorAll<HTMLElement>('*')) {
    if (el.tagName === 'RUNDE-TILE' && el.getAttribute('peer')) out.push(el);
    if (el.shadowRoot) remoteTiles(el.shadowRoot, out);
  }
  return out;
}

/** The remote tiles whose video plays: shown, with frames, not paused. */
function playingRemoteTiles(): number {
  return remoteTiles().filter((tile) => {
    const v = tile.shadowRoot?.querySelector('video');
    return !!v?.srcObject && !v.hidden && v.videoWidth > 0 && v.readyState >= 2 && !v.paused;
  }).length;
}

async function sample(): Promise<AppSample> {
  const open = connections.map((c, i) => [c, `pc${i}`] as const).filter(([c]) => c.connectionState !== 'closed');
  // The role is the tiles' business (below): the connections do not say whose they are.
  const links = await Promise.all(open.map(async ([c, name]) => link(0, -1, name, 'large', 0, await statsOf(c))));
  const tiles = remoteTiles().map((tile): TileSample => {
    const video = tile.shadowRoot?.querySelector('video');
    const prominent = (tile as HTMLElement & { prominent?: boolean }).prominent === true;
    return {
      peer: tile.getAttribute('peer') ?? '',
      role: prominent || tile.getBoundingClientRect().height >= LARGE_VIEW_HEIGHT ? 'large' : 'thumbnail',
      frames: video?.getVideoPlaybackQuality().totalVideoFrames ?? 0,
      at: performance.now(),
    };
  });
  return { links, tiles };
}

(globalThis as unknown as { rundeProbe: unknown }).rundeProbe = { sample, playingRemoteTiles };
