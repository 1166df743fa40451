/**
 * Message catalogs and the current language. All UI text goes through `t`.
 */
import { en, type Catalog, type MessageKey } from './en.js';

export type { Catalog, MessageKey } from './en.js';

/** English is built in (and the fallback); the others are fetched only when chosen. */
const LOADERS = {
  en: async () => en,
  de: async () => (await import('./de.js')).de,
  fr: async () => (await import('./fr.js')).fr,
} satisfies Record<string, () => Promise<Catalog>>;
export type Language = keyof typeof LOADERS;
export const LANGUAGES = Object.keys(LOADERS) as Language[];

let current: Language = 'en';
let catalog: Catalog = en;

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && Object.hasOwn(LOADERS, value);
}

/** The catalog of `lang` (a separate chunk for all but English). */
export function loadCatalog(lang: Language): Promise<Catalog> {
  return LOADERS[lang]();
}

/**
 * The language to use: `?lang=` first, then the saved choice, then the browser's languages in
 * order of preference (`de-AT` counts as `de`), then English.
 */
export function pickLanguage(query: string | null, saved: string | null, browser: readonly string[]): Language {
  for (const candidate of [query, saved, ...browser]) {
    const base = candidate?.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

/** Switches the UI to `lang` once its catalog has loaded (English if it cannot load). */
export async function setLanguage(lang: Language): Promise<void> {
  try {
    catalog = await loadCatalog(lang);
    current = lang;
  } catch {
    catalog = en;
    current = 'en';
  }
  document.documentElement.lang = current;
}

export function language(): Language {
  return current;
}

/** The names of the languages, each in itself (for the picker). */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', de: 'Deutsch', fr: 'Français' };

/**
 * The sentence for `key` in the current language, with `{param}` placeholders filled in;
 * numbers are written the way the language writes them.
 */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  return translate(catalog, current, key, params);
}

/**
 * The sentence for `key` from a catalog of `lang` that need not be the UI's (an invitation in
 * the meeting's language while the page speaks another).
 */
export function translate(from: Catalog, lang: Language, key: MessageKey, params: Record<string, string | number> = {}): string {
  const text: string = from[key] ?? en[key];
  const numbers = new Intl.NumberFormat(lang);
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? numbers.format(value) : value;
  });
}

/** Keys that have a plural form per Intl.PluralRules category (`.one`, `.other`, …). */
type PluralBase = MessageKey extends infer K ? (K extends `${infer B}.other` ? B : never) : never;

/** The sentence for `count` of something: `<key>.one`, `<key>.other`, … as the language needs. */
export function plural(key: PluralBase, count: number, params: Record<string, string | number> = {}): string {
  const category = new Intl.PluralRules(current).select(count);
  const specific = `${key}.${category}` as MessageKey;
  return t(specific in catalog ? specific : (`${key}.other` as MessageKey), { count, ...params });
}
