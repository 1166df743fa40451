/**
 * Loads the deployment's settings (`config.json` beside the app) in the browser; the format and its checks are
 * shared with the box in signaling/runtime-config.ts.
 */
import { parseRuntimeConfig, type RuntimeConfig } from '../../signaling/runtime-config.js';

export type { AccessibilityStatement, Brand, RuntimeConfig, StatementLanguage } from '../../signaling/runtime-config.js';

/** The box's WebSocket beside the app (`/ws` for an app at the root, `/runde/ws` under `/runde/`). */
export function sameOriginSignalingUrl(location: Location): string {
  const url = new URL('ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/** Reads config.json beside the app (never cached); falls back to the box beside the app. */
export async function loadRuntimeConfig(location: Location): Promise<RuntimeConfig> {
  const fallback: RuntimeConfig = { signalingUrls: [sameOriginSignalingUrl(location)] };
  try {
    const res = await fetch(new URL('config.json', location.href), { cache: 'no-store' });
    if (!res.ok) return fallback;
    // A deployer's typo in the brand drops only that field; the console says which.
    const parsed = parseRuntimeConfig(await res.json(), location.href, (message) => console.warn(`Runde: ${message}`));
    // The deployer's only hint that a typo made the whole file count for nothing.
    if (!parsed) console.warn('Runde: config.json is malformed and was ignored (see docs/deploy.md).');
    return { ...fallback, ...parsed };
  } catch {
    return fallback;
  }
}
