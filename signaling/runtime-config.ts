/**
 * The deployment's settings, read at start from `/config.json` beside the app (so that one
 * built `static/` folder serves any deployment). Optional: without it, the box is at this origin.
 *
 * ```json
 * { "signalingUrls": ["wss://<first box>/ws", "wss://<second box>/ws"], "uploadKbps": 1500,
 *   "accessibility": { "contact": "<address>", "date": "2025-06-30", "status": "partial" },
 *   "brand": { "name": "Stadt Musterstadt", "logo": "brand/logo.svg", "colour": "#7a1f5c" } }
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
  /** The deploying office's name, logo and colour on the start page and buttons. */
  brand?: Brand;
}

/**
 * A deployment's brand. Each field is checked on its own: an invalid one is dropped (with a
 * warning that names it) and the rest still counts, since a wrong colour must not cost an office
 * its box list.
 */
export interface Brand {
  /** The office's name, shown before "Runde" (trimmed, 1 to BRAND_NAME_MAX characters). */
  name?: string;
  /** An image beside the app (a relative path such as `brand/logo.svg`), so the CSP's 'self' covers it. */
  logo?: string;
  /** `#rrggbb`, lower case, dark enough for white text (BRAND_MIN_CONTRAST); it replaces the accent. */
  colour?: string;
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

/** Longest brand name, in characters. */
export const BRAND_NAME_MAX = 60;
/** Longest logo path. */
export const BRAND_LOGO_MAX = 200;
/** The least contrast of white text on the brand colour (WCAG AA for normal text). */
export const BRAND_MIN_CONTRAST = 4.5;

/**
 * Parses a config.json body; null for anything malformed (the defaults apply then). A `brand`
 * is the exception: its invalid fields are dropped one by one, each reported through `warn`.
 */
export function parseRuntimeConfig(value: unknown, base: string, warn: (message: string) => void = () => {}): Partial<RuntimeConfig> | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const config = parseStrictParts(value as Record<string, unknown>, base);
  if (!config) return null;
  const brand = (value as { brand?: unknown }).brand;
  if (brand === undefined) return config;
  const parsed = parseBrand(brand, warn);
  return parsed ? { ...config, brand: parsed } : config;
}

/** The parts of config.json that count for nothing if any of them is wrong. */
function parseStrictParts(value: Record<string, unknown>, base: string): Partial<RuntimeConfig> | null {
  const { signalingUrls: urls, uploadKbps, accessibility } = value;
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

/**
 * Reads a brand field by field; null when nothing of it is usable. Each dropped field (or the
 * whole brand, if it is no object) is named in one `warn` call.
 */
export function parseBrand(value: unknown, warn: (message: string) => void = () => {}): Brand | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    warn('config.json: "brand" was ignored: it must be an object with "name", "logo" and/or "colour".');
    return null;
  }
  const brand: Brand = {};
  for (const [key, v] of Object.entries(value)) {
    if (!Object.hasOwn(BRAND_FIELDS, key)) {
      warn(`config.json: "brand.${key}" was ignored: not a known field (known: ${Object.keys(BRAND_FIELDS).join(', ')}).`);
      continue;
    }
    const result = BRAND_FIELDS[key as keyof Brand](v);
    if (typeof result === 'object') warn(`config.json: "brand.${key}" was ignored: ${result.problem}.`);
    else brand[key as keyof Brand] = result;
  }
  return Object.keys(brand).length ? brand : null;
}

type FieldCheck = (v: unknown) => string | { problem: string };

const BRAND_FIELDS: Record<keyof Brand, FieldCheck> = { name: brandName, logo: brandLogo, colour: brandColour };

/** C0 and C1 controls, and the bidirectional overrides that could reorder the text around it. */
const CONTROL_CHARS = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

function brandName(v: unknown): string | { problem: string } {
  if (typeof v !== 'string') return { problem: 'it must be text' };
  const name = v.trim();
  const length = [...name].length;
  if (length < 1 || length > BRAND_NAME_MAX) return { problem: `it must be 1 to ${BRAND_NAME_MAX} characters long` };
  if (CONTROL_CHARS.test(name)) return { problem: 'it contains control characters' };
  return name;
}

/**
 * A path relative to the app, in plain characters only: no scheme, no host (`//`), no way up
 * (`..`), no backslash (browsers read it as `/`), no query, fragment or %-escapes.
 */
const LOGO_PATH = /^[A-Za-z0-9_-][A-Za-z0-9._/-]*\.(svg|png|webp)$/i;

function brandLogo(v: unknown): string | { problem: string } {
  const ok = typeof v === 'string' && v.length <= BRAND_LOGO_MAX && LOGO_PATH.test(v) && !v.includes('//') && !v.includes('..');
  return ok ? v : { problem: 'it must be a relative path beside the app such as "brand/logo.svg" (no "//", no "..", ending .svg, .png or .webp)' };
}

function brandColour(v: unknown): string | { problem: string } {
  if (typeof v !== 'string' || !/^#[0-9a-f]{6}$/i.test(v)) return { problem: 'it must be a colour written "#rrggbb"' };
  const contrast = contrastWithWhite(v);
  if (contrast < BRAND_MIN_CONTRAST) {
    return { problem: `white text on it has a contrast of ${contrast.toFixed(2)}:1, below ${BRAND_MIN_CONTRAST}:1; choose a darker colour` };
  }
  return v.toLowerCase();
}

/** The WCAG 2 contrast ratio of white on `#rrggbb`. */
export function contrastWithWhite(hex: string): number {
  const linear = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * linear(1) + 0.7152 * linear(3) + 0.0722 * linear(5);
  return 1.05 / (luminance + 0.05);
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
