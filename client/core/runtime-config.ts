/**
 * Loads the deployment's settings (`/config.json`) in the browser; the format and its checks are
 * shared with the box in signaling/runtime-config.ts.
 */
import { parseRuntimeConfig, type RuntimeConfig } from '../../signaling/runtime-config.js';

export type { AccessibilityStatement, RuntimeConfig, StatementLanguage } from '../../signaling/runtime-config.js';

/** The box's WebSocket on the origin that served the app. */
export function sameOriginSignalingUrl(location: Location): string {
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/** Reads /config.json (never cached); falls back to the box at this origin. */
export async function loadRuntimeConfig(location: Location): Promise<RuntimeConfig> {
  const fallback: RuntimeConfig = { signalingUrls: [sameOriginSignalingUrl(location)] };
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    if (!res.ok) return fallback;
    const parsed = parseRuntimeConfig(await res.json(), location.href);
    // The deployer's only hint that a typo made the whole file count for nothing.
    if (!parsed) console.warn('Runde: /config.json is malformed and was ignored (see docs/deploy.md).');
    return { ...fallback, ...parsed };
  } catch {
    return fallback;
  }
}
