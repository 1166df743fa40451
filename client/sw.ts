/**
 * Runde's service worker: keeps the versioned app shell (page, CSS, scripts, icons) so that the
 * app starts without a network, to a clear "no connection" screen, and installs as an app.
 * Never caches the socket, health, metrics or runtime configuration. A new version installs
 * beside the old one and takes over when no tab uses the old one any more, so a running meeting
 * never mixes versions; its old cache is then deleted.
 */

// Filled in by scripts/build.ts: a hash of the build, and the files of the app shell.
declare const RUNDE_VERSION: string;
declare const RUNDE_SHELL: string[];

// The DOM typings do not describe a worker's scope; these few shapes are all this file uses.
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(r: Promise<Response>): void;
}
interface WorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (e: FetchEvent) => void): void;
  clients: { claim(): Promise<void> };
  location: Location;
}
const sw = self as unknown as WorkerScope;

const PREFIX = 'runde-shell-';
const CACHE = `${PREFIX}${RUNDE_VERSION}`;
/** Where the app lives: `/` at a root, `/runde/` under a path (the folder of this script). */
const BASE = new URL('./', sw.location.href).pathname;
/** Paths that must always come from the network. */
const NEVER = new Set(['ws', 'healthz', 'metrics', 'config.json'].map((p) => BASE + p));

sw.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(RUNDE_SHELL)));
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith(PREFIX) && key !== CACHE) await caches.delete(key);
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== sw.location.origin || NEVER.has(url.pathname)) return;
  if (request.mode === 'navigate') {
    // The page itself: fresh when online (a deploy shows at once), the kept shell when offline.
    // The accessibility statement is a page of its own; every other path is the app.
    const page = url.pathname === `${BASE}accessibility.html` ? 'accessibility.html' : './';
    event.respondWith(fetch(request).catch(async () => (await caches.match(page, { cacheName: CACHE })) ?? Response.error()));
    return;
  }
  event.respondWith(caches.match(request, { cacheName: CACHE }).then((hit) => hit ?? fetch(request)));
});
