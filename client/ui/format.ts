/** Numbers, sizes and times in the current language, through Intl; a name's initial. */
import { language } from '../i18n/index.js';

export function formatTime(at: number): string {
  return new Intl.DateTimeFormat(language(), { hour: '2-digit', minute: '2-digit' }).format(at);
}

/** The first letter of a name (a whole emoji or accented letter), for avatars; '?' for none. */
export function initial(name: string): string {
  return [...name.trim()][0]?.toUpperCase() ?? '?';
}

export function formatNumber(n: number, digits = 0): string {
  return new Intl.NumberFormat(language(), { maximumFractionDigits: digits }).format(n);
}
