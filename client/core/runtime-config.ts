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

/** The settings when config.json says nothing: the box beside the app. */
export function defaultRuntimeConfig(location: Location): RuntimeConfig {
  return { signalingUrls: [sameOriginSignalingUrl(location)] };
}

/**
 * Reads config.json beside the app (never cached, and never kept by the service worker): the
 * settings, or null when the app's host did not answer at all. The app tells "the server is
 * down" from this one request; a missing or malformed file is an answer (the defaults apply).
 */
export async function fetchRuntimeConfig(location: Location): Promise<RuntimeConfig | null> {
  const fallback = defaultRuntimeConfig(location);
  let res: Response;
  try {
    res = await fetch(new URL('config.json', location.href), { cache: 'no-store' });
  } catch {
    return null;
  }
  if (!res.ok) return fallback;
  try {
    // A deployer's typo in the brand drops only that field; the console says which.
    const parsed = parseRuntimeConfig(await res.json(), location.href, (message) => console.warn(`Runde: ${message}`));
    // The deployer's only hint that a typo made the whole file count for nothing.
    if (!parsed) console.warn('Runde: config.json is malformed and was ignored (see docs/deploy.md).');
    return { ...fallback, ...parsed };
  } catch {
    return fallback;
  }
}

/** Reads config.json beside the app; falls back to the box beside the app. */
export async function loadRuntimeConfig(location: Location): Promise<RuntimeConfig> {
  return (await fetchRuntimeConfig(location)) ?? defaultRuntimeConfig(location);
}
