/**
 * Message catalogs and the current language. All UI text goes through `t`.
 */
import { de } from './de.js';
import { en, type Catalog, type MessageKey } from './en.js';
import { fr } from './fr.js';

export type { MessageKey } from './en.js';

export const CATALOGS = { en, de, fr } satisfies Record<string, Catalog>;
export type Language = keyof typeof CATALOGS;
export const LANGUAGES = Object.keys(CATALOGS) as Language[];

let current: Language = 'en';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && value in CATALOGS;
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

export function setLanguage(lang: Language): void {
  current = lang;
  document.documentElement.lang = lang;
}

export function language(): Language {
  return current;
}

/** The sentence for `key` in the current language, with `{param}` placeholders filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text: string = CATALOGS[current][key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
