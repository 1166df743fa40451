/**
 * Serves the built app from a folder: GET/HEAD only, no directory listings, no path escapes,
 * and the security headers that every page of the app needs (./headers.ts).
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { parseRuntimeConfig } from '../client/core/runtime-config.js';
import { APP_PAGE_HEADERS } from './headers.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Text files worth compressing; scripts/build.ts writes `.br` and `.gz` copies of these. */
export const COMPRESSIBLE_EXTENSIONS: ReadonlySet<string> = new Set(['.html', '.js', '.css', '.json', '.svg', '.webmanifest', '.txt']);

/** Content codings the build writes, best first, each with the suffix of its copy. */
export const ENCODINGS = [
  { coding: 'br', suffix: '.br' },
  { coding: 'gzip', suffix: '.gz' },
] as const;
export type Encoding = (typeof ENCODINGS)[number]['coding'];

/**
 * The Content-Security-Policy for pages from `root`: sockets may also go to the boxes that
 * `config.json` lists, so that an app whose boxes live elsewhere (or which lists several boxes)
 * can reach them. Re-read when config.json changes.
 */
function contentSecurityPolicy(root: string): () => string {
  const base = APP_PAGE_HEADERS['Content-Security-Policy'];
  const file = join(root, 'config.json');
  let seen: number | null = null;
  let policy = base;
  return () => {
    let mtime = -1;
    try {
      mtime = statSync(file).mtimeMs;
    } catch {
      // no config.json: the box at this origin only
    }
    if (mtime === seen) return policy;
    seen = mtime;
    policy = base;
    if (mtime < 0) return policy;
    try {
      // The app's own reading of config.json, so that the policy allows exactly the boxes the
      // app will use: a file the app ignores as malformed adds nothing here either.
      const config = parseRuntimeConfig(JSON.parse(readFileSync(file, 'utf8')), 'http://localhost/');
      const origins = new Set((config?.signalingUrls ?? []).map((u) => new URL(u).origin));
      if (origins.size) policy = base.replace("connect-src 'self'", `connect-src 'self' ${[...origins].join(' ')}`);
    } catch {
      // unreadable JSON: the app falls back to this origin's box, and so does the policy
    }
    return policy;
  };
}

/** Returns an HTTP handler for `root`, or answers false for requests it does not serve. */
export function staticHandler(root: string): (req: IncomingMessage, res: ServerResponse) => boolean {
  const base = resolve(root);
  const csp = contentSecurityPolicy(base);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let path: string;
    try {
      path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    } catch {
      return false;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(base, path));
    if (!file.startsWith(base + sep)) return false;
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) return false;
      size = stat.size;
    } catch {
      return false;
    }
    res.writeHead(200, {
      ...APP_PAGE_HEADERS,
      'Content-Security-Policy': csp(),
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': size,
      // Not content-hashed yet: revalidate every time so that a deploy is picked up at once.
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).on('error', () => res.destroy()).pipe(res);
    return true;
  };
}
