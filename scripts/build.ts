/**
 * Builds Runde: the browser app into static/build/ and the box into dist/.
 *
 *   tsx scripts/build.ts            one build
 *   tsx scripts/build.ts --watch    rebuild the app on change (used by `npm run dev`)
 *   tsx scripts/build.ts --vendor   also pre-bundle simple-peer as ESM for the browser tests
 */
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What simple-peer needs to run in a browser (see TESTING.md). */
export const NODE_GLOBALS_SHIM: Pick<esbuild.BuildOptions, 'define' | 'inject' | 'alias'> = {
  define: { global: 'globalThis' },
  inject: [`${ROOT}client/shims/process.ts`],
  alias: { debug: `${ROOT}client/shims/debug.cjs` },
};

export const APP_BUILD: esbuild.BuildOptions = {
  absWorkingDir: ROOT,
  entryPoints: { app: 'client/main.ts', accessibility: 'client/accessibility.ts' },
  outdir: 'static/build',
  bundle: true,
  format: 'esm',
  // The call's code is a chunk of its own, loaded while the lobby is open (client/ui/call-bundle.ts).
  splitting: true,
  chunkNames: 'chunk-[hash]',
  metafile: true,
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: true,
  legalComments: 'external',
  logLevel: 'warning',
  ...NODE_GLOBALS_SHIM,
};

export const SERVER_BUILD: esbuild.BuildOptions = {
  absWorkingDir: ROOT,
  entryPoints: { server: 'signaling/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
};

/** simple-peer as one ES module, for test pages served raw by @web/test-runner. */
export const VENDOR_BUILD: esbuild.BuildOptions = {
  absWorkingDir: ROOT,
  stdin: { contents: "import Peer from 'simple-peer'; export default Peer;", resolveDir: ROOT },
  outfile: '.tmp/vendor/simple-peer.js',
  bundle: true,
  format: 'esm',
  target: 'chrome100',
  logLevel: 'warning',
  ...NODE_GLOBALS_SHIM,
};

/** Files of the app shell besides the scripts; the service worker keeps them for offline starts. */
const SHELL_FILES = ['/', '/accessibility.html', '/app.css', '/manifest.webmanifest', '/icon.svg', '/icon-192.png', '/icon-512.png', '/icon-maskable-512.png'];

/**
 * Builds static/sw.js for the app build in `meta`: its version is a hash of every file of the
 * shell, so any change of the app installs a new service worker.
 */
export async function buildServiceWorker(meta: esbuild.Metafile): Promise<void> {
  const scripts = Object.keys(meta.outputs)
    .filter((f) => f.endsWith('.js'))
    .map((f) => `/${f.replace(/^static\//, '')}`);
  const shell = [...SHELL_FILES, ...scripts];
  const hash = createHash('sha256');
  for (const path of shell) hash.update(readFileSync(`${ROOT}static${path === '/' ? '/index.html' : path}`));
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['client/sw.ts'],
    outfile: 'static/sw.js',
    bundle: true,
    minify: true,
    target: 'chrome100',
    logLevel: 'warning',
    define: { RUNDE_VERSION: JSON.stringify(hash.digest('hex').slice(0, 16)), RUNDE_SHELL: JSON.stringify(shell) },
  });
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  if (args.has('--vendor')) await esbuild.build(VENDOR_BUILD);
  if (args.has('--watch')) {
    const ctx = await esbuild.context({ ...APP_BUILD, logLevel: 'info' });
    await ctx.watch();
    return;
  }
  rmSync(`${ROOT}static/build`, { recursive: true, force: true }); // no stale chunks in the shell
  const [app] = await Promise.all([esbuild.build(APP_BUILD), esbuild.build(SERVER_BUILD)]);
  await buildServiceWorker(app.metafile!);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
