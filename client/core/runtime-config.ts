/**
 * The deployment's settings, read at start from `/config.json` beside the app (so that one
 * built `static/` folder serves any deployment). Optional: without it, the box is at this origin.
 *
 * ```json
 * { "signalingUrls": ["wss://<first box>/ws", "wss://<second box>/ws"], "uploadKbps": 1500 }
 * ```
 */
export interface RuntimeConfig {
  /** The boxes to use, in order of preference; all must share rooms (Redis) if more than one. */
  signalingUrls: string[];
  /**
   * Each participant's total video upload budget in kbit/s, shared among the others (the default
   * is 2,500). An office with a thin shared uplink lowers it; `getStats` may lower it further.
   */
  uploadKbps?: number;
}

/** Below this no budget leaves room for audio plus any video; above it no office uplink is meant. */
export const UPLOAD_KBPS_RANGE = { min: 100, max: 100_000 } as const;

/** The box's WebSocket on the origin that served the app. */
export function sameOriginSignalingUrl(location: Location): string {
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/** Parses a config.json body; null for anything malformed (the defaults apply then). */
export function parseRuntimeConfig(value: unknown, base: string): Partial<RuntimeConfig> | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const { signalingUrls: urls, uploadKbps } = value as { signalingUrls?: unknown; uploadKbps?: unknown };
  const config: Partial<RuntimeConfig> = {};
  if (uploadKbps !== undefined) {
    if (typeof uploadKbps !== 'number' || !Number.isFinite(uploadKbps)) return null;
    if (uploadKbps < UPLOAD_KBPS_RANGE.min || uploadKbps > UPLOAD_KBPS_RANGE.max) return null;
    config.uploadKbps = uploadKbps;
  }
  if (urls === undefined) return config;
  if (!Array.isArray(urls) || urls.length === 0 || urls.length > 16) return null;
  const resolved: string[] = [];
  for (const u of urls) {
    if (typeof u !== 'string') return null;
    try {
      const url = new URL(u, base);
      if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return null;
      resolved.push(url.href);
    } catch {
      return null;
    }
  }
  return { ...config, signalingUrls: resolved };
}

/** Reads /config.json (never cached); falls back to the box at this origin. */
export async function loadRuntimeConfig(location: Location): Promise<RuntimeConfig> {
  const fallback: RuntimeConfig = { signalingUrls: [sameOriginSignalingUrl(location)] };
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    if (!res.ok) return fallback;
    const parsed = parseRuntimeConfig(await res.json(), location.href);
    return { ...fallback, ...parsed };
  } catch {
    return fallback;
  }
}
