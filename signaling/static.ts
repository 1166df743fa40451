/**
 * Serves the built app from a folder the way nginx would: GET/HEAD only, no directory listings,
 * no path escapes, the security headers every page of the app needs, the build's precompressed
 * copies by `Accept-Encoding`, and caching that lets hashed chunks be kept for good while
 * everything else is revalidated cheaply (ETag, 304).
 */
import { closeSync, createReadStream, fstatSync, openSync, readFileSync, statSync, type Stats } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { parseRuntimeConfig } from './runtime-config.js';
import { APP_PAGE_CSP, APP_PAGE_HEADERS, pathOf } from './headers.js';

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
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Files worth compressing (text, and the background segmenter's WebAssembly and model: 13 MB of
 * WASM become 3.9 MB gzip); scripts/build.ts writes `.br` and `.gz` copies of these.
 */
export const COMPRESSIBLE_EXTENSIONS: ReadonlySet<string> = new Set(['.html', '.js', '.css', '.json', '.svg', '.webmanifest', '.txt', '.wasm', '.tflite']);

/** Content codings the build writes, best first, each with the suffix of its copy. */
export const ENCODINGS = [
  { coding: 'br', suffix: '.br' },
  { coding: 'gzip', suffix: '.gz' },
] as const;
export type Encoding = (typeof ENCODINGS)[number]['coding'];

/** A year, the longest lifetime caches honour: chunk names change whenever their content does. */
const IMMUTABLE_MAX_AGE_S = 31_536_000;
/** esbuild's `chunk-[hash]` names (scripts/build.ts): the name is a hash of the content. */
const HASHED_CHUNK = /^\/build\/chunk-[A-Za-z0-9]+\.js$/;
/** The copies are representations of another file, not resources of their own. */
const PRECOMPRESSED = /\.(br|gz)$/;

/**
 * The content codings a client accepts, among those the build writes, in the order to try
 * them: by the client's q-value, then by ours (brotli is smaller). No header, or q=0, means
 * identity only; `*` stands for every coding the client did not name.
 */
export function acceptedEncodings(header: string | undefined): Encoding[] {
  if (!header) return [];
  const q = new Map<string, number>();
  for (const item of header.split(',')) {
    const [name, ...params] = item.split(';').map((s) => s.trim().toLowerCase());
    if (!name) continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const value = qParam === undefined ? 1 : Number(qParam.slice(2));
    // A malformed q-value is read as "not acceptable": better an uncompressed answer than a wrong one.
    q.set(name === 'x-gzip' ? 'gzip' : name, Number.isFinite(value) && value >= 0 && value <= 1 ? value : 0);
  }
  const weight = (coding: Encoding) => q.get(coding) ?? q.get('*') ?? 0;
  return ENCODINGS.map((e) => e.coding)
    .filter((coding) => weight(coding) > 0)
    .sort((a, b) => weight(b) - weight(a)); // stable: ties keep our order
}

interface Representation {
  file: string;
  stat: Stats;
  coding?: Encoding;
}

/**
 * The file to send for `file`: the first accepted copy that exists and is at least as new as
 * the original (the build writes each copy after its original; `gzip -k` gives it the same
 * mtime), else the original. A deployer who edits index.html or config.json after the build
 * thus never gets a stale copy served.
 */
function representation(file: string, original: Stats, headers: IncomingHttpHeaders): Representation {
  for (const coding of acceptedEncodings(headers['accept-encoding'])) {
    const copy = file + ENCODINGS.find((e) => e.coding === coding)!.suffix;
    const stat = statSync(copy, { throwIfNoEntry: false });
    if (stat?.isFile() && stat.mtimeMs >= original.mtimeMs) return { file: copy, stat, coding };
  }
  return { file, stat: original };
}

/** Strong, from size and mtime as nginx makes them; the coding keeps two copies' tags apart. */
const entityTag = ({ stat, coding }: Pick<Representation, 'stat' | 'coding'>) =>
  `"${Math.floor(stat.mtimeMs).toString(16)}-${stat.size.toString(16)}${coding ? `-${coding}` : ''}"`;

/** True when the client's cached copy is still this one (RFC 9110 13.1.2 and 13.1.3). */
function notModified(headers: IncomingHttpHeaders, etag: string, lastModified: Stats): boolean {
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    // Weak comparison, as GET and HEAD allow: W/"x" matches "x".
    const tags = ifNoneMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.includes('*') || tags.includes(etag);
  }
  const since = Date.parse(headers['if-modified-since'] ?? '');
  return Number.isFinite(since) && Math.floor(lastModified.mtimeMs / 1000) * 1000 <= since;
}

/**
 * The Content-Security-Policy for pages from `root`: sockets may also go to the boxes that
 * `config.json` lists, so that an app whose boxes live elsewhere (or which lists several boxes)
 * can reach them. Re-read when config.json changes.
 */
function contentSecurityPolicy(root: string): () => string {
  const base = APP_PAGE_CSP;
  const file = join(root, 'config.json');
  let seen: number | null = null;
  let policy = base;
  return () => {
    const mtime = statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1; // none: this origin's box only
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

/** The file under `base` that `url` names, or null for what this handler does not serve. */
function fileFor(base: string, url: string | undefined): { path: string; file: string; stat: Stats } | null {
  let path: string;
  try {
    path = decodeURIComponent(pathOf(url ?? '/'));
  } catch {
    return null;
  }
  if (path.endsWith('/')) path += 'index.html';
  // A request for a copy itself would be served with the wrong type and no Content-Encoding.
  if (PRECOMPRESSED.test(path)) return null;
  const file = normalize(join(base, path));
  if (!file.startsWith(base + sep)) return null;
  const stat = statSync(file, { throwIfNoEntry: false });
  return stat?.isFile() ? { path, file, stat } : null;
}

/** Sends `chosen` as the body, with a Content-Length that matches the bytes actually sent. */
function sendFile(res: ServerResponse, chosen: Representation, headers: Record<string, string | number>, head: boolean): void {
  let fd: number;
  try {
    fd = openSync(chosen.file, 'r');
  } catch {
    res.writeHead(500, headers).end();
    return;
  }
  // The open file, not the name: a deploy that replaces the file meanwhile cannot change the length.
  const size = fstatSync(fd).size;
  res.writeHead(200, { ...headers, 'Content-Length': size });
  if (head || size === 0) {
    closeSync(fd);
    res.end();
    return;
  }
  // pipeline: a client that goes away mid-file destroys the stream, which closes the file.
  pipeline(createReadStream('', { fd, start: 0, end: size - 1 }), res, () => {});
}

/** Returns an HTTP handler for `root`, or answers false for requests it does not serve. */
export function staticHandler(root: string): (req: IncomingMessage, res: ServerResponse) => boolean {
  const base = resolve(root);
  const csp = contentSecurityPolicy(base);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const found = fileFor(base, req.url);
    if (!found) return false;
    const compressible = COMPRESSIBLE_EXTENSIONS.has(extname(found.file));
    const chosen = compressible ? representation(found.file, found.stat, req.headers) : { file: found.file, stat: found.stat };
    const etag = entityTag(chosen);
    const headers: Record<string, string | number> = {
      ...APP_PAGE_HEADERS,
      'Content-Security-Policy': csp(),
      'Content-Type': CONTENT_TYPES[extname(found.file)] ?? 'application/octet-stream',
      // Hashed chunks never change under their name; everything else is revalidated so that a
      // deploy shows at once, and the ETag makes that a 304 without a body.
      'Cache-Control': HASHED_CHUNK.test(found.path) ? `public, max-age=${IMMUTABLE_MAX_AGE_S}, immutable` : 'no-cache',
      ETag: etag,
      'Last-Modified': found.stat.mtime.toUTCString(),
      // Caches must keep the copies apart, also the uncompressed answer to a client without brotli.
      ...(compressible && { Vary: 'Accept-Encoding' }),
      ...(chosen.coding && { 'Content-Encoding': chosen.coding }),
    };
    if (notModified(req.headers, etag, found.stat)) {
      // No body, so nothing to describe: a cache keeps the type and coding of the copy it has.
      delete headers['Content-Type'];
      delete headers['Content-Encoding'];
      res.writeHead(304, headers).end();
      return true;
    }
    sendFile(res, chosen, headers, req.method === 'HEAD');
    return true;
  };
}
