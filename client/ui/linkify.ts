/**
 * Chat text with its web links made clickable, safely: the text is rendered by Lit (escaped,
 * never parsed as HTML), only http(s) URLs become links, and they open with rel=noopener.
 */
import { html, type TemplateResult } from 'lit';

const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;
/** Punctuation that usually ends a sentence rather than a URL. */
const TRAILING = /[.,;:!?)\]]+$/;

export function linkify(text: string): Array<string | TemplateResult> {
  const parts: Array<string | TemplateResult> = [];
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    let url = match[0];
    const trail = TRAILING.exec(url)?.[0] ?? '';
    url = url.slice(0, url.length - trail.length);
    const start = match.index!;
    parts.push(text.slice(last, start));
    parts.push(html`<a href=${url} target="_blank" rel="noopener noreferrer">${url}</a>`);
    last = start + url.length;
  }
  parts.push(text.slice(last));
  return parts.filter((p) => p !== '');
}
