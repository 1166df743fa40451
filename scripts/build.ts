/**
 * Builds Runde: the browser app into static/build/ and static/sw.js, and the box into dist/.
 *
 *   tsx scripts/build.ts              one build, without source maps for the app
 *   tsx scripts/build.ts --sourcemap  one build, with the app's source maps (served with it)
 *   tsx scripts/build.ts --watch      rebuild the app on change, with source maps
 *   tsx scripts/build.ts --vendor     also pre-bundle simple-peer as ESM for the browser tests
 */
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STATIC_DIR = join(ROOT, 'static');

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
  // Whatever is in static/ is served (`npm start`): maps only when asked for (--sourcemap, dev).
  sourcemap: false,
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
  sourcemap: true, // dist/ is not served: the box's stack traces may point into its sources
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

export interface AppBuildOptions {
  /** The folder that is served: static/ by default. The app goes to its build/ and sw.js. */
  staticDir?: string;
  /** Also write source maps (`.map`) beside the scripts, and link them from the scripts. */
  sourcemap?: boolean;
}

/**
 * Builds static/sw.js for the app build in `meta`: its version is a hash of every file of the
 * shell, so any change of the app installs a new service worker.
 */
export async function buildServiceWorker(meta: esbuild.Metafile, { staticDir = STATIC_DIR, sourcemap = false }: AppBuildOptions = {}): Promise<void> {
  const scripts = Object.keys(meta.outputs)
    .filter((f) => f.endsWith('.js'))
    .map((f) => `/${relative(staticDir, resolve(ROOT, f))}`);
  const shell = [...SHELL_FILES, ...scripts];
  const hash = createHash('sha256');
  for (const path of shell) hash.update(readFileSync(join(staticDir, path === '/' ? 'index.html' : path)));
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['client/sw.ts'],
    outfile: join(staticDir, 'sw.js'),
    bundle: true,
    minify: true,
    sourcemap,
    target: 'chrome100',
    logLevel: 'warning',
    define: { RUNDE_VERSION: JSON.stringify(hash.digest('hex').slice(0, 16)), RUNDE_SHELL: JSON.stringify(shell) },
  });
}

/** The app into `staticDir`: scripts and service worker. */
export async function buildApp({ staticDir = STATIC_DIR, sourcemap = false }: AppBuildOptions = {}): Promise<esbuild.Metafile> {
  rmSync(join(staticDir, 'build'), { recursive: true, force: true }); // no stale chunks in the shell
  rmSync(join(staticDir, 'sw.js.map'), { force: true }); // nor a map from an earlier --sourcemap build
  const app = await esbuild.build({ ...APP_BUILD, outdir: join(staticDir, 'build'), sourcemap });
  await buildServiceWorker(app.metafile!, { staticDir, sourcemap });
  return app.metafile!;
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  if (args.has('--vendor')) await esbuild.build(VENDOR_BUILD);
  if (args.has('--watch')) {
    const ctx = await esbuild.context({ ...APP_BUILD, sourcemap: true, logLevel: 'info' });
    await ctx.watch();
    return;
  }
  await Promise.all([buildApp({ sourcemap: args.has('--sourcemap') }), esbuild.build(SERVER_BUILD)]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
