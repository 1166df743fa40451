/**
 * Builds Runde: the browser app into static/build/ and static/sw.js, brotli and gzip copies of
 * every text file in static/ beside it, and the box into dist/.
 *
 *   tsx scripts/build.ts              one build, without source maps for the app
 *   tsx scripts/build.ts --sourcemap  one build, with the app's source maps (served with it)
 *   tsx scripts/build.ts --watch      rebuild the app on change, with source maps, no copies
 *   tsx scripts/build.ts --vendor     also pre-bundle simple-peer as ESM, and copy the segmenter, for the browser tests
 */
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { COMPRESSIBLE_EXTENSIONS, ENCODINGS, type Encoding } from '../signaling/static.js';
import { imageMetadata, withMetadata } from './segmenter-model.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STATIC_DIR = join(ROOT, 'static');

/** The smallest each format makes: a build can afford the time, and every visit gains the bytes. */
const BROTLI_QUALITY = 11;
/**
 * For files above LARGE_FILE_BYTES (the segmenter's 13 MB of WASM): quality 11 takes 27 s for one
 * of them and gives 2.7 MB; 9 takes 2 s and gives 3.1 MB (gzip: 3.9 MB).
 */
const BROTLI_QUALITY_LARGE = 9;
const LARGE_FILE_BYTES = 1 << 20;
const GZIP_LEVEL = 9;

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

/**
 * Files of the app shell besides the scripts; the service worker keeps them for offline starts.
 * Relative to the service worker, so that the app works under any path (`/runde/`) as at a root.
 */
const SHELL_FILES = ['./', 'accessibility.html', 'app.css', 'manifest.webmanifest', 'icon.svg', 'icon-192.png', 'icon-512.png', 'icon-maskable-512.png'];

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
  // Not the background effect's chunk (with tasks-vision): most visits never load it.
  const scripts = Object.keys(meta.outputs)
    .filter((f) => f.endsWith('.js') && !Object.keys(meta.outputs[f]!.inputs).some((i) => i.includes('@mediapipe/')))
    .map((f) => relative(staticDir, resolve(ROOT, f)));
  const shell = [...SHELL_FILES, ...scripts];
  const hash = createHash('sha256');
  for (const path of shell) hash.update(readFileSync(join(staticDir, path === './' ? 'index.html' : path)));
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

/** `data` as the build writes it for `coding`: what a client that accepts it is sent. */
export const COMPRESS: Readonly<Record<Encoding, (data: Buffer) => Promise<Buffer>>> = {
  br: (data) =>
    promisify(brotliCompress)(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: data.length > LARGE_FILE_BYTES ? BROTLI_QUALITY_LARGE : BROTLI_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }),
  gzip: (data) => promisify(gzip)(data, { level: GZIP_LEVEL }),
};

/**
 * Writes a `.br` and a `.gz` copy of every compressible file under `dir` (what
 * signaling/static.ts and nginx's gzip_static/brotli_static serve by Accept-Encoding), each
 * after its original, so that it is at least as new. A copy that would not be smaller is not
 * written, and an old one is removed. Returns the copies written.
 */
export async function precompress(dir: string): Promise<string[]> {
  const files = (readdirSync(dir, { recursive: true }) as string[])
    .map((f) => join(dir, f))
    .filter((f) => COMPRESSIBLE_EXTENSIONS.has(extname(f)) && statSync(f).isFile());
  const written = await Promise.all(
    files.map(async (file) => {
      const data = await readFile(file);
      const copies = await Promise.all(
        ENCODINGS.map(async ({ coding, suffix }) => {
          const packed = await COMPRESS[coding](data);
          if (packed.length >= data.length) {
            await rm(file + suffix, { force: true });
            return [];
          }
          await writeFile(file + suffix, packed);
          return [file + suffix];
        }),
      );
      return copies.flat();
    }),
  );
  return written.flat();
}

/**
 * The background effect's worker (client/core/background-worker.ts) into `outfile`: a classic
 * script, because tasks-vision loads its WASM runner with importScripts, which module workers lack.
 */
export async function buildBackgroundWorker(outfile: string, minify = true): Promise<void> {
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['client/core/background-worker.ts'],
    outfile,
    bundle: true,
    format: 'iife',
    target: APP_BUILD.target!,
    minify,
    legalComments: 'external',
    logLevel: 'warning',
  });
}

/** tasks-vision's WASM (with and without SIMD; it picks) and its two loaders. */
const SEGMENTER_WASM = ['vision_wasm_internal.js', 'vision_wasm_internal.wasm', 'vision_wasm_nosimd_internal.js', 'vision_wasm_nosimd_internal.wasm'];

/**
 * What background blur loads, when someone turns it on, into `dir`: tasks-vision's WASM and the
 * selfie segmenter with the metadata tasks-vision needs (segmenter-model.ts). Served by the
 * deployment itself; nothing is fetched from anyone else's host.
 */
export async function copySegmenter(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const wasm = join(ROOT, 'node_modules/@mediapipe/tasks-vision/wasm');
  await Promise.all(SEGMENTER_WASM.map((f) => copyFile(join(wasm, f), join(dir, f))));
  const model = await readFile(join(ROOT, 'node_modules/@mediapipe/selfie_segmentation/selfie_segmentation_landscape.tflite'));
  await writeFile(join(dir, 'selfie_segmenter_landscape.tflite'), withMetadata(model, imageMetadata('Selfie segmentation (landscape)')));
}

/** The app into `staticDir`: scripts, service worker and the compressed copies of all. */
export async function buildApp({ staticDir = STATIC_DIR, sourcemap = false }: AppBuildOptions = {}): Promise<esbuild.Metafile> {
  rmSync(join(staticDir, 'build'), { recursive: true, force: true }); // no stale chunks in the shell
  rmSync(join(staticDir, 'sw.js.map'), { force: true }); // nor a map from an earlier --sourcemap build
  const app = await esbuild.build({ ...APP_BUILD, outdir: join(staticDir, 'build'), sourcemap });
  await copySegmenter(join(staticDir, 'build', 'segmenter'));
  await buildBackgroundWorker(join(staticDir, 'build', 'background-worker.js'));
  await buildServiceWorker(app.metafile!, { staticDir, sourcemap });
  await precompress(staticDir);
  return app.metafile!;
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  if (args.has('--vendor'))
    await Promise.all([
      esbuild.build(VENDOR_BUILD),
      copySegmenter(join(ROOT, '.tmp/vendor/segmenter')),
      buildBackgroundWorker(join(ROOT, '.tmp/vendor/background-worker.js'), false),
    ]);
  if (args.has('--watch')) {
    const ctx = await esbuild.context({ ...APP_BUILD, sourcemap: true, logLevel: 'info' });
    await ctx.watch();
    return;
  }
  await Promise.all([buildApp({ sourcemap: args.has('--sourcemap') }), esbuild.build(SERVER_BUILD)]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
