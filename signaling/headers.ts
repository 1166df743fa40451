/**
 * The security headers the box sends. Two sets, because the box sends two kinds of response:
 * the app's own files, which must be allowed to run the app (scripts, camera, sockets), and
 * everything else (404, /healthz, /metrics, errors), which is never meant to be rendered or
 * embedded and so may be allowed nothing at all. docs/privacy.md lists the first set for other
 * static hosts; deploy/nginx/runde-headers.conf repeats it for nginx.
 */

/** The path of a request target, without its query. */
export function pathOf(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at);
}

/**
 * For the app's files (pages, scripts, styles, icons). Strict by default: scripts and styles only
 * from this origin, sockets only to this origin, media only from the page itself (camera, peers).
 * `signaling/static.ts` widens `connect-src` to the boxes that config.json lists.
 * WebAssembly ('wasm-unsafe-eval': compiling it, not eval of strings) runs the background segmenter.
 */
export const APP_PAGE_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; " +
  "media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
  "form-action 'self'; frame-ancestors 'none'";

export const APP_PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': APP_PAGE_CSP,
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Permissions-Policy': 'camera=(self), microphone=(self), display-capture=(self), geolocation=()',
  'Cross-Origin-Opener-Policy': 'same-origin',
});

/**
 * For every response that is not one of the app's files: 404s, /healthz, /metrics, refusals and
 * errors. A browser that opens one of these (or a page that tries to frame, embed or read it from
 * another origin) gets nothing to run, nothing to frame, no sniffing of JSON or text as HTML, and
 * no powerful features.
 */
export const NON_PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  // Other origins' pages may not load these responses as images, scripts or the like.
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), display-capture=(), geolocation=()',
});
