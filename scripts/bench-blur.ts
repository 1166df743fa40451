/**
 * bench:blur: what background blur and replacement cost one person: the fake camera at 640×480
 * and 30 fps through each effect in a Chromium pinned to one core, the output played as the own
 * tile would. Prints frames per second presented, the effect's own milliseconds per frame and the
 * CPU of that Chromium, with the effect off (the camera itself) in the same run.
 *
 * Target: ≥ 24 fps with blur on one core.
 *
 *   npm run bench:blur [-- --seconds 10] [--warmup 3]
 */
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Background } from '../client/core/background.js';
import type { BlurSample } from './bench/blur-page.js';
import { startSignaling } from '../signaling/server.js';
import { staticHandler } from '../signaling/static.js';
import { CHROMIUM_ARGS } from '../test/chromium.js';
import { parseOptions } from './bench/options.js';
import { APP_BUILD, buildBackgroundWorker, copySegmenter } from './build.js';
import { launch, ROOT, sleep, TMP, waitFor } from './mesh/common.js';
import { pin } from './mesh/measured.js';
import { CLK_TCK, cpuTicks, descendants } from './mesh/proc.js';

const options = parseOptions({
  usage: 'npm run bench:blur --',
  summary: 'Background blur and replacement at 640x480: frames per second and CPU on one core, with the effect off in the same run.',
  options: {
    seconds: { type: 'number', help: 'measuring window per effect', min: 1, max: 600, default: 10, value: 's' },
    warmup: { type: 'number', help: 'warm-up per effect', min: 0, max: 600, default: 3, value: 's' },
  },
});

const PAGE_DIR = join(TMP, 'bench', 'blur');
const EFFECTS: Background[] = ['blur-light', 'blur-strong', 'office', 'colour'];
/** Each effect painted in a worker (Chromium) and on the page (as in Firefox), after the camera alone. */
const RUNS: Array<{ effect: Background; worker: boolean }> = [
  { effect: 'none', worker: false },
  ...EFFECTS.flatMap((effect) => [
    { effect, worker: true },
    { effect, worker: false },
  ]),
];
const TARGET_FPS = 24;

interface Row {
  effect: Background;
  where: 'worker' | 'page' | 'none';
  fps: number;
  drawnFps: number;
  msPerFrame: number;
  /** Mean lateness of the page's 20 ms timer (ms): what a click or the call's own work waits. */
  lagMs: number;
  cpu: number;
}

async function buildPage(): Promise<void> {
  mkdirSync(PAGE_DIR, { recursive: true });
  writeFileSync(
    join(PAGE_DIR, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>bench:blur</title><script type="module" src="blur-page.js"></script>\n',
  );
  await esbuild.build({ ...APP_BUILD, entryPoints: { 'blur-page': 'scripts/bench/blur-page.ts' }, outdir: PAGE_DIR, minify: false, sourcemap: false });
  await copySegmenter(join(PAGE_DIR, 'segmenter'));
  await buildBackgroundWorker(join(PAGE_DIR, 'background-worker.js'));
  cpSync(join(ROOT, 'static', 'backgrounds'), join(PAGE_DIR, 'backgrounds'), { recursive: true });
}

async function main(): Promise<void> {
  await buildPage();
  const box = await startSignaling({ port: 0, log: () => {}, httpHandler: staticHandler(PAGE_DIR) });
  // The fake camera at 30 fps (its default is 20), as a laptop camera gives.
  const args = [...CHROMIUM_ARGS.filter((a) => a !== '--use-fake-device-for-media-stream'), '--use-fake-device-for-media-stream=fps=30'];
  const b = await launch({ args });
  const rows: Row[] = [];
  try {
    pin(b, 0);
    await b.page.goto(`${box.url}/index.html`);
    await waitFor(b.page, '!!window.blurBench');
    for (const { effect, worker } of RUNS) {
      const where = (await b.page.evaluate(`window.blurBench.start(${JSON.stringify(effect)}, ${worker})`)) as Row['where'];
      pin(b, 0); // processes started since (the GPU process for WebGL) go on core 0 too
      await sleep(options.warmup * 1000);
      const s0 = (await b.page.evaluate('window.blurBench.sample()')) as BlurSample;
      const t0 = cpuTicks(descendants(b.pid));
      await sleep(options.seconds * 1000);
      const s1 = (await b.page.evaluate('window.blurBench.sample()')) as BlurSample;
      const t1 = cpuTicks(descendants(b.pid));
      const seconds = (s1.at - s0.at) / 1000;
      const drawn = s1.drawn - s0.drawn;
      rows.push({
        effect,
        where,
        fps: (s1.presented - s0.presented) / seconds,
        drawnFps: drawn / seconds,
        msPerFrame: drawn > 0 ? (s1.busyMs - s0.busyMs) / drawn : 0,
        lagMs: (s1.lateMs - s0.lateMs) / Math.max(1, s1.ticks - s0.ticks),
        cpu: ((t1 - t0) / CLK_TCK / seconds) * 100,
      });
      console.log(`${effect} (${where}): measured`);
    }
    const cameraFps = (await b.page.evaluate('window.blurBench.cameraFps()')) as number;
    report(rows, cameraFps);
  } finally {
    await b.close();
    await box.close();
  }
}

function report(rows: Row[], cameraFps: number): void {
  console.log(`\nBackground effects, fake camera 640x480 at ${cameraFps} fps, one Chromium pinned to one core, ${options.seconds} s each\n`);
  const heads: Array<[string, number]> = [
    ['effect', 13],
    ['painted in', 12],
    ['fps shown', 11],
    ['fps drawn', 11],
    ['ms/frame', 10],
    ['page lag ms', 13],
    ['CPU %', 8],
  ];
  console.log(heads.map(([h, w]) => h.padStart(w)).join(''));
  for (const r of rows) {
    const cells = [
      r.effect,
      r.where === 'none' ? '-' : r.where,
      r.fps.toFixed(1),
      r.effect === 'none' ? '-' : r.drawnFps.toFixed(1),
      r.effect === 'none' ? '-' : r.msPerFrame.toFixed(1),
      r.lagMs.toFixed(1),
      r.cpu.toFixed(0),
    ];
    console.log(cells.map((c, i) => c.padStart(heads[i]![1])).join(''));
  }
  console.log(
    "\nfps shown: output frames the video element presented; ms/frame: the effect's own time (segmenting and painting) per frame, on the page's thread or the worker's; page lag: how late a 20 ms timer on the page ran, on average (what a click waits); CPU: all of that Chromium's processes, % of the one core.",
  );
  console.log('\nTargets');
  for (const r of rows.filter((r) => r.effect.startsWith('blur'))) {
    console.log(`${r.effect} (${r.where}): ${r.fps.toFixed(1)} fps ≥ ${TARGET_FPS} fps on one core: ${r.fps >= TARGET_FPS ? 'PASS' : 'MISS'}`);
  }
}

await main();
