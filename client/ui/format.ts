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

const SIZE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** "5.2 MB" in the current language (decimal units, as the unit names say). */
export function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return new Intl.NumberFormat(language(), { style: 'unit', unit: SIZE_UNITS[unit], maximumFractionDigits: digits }).format(value);
}
