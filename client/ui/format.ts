/** Numbers, sizes and times in the current language, through Intl. */
import { language } from '../i18n/index.js';

export function formatTime(at: number): string {
  return new Intl.DateTimeFormat(language(), { hour: '2-digit', minute: '2-digit' }).format(at);
}

export function formatNumber(n: number, digits = 0): string {
  return new Intl.NumberFormat(language(), { maximumFractionDigits: digits }).format(n);
}
