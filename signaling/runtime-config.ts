/**
 * The deployment's settings, read at start from `/config.json` beside the app (so that one
 * built `static/` folder serves any deployment). Optional: without it, the box is at this origin.
 *
 * ```json
 * { "signalingUrls": ["wss://<first box>/ws", "wss://<second box>/ws"], "uploadKbps": 1500,
 *   "accessibility": { "contact": "<address>", "date": "2025-06-30", "status": "partial" } }
 * ```
 *
 * Pure and shared: the app reads the file with it (client/core/runtime-config.ts), and the box
 * (static.ts) reads it the same way to allow exactly those boxes in its Content-Security-Policy.
 */
export interface RuntimeConfig {
  /** The boxes to use, in order of preference; all must share rooms (Redis) if more than one. */
  signalingUrls: string[];
  /**
   * Each participant's total video upload budget in kbit/s, shared among the others (the default
   * is 2,500). An office with a thin shared uplink lowers it; `getStats` may lower it further.
   */
  uploadKbps?: number;
  /** What the deployer states on the accessibility page (static/accessibility.html). */
  accessibility?: AccessibilityStatement;
}

/** The languages in which a deployer may word its own known limitations. */
export type StatementLanguage = 'en' | 'de' | 'fr';

/**
 * The deployer's part of the accessibility statement (EU directive 2016/2102, BITV 2.0, RGAA).
 * Every field is optional: the page shows a placeholder sentence for each one left out.
 */
export interface AccessibilityStatement {
  /** The organisation that runs this service. */
  organisation?: string;
  /** Where people report barriers: an e-mail address, a phone number or a postal address. */
  contact?: string;
  /** A form or mailbox for feedback (https:, http: or mailto:). */
  feedbackUrl?: string;
  /** The day the statement was made or last reviewed, `YYYY-MM-DD`. */
  date?: string;
  /** How conformance was assessed. */
  method?: 'self' | 'third-party';
  /** Conformance with WCAG 2.1 AA (EN 301 549, BITV 2.0, RGAA 4.1). */
  status?: 'full' | 'partial' | 'none';
  /** Known barriers beyond Runde's own, per language (the page falls back to any language given). */
  limitations?: Partial<Record<StatementLanguage, string[]>>;
  /** The enforcement body (in Germany the Schlichtungsstelle, in France the Défenseur des droits). */
  enforcementBody?: string;
  /** The enforcement body's web page (https: or http:). */
  enforcementUrl?: string;
}

/** Longest free text a statement field may hold, and most limitations per language. */
export const STATEMENT_TEXT_MAX = 500;
export const STATEMENT_LIMITATIONS_MAX = 30;

/** The most boxes a config may list. */
export const MAX_SIGNALING_URLS = 16;

/** Below this no budget leaves room for audio plus any video; above it no office uplink is meant. */
export const UPLOAD_KBPS_RANGE = { min: 100, max: 100_000 } as const;

/** Parses a config.json body; null for anything malformed (the defaults apply then). */
export function parseRuntimeConfig(value: unknown, base: string): Partial<RuntimeConfig> | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const { signalingUrls: urls, uploadKbps, accessibility } = value as { signalingUrls?: unknown; uploadKbps?: unknown; accessibility?: unknown };
  const config: Partial<RuntimeConfig> = {};
  if (accessibility !== undefined) {
    const statement = parseStatement(accessibility);
    if (!statement) return null;
    config.accessibility = statement;
  }
  if (uploadKbps !== undefined) {
    if (typeof uploadKbps !== 'number' || !Number.isFinite(uploadKbps)) return null;
    if (uploadKbps < UPLOAD_KBPS_RANGE.min || uploadKbps > UPLOAD_KBPS_RANGE.max) return null;
    config.uploadKbps = uploadKbps;
  }
  if (urls === undefined) return config;
  if (!Array.isArray(urls) || urls.length === 0 || urls.length > MAX_SIGNALING_URLS) return null;
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

const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '' && v.length <= STATEMENT_TEXT_MAX;

/** An absolute URL with one of `protocols`, or null. */
function urlWith(v: unknown, protocols: readonly string[]): string | null {
  if (!isText(v)) return null;
  try {
    const url = new URL(v);
    return protocols.includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/** A real calendar day written `YYYY-MM-DD`. */
function isDay(v: unknown): v is string {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v);
}

function parseLimitations(v: unknown): AccessibilityStatement['limitations'] | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const out: Partial<Record<StatementLanguage, string[]>> = {};
  for (const [lang, list] of Object.entries(v)) {
    if (lang !== 'en' && lang !== 'de' && lang !== 'fr') return null;
    if (!Array.isArray(list) || list.length > STATEMENT_LIMITATIONS_MAX || !list.every(isText)) return null;
    out[lang] = list.map((s) => s.trim());
  }
  return out;
}

const STATEMENT_KEYS = new Set(['organisation', 'contact', 'feedbackUrl', 'date', 'method', 'status', 'limitations', 'enforcementBody', 'enforcementUrl']);

/**
 * Checks the deployer's statement strictly: unknown fields, empty or overlong texts, URLs of other
 * schemes and impossible dates make it null (a typo must not publish a half-wrong statement).
 */
export function parseStatement(value: unknown): AccessibilityStatement | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (Object.keys(v).some((k) => !STATEMENT_KEYS.has(k))) return null;
  const s: AccessibilityStatement = {};
  for (const key of ['organisation', 'contact', 'enforcementBody'] as const) {
    if (v[key] === undefined) continue;
    if (!isText(v[key])) return null;
    s[key] = (v[key] as string).trim();
  }
  for (const [key, protocols] of [
    ['feedbackUrl', ['https:', 'http:', 'mailto:']],
    ['enforcementUrl', ['https:', 'http:']],
  ] as const) {
    if (v[key] === undefined) continue;
    const url = urlWith(v[key], protocols);
    if (!url) return null;
    s[key] = url;
  }
  if (v.date !== undefined) {
    if (!isDay(v.date)) return null;
    s.date = v.date;
  }
  if (v.method !== undefined) {
    if (v.method !== 'self' && v.method !== 'third-party') return null;
    s.method = v.method;
  }
  if (v.status !== undefined) {
    if (v.status !== 'full' && v.status !== 'partial' && v.status !== 'none') return null;
    s.status = v.status;
  }
  if (v.limitations !== undefined) {
    const limitations = parseLimitations(v.limitations);
    if (!limitations) return null;
    s.limitations = limitations;
  }
  return s;
}
