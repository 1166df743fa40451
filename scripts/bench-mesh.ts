/**
 * `npm run bench:mesh`: what a full mesh of N = 2…8 people costs, in four parts (--only).
 *
 * - shared: all N people are Meetings in ONE page of one headless Chromium with the fake camera,
 *   with the per-receiver adaptation on and off. Per configuration: the received frame rate of
 *   every stream by the role its receiver shows it in (large: the active speaker, or any tile of
 *   a grid of up to four; thumbnail: the others), frames encoded, upload, loss, concealed audio,
 *   and the CPU of all Chromium processes; one person's share is that ÷ N. Remote streams are
 *   decoded but not drawn unless --render.
 * - pinned: one measured person in a Chromium of its own pinned to core 0, the N−1 others in one
 *   page of another Chromium pinned to core 1 (scripts/mesh/measured.ts): a laptop's figure. The
 *   measured person is the real app (adaptation on), and a bare Meeting that draws its videos
 *   (adaptation on and off).
 * - join: a newcomer in the real app joins a meeting of 3, 5 and 7 people already connected;
 *   the median time from pressing Join until every remote video plays.
 * - profile: a one-page mesh of --profile-n people (6), where its time goes: CPU per Chromium
 *   thread group, JavaScript by function, and a Chromium trace (file kept under .tmp/bench/).
 *
 * Each receiver reports the tile it would show each sender in: a grid of N tiles in 1280×720,
 * with one active speaker per receiver (the next person in id order).
 *
 *   npm run bench:mesh [-- --min 2] [--max 8] [--only shared,pinned,join] [--repeat 1] [--adapt-only] ...
 *
 * Targets (docs/performance.md): N = 6, every large stream ≥ 15 fps and every thumbnail ≥ 10;
 * N = 8, large ≥ 15, thumbnails ≥ 8, no audio concealed for lack of packets; the measured person
 * at N = 6 below a fifth of a core; adaptation never costlier than sending naively; joining a
 * meeting of 5 ≤ 1.5 s; every meeting of 8 connected.
 */
import * as esbuild from 'esbuild';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_UPLOAD_KBPS } from '../client/core/bandwidth.js';
import { JOIN_STEPS } from '../client/core/timing.js';
import { startSignaling, type SignalingServer } from '../signaling/server.js';
import { staticHandler } from '../signaling/static.js';
import { CHROMIUM_ARGS } from '../test/chromium.js';
import { APP_BUILD, buildApp } from './build.js';
import { parseOptions } from './bench/options.js';
import { reexecIsolated } from './isolate.js';
import { launch, mean, median, privateTmpdir, ROOT, sleep, startMeetings, TMP, waitFor, withDeadline, type Browser } from './mesh/common.js';
import { joinMedian, measureJoins, type JoinResult } from './mesh/join-time.js';
import type { LinkSample } from './mesh/link-sample.js';
import { measurePerson, type MeasuredKind, type MeasuredResult } from './mesh/measured.js';
import { CLK_TCK, cpuTicks, descendants, machineTicks } from './mesh/proc.js';
import { jsProfile, trace } from './mesh/profile.js';
import { rates, type Rates } from './mesh/rates.js';
import { threadDelta, threadTicks } from './mesh/threads.js';

const PARTS = ['shared', 'pinned', 'join', 'profile'] as const;
const numbers = (text: string) => text.split(',').filter(Boolean).map(Number);

const options = parseOptions(
  {
    usage: 'npm run bench:mesh --',
    summary: 'What a full mesh of N people costs: one page of everyone, one pinned person, joining, and a profile.',
    options: {
      only: { type: 'list', help: 'the parts to run', choices: PARTS, default: ['shared', 'pinned', 'join'] },
      quick: { type: 'boolean', help: 'N = 2…3, 3 s windows, pinned at 3, joins into 3' },
      min: { type: 'number', help: 'the smallest N (shared)', min: 2, max: 12, integer: true, default: 2 },
      max: { type: 'number', help: 'the largest N (shared)', defaultNote: '8, 3 with --quick', min: 2, max: 12, integer: true },
      pinned: { type: 'string', help: 'the N of the pinned part, comma-separated', defaultNote: '4,6' },
      join: { type: 'string', help: 'the meeting sizes a newcomer joins, comma-separated', defaultNote: '3,5,7' },
      joins: { type: 'number', help: 'joins timed per size, after one warm-up', min: 1, max: 100, integer: true, default: 5 },
      'profile-n': { type: 'number', help: 'the N of the profile part', min: 2, max: 12, integer: true, default: 6 },
      repeat: { type: 'number', help: 'run the chosen parts this many times (to show the spread)', min: 1, max: 10, integer: true, default: 1 },
      seconds: { type: 'number', help: 'measuring window', defaultNote: '10, 3 with --quick', min: 1, max: 600, value: 's' },
      warmup: { type: 'number', help: 'warm-up once connected', defaultNote: '5, 3 with --quick', min: 0, max: 600, value: 's' },
      fps: { type: 'number', help: "the fake camera's frame rate", min: 1, max: 60, integer: true, default: 20 },
      render: { type: 'boolean', help: 'shared: draw the remote videos (muted <video>s of tile size)' },
      'adapt-only': { type: 'boolean', help: 'only the configurations with adaptation (the targets, without the slow comparison)' },
    },
  },
  (o) => {
    const max = o.max ?? (o.quick ? 3 : 8);
    if (o.min > max) return `--min (${o.min}) must not be above --max (${max})`;
    for (const [name, text] of [
      ['--pinned', o.pinned],
      ['--join', o.join],
    ] as const) {
      if (text !== undefined && !numbers(text).every((v) => Number.isInteger(v) && v >= 2 && v <= 12))
        return `${name} takes whole numbers 2–12, comma-separated`;
    }
    return null;
  },
);

// After the options, so that --help and a bad option need no network namespace.
reexecIsolated();

const QUICK = options.quick;
const MAX_N = options.max ?? (QUICK ? 3 : 8);
const MIN_N = options.min;
// Not 8 by default: seven others in one page on one core cannot send it what they would.
const PINNED_NS = numbers(options.pinned ?? (QUICK ? '3' : '4,6'));
const JOIN_SIZES = numbers(options.join ?? (QUICK ? '3' : '3,5,7'));
const SECONDS = options.seconds ?? (QUICK ? 3 : 10);
const WARMUP_S = options.warmup ?? (QUICK ? 3 : 5);
const CAMERA_FPS = options.fps;
const RENDER = options.render;
const ADAPT_ONLY = options['adapt-only'];
const PART = new Set(options.only);
/** Connecting N·(N−1)/2 links while the machine already encodes for the first ones takes a while at N = 8. */
const CONNECT_MS = 150_000;
const PAGE_DIR = join(TMP, 'bench', 'mesh');
const CORES = availableParallelism();
const TARGETS = {
  6: { large: 15, thumbnail: 10 },
  8: { large: 15, thumbnail: 8 },
} as const;
const PERSON_TARGET_PERCENT = 20;
const JOIN_TARGET = { size: 5, ms: 1_500 };

interface SharedResult {
  run: number;
  n: number;
  adapt: boolean;
  rates: Rates;
  /** All Chromium processes, % of one core. */
  cpuPercent: number;
  othersPercent: number;
  targetKbps: number[];
  sentHeight: number;
  cpuLimited: number;
  encodings: number;
  codecs: string;
  connectSeconds: number;
  /** ms until the last to arrive was connected to everyone before it. */
  lastArrivalMs: number;
}

/** The app (static/ with a fresh build), the bench's page at /bench/, and the probe the app page gets. */
async function buildPages(): Promise<string> {
  rmSync(PAGE_DIR, { recursive: true, force: true });
  const built = join(ROOT, 'static', 'build');
  cpSync(join(ROOT, 'static'), PAGE_DIR, { recursive: true, filter: (src) => !src.startsWith(built) });
  await buildApp({ staticDir: PAGE_DIR });
  const bench = join(PAGE_DIR, 'bench');
  mkdirSync(bench, { recursive: true });
  writeFileSync(
    join(bench, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>bench:mesh</title><script type="module" src="mesh-page.js"></script>\n',
  );
  await esbuild.build({ ...APP_BUILD, entryPoints: { 'mesh-page': 'scripts/mesh/mesh-page.ts' }, outdir: bench, minify: false, sourcemap: false });
  const probe = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['scripts/mesh/app-probe.ts'],
    bundle: true,
    format: 'iife',
    write: false,
    target: 'chrome100',
  });
  return probe.outputFiles[0].text;
}

/** Chromium's flags, with the fake camera's frame rate if one was asked for. */
function chromiumArgs(): string[] {
  if (CAMERA_FPS === 20) return CHROMIUM_ARGS; // the fake device's default
  return CHROMIUM_ARGS.map((a) => (a === '--use-fake-device-for-media-stream' ? `${a}=fps=${CAMERA_FPS}` : a));
}

const sample = (b: Browser) => b.page.evaluate('window.meshBench.sample()') as Promise<LinkSample[]>;
const secret = () => randomBytes(16).toString('base64url');
/** Progress on stderr, so that a slow or stuck step shows where it is. */
const step = (what: string) => process.stderr.write(`  ${new Date().toISOString().slice(11, 19)} ${what}\n`);

/** Connects `n` Meetings in the fresh browser `b`, reports tiles, warms up and measures one window. */
async function measureShared(b: Browser, url: string, run: number, n: number, adapt: boolean, profile: boolean): Promise<SharedResult> {
  const started = performance.now();
  await startMeetings(b, url, secret(), n, adapt);
  step('media acquired, connecting');
  const progress = setInterval(() => {
    void b.page
      .evaluate('window.meshBench.progress()')
      .then((p) => step(`connecting (admission:connected/peers, highest generation): ${p}`))
      .catch(() => {});
  }, 15_000);
  try {
    await waitFor(b.page, 'window.meshBench.connected()', CONNECT_MS);
  } finally {
    clearInterval(progress);
  }
  const connectSeconds = (performance.now() - started) / 1000;
  await b.page.evaluate(`window.meshBench.reportViews(${RENDER})`);
  const c = (await b.page.evaluate('window.meshBench.connecting()')) as { welcome: number; arrivals: number[]; again: number };
  step(
    `connected in ${connectSeconds.toFixed(1)} s, people arriving in turn (welcome ${c.welcome.toFixed(0)} ms; each connected to everyone before it after ${c.arrivals.map((a) => a.toFixed(0)).join(', ')} ms; ${c.again} links came up again), warming up`,
  );
  const lastArrivalMs = c.arrivals.at(-1) ?? Number.NaN;
  await sleep(WARMUP_S * 1000);
  const procs = descendants(b.pid); // the processes of this instance, found once it is running
  step('measuring');
  const [s0, t0, c0, m0, th0] = [await sample(b), performance.now(), cpuTicks(procs), machineTicks(), threadTicks(procs)];
  if (profile) await printProfile(b, n);
  else await sleep(SECONDS * 1000);
  const [s1, t1, c1, m1, th1] = [await sample(b), performance.now(), cpuTicks(procs), machineTicks(), threadTicks(procs)];
  step('measured');
  const seconds = (t1 - t0) / 1000;
  if (profile)
    printThreads(
      threadDelta(th0, th1).map(([k, v]) => [k, (v / CLK_TCK / seconds) * 100]),
      n,
    );
  const targetKbps = Array<number>(n).fill(0);
  for (const l of s1) targetKbps[l.local] += l.targetBitrate / 1000;
  const sent = s1.filter((l) => l.sentHeight > 0);
  return {
    run,
    n,
    adapt,
    rates: rates(s0, s1, n * (n - 1)),
    cpuPercent: ((c1 - c0) / CLK_TCK / seconds) * 100,
    othersPercent: (Math.max(0, m1.busy - m0.busy - (c1 - c0)) / (m1.total - m0.total)) * 100,
    targetKbps,
    sentHeight: mean(sent.map((l) => l.sentHeight)),
    cpuLimited: s1.filter((l) => l.limitation === 'cpu').length,
    encodings: s1.length,
    codecs: [...new Set(s1.map((l) => l.codec).filter(Boolean))].sort().join('+') || '-',
    connectSeconds,
    lastArrivalMs,
  };
}

/** The JavaScript profile and the trace, one after the other in the measuring window. */
async function printProfile(b: Browser, n: number): Promise<void> {
  const half = (SECONDS * 1000) / 2;
  const js = await jsProfile(b, half);
  const tracePath = join(TMP, 'bench', `mesh-trace-n${n}.json`);
  const events = await trace(b, tracePath, half);
  const total = js.reduce((s, [, ms]) => s + ms, 0);
  console.log(`\nProfile of one page with N = ${n}: JavaScript self time by function over ${(half / 1000).toFixed(1)} s (CDP sampling profiler, 1 ms)`);
  for (const [name, ms] of js.slice(0, 15))
    console.log(`${(ms / (half / 1000)).toFixed(1).padStart(8)} ms/s ${((ms / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
  console.log(`\nChromium trace over ${(half / 1000).toFixed(1)} s (kept in ${tracePath}, open it in DevTools' Performance panel): event names by`);
  console.log('inclusive thread time, ms per second (nested events overlap)');
  for (const [name, ms] of events.slice(0, 20)) console.log(`${(ms / (half / 1000)).toFixed(1).padStart(8)} ms/s  ${name}`);
}

function printThreads(threads: Array<[string, number]>, n: number): void {
  const total = threads.reduce((s, [, v]) => s + v, 0);
  console.log(`\nCPU by Chromium thread group over the window, N = ${n} in one page (% of one core; process type/thread name), total ${total.toFixed(0)} %`);
  for (const [name, pct] of threads.slice(0, 20)) console.log(`${pct.toFixed(1).padStart(7)} %  ${name}`);
}

/** One configuration in a fresh browser, bounded in time: when it runs over, the browser is closed. */
async function runShared(url: string, run: number, n: number, adapt: boolean, profile = false): Promise<SharedResult> {
  const b = await launch({ args: chromiumArgs() });
  try {
    // Generous: people arriving in turn (up to a minute each), media, stats reads on a starved page.
    const limitMs = n * 60_000 + CONNECT_MS + (WARMUP_S + SECONDS + 180) * 1000;
    return await withDeadline(limitMs, 'the run', measureShared(b, url, run, n, adapt, profile));
  } finally {
    await withDeadline(5_000, 'leave', b.page.evaluate('window.meshBench?.leave()')).catch(() => {});
    await b.close();
  }
}

const cell = (v: number | string, width: number, digits = 0) => (typeof v === 'number' ? (Number.isFinite(v) ? v.toFixed(digits) : '-') : v).padStart(width);
const min = (xs: readonly number[]) => (xs.length ? Math.min(...xs) : Number.NaN);
/** The slowest stream of a role, 0 when any expected stream was not read at all (not flowing). */
const slowest = (r: Rates, role: 'large' | 'thumbnail') => (r.missing > 0 ? 0 : min(r.decoded[role]));

function printShared(results: SharedResult[]): void {
  console.log(
    `\nShared: all N people in one headless Chromium page, fake camera 640x480 at ${CAMERA_FPS} fps${RENDER ? ', remote videos drawn' : ', remote videos decoded, not drawn'}; ` +
      `${SECONDS} s window after ${WARMUP_S} s warm-up; ${CORES} cores`,
  );
  console.log('large / thumb: video frames decoded per second per received stream shown as a large tile (the active speaker, or any tile');
  console.log('  of a grid of up to four) / as a thumbnail, min and median; enc: frames encoded per second per sent stream, median;');
  console.log("CPU all: all Chromium processes, % of one core; person: that ÷ N (one page holds everyone: a person's share, not a laptop's;");
  console.log('  see the pinned part); up: upload per person, kbit/s (audio + video, all connections), mean; target: the largest sum of one');
  console.log("  person's encoder targets; px: mean encoded height; conc: audio concealed for lack of packets, % of samples (played audio");
  console.log('  only: with videos not drawn nothing plays, "-"); cpu-lim: encodings WebRTC reports limited by CPU; redial: streams redialled');
  console.log('  in the window; miss: streams not read at both ends of the window (not flowing: the minima then say 0);');
  console.log('  conn: seconds from the first arrival until every link carried video (people arrive in turn, each once the one');
  console.log('  before is connected to everyone); last in: ms until the last to arrive was connected to everyone before it; others: CPU the');
  console.log('  rest of the machine used, % of all cores\n');
  const heads: Array<[string, number]> = [
    ['run', 4],
    ['N', 3],
    ['adapt', 6],
    ['large min', 10],
    ['med', 6],
    ['thumb min', 10],
    ['med', 6],
    ['enc', 6],
    ['CPU all', 8],
    ['person', 7],
    ['up', 6],
    ['target', 7],
    ['px', 5],
    ['loss %', 7],
    ['conc %', 7],
    ['cpu-lim', 8],
    ['codec', 6],
    ['redial', 7],
    ['miss', 5],
    ['conn s', 7],
    ['last in', 8],
    ['others', 7],
  ];
  console.log(heads.map(([h, w]) => h.padStart(w)).join(''));
  for (const r of results) {
    const { decoded } = r.rates;
    const row = [
      cell(r.run, 4),
      cell(r.n, 3),
      cell(r.adapt ? 'on' : 'off', 6),
      cell(slowest(r.rates, 'large'), 10, 1),
      cell(median(decoded.large), 6, 1),
      cell(slowest(r.rates, 'thumbnail'), 10, 1),
      cell(median(decoded.thumbnail), 6, 1),
      cell(median(r.rates.encoded), 6, 1),
      cell(r.cpuPercent, 8),
      cell(r.cpuPercent / r.n, 7),
      cell(mean([...r.rates.uploadKbps.values()]), 6),
      cell(Math.max(...r.targetKbps), 7),
      cell(r.sentHeight, 5),
      cell(r.rates.lossPercent, 7, 1),
      cell(r.rates.concealedPercent, 7, 1),
      cell(`${r.cpuLimited}/${r.encodings}`, 8),
      cell(r.codecs, 6),
      cell(r.rates.redialled, 7),
      cell(r.rates.missing, 5),
      cell(r.connectSeconds, 7, 1),
      cell(r.lastArrivalMs, 8),
      cell(r.othersPercent, 7),
    ];
    console.log(row.join(''));
  }
}

function printPinned(results: MeasuredResult[], runs: number[]): void {
  console.log('\nPinned: one measured person in its own Chromium on core 0, the N−1 others in one page of another Chromium on core 1.');
  console.log('person: the real app (tiles drawn, speaking detection, stats, layout) or a bare Meeting drawing <video>s; CPU: the measured');
  console.log("  Chromium, % of its core; shown: the app's tiles, frames presented per second, by role (min/median); large/thumb: frames");
  console.log('  decoded per second per received stream (the app: all as one, "large"); enc: frames it encoded per sent stream, median;');
  console.log('  up: its upload, kbit/s; conc: its audio concealed for lack of packets, %; they-enc: what the others encoded for it, median');
  console.log('  fps; others: their Chromium, % of their core (near 100: they could not send all they meant to)\n');
  const heads: Array<[string, number]> = [
    ['run', 4],
    ['N', 3],
    ['person', 7],
    ['adapt', 6],
    ['CPU', 5],
    ['shown L', 8],
    ['med', 6],
    ['shown T', 8],
    ['med', 6],
    ['large', 7],
    ['thumb', 7],
    ['enc', 6],
    ['up', 6],
    ['conc %', 7],
    ['they-enc', 9],
    ['others', 7],
    ['conn s', 7],
  ];
  console.log(heads.map(([h, w]) => h.padStart(w)).join(''));
  results.forEach((r, i) => {
    const row = [
      cell(runs[i], 4),
      cell(r.n, 3),
      cell(r.kind, 7),
      cell(r.adapt ? 'on' : 'off', 6),
      cell(r.cpuPercent, 5),
      cell(min(r.shown.large), 8, 1),
      cell(median(r.shown.large), 6, 1),
      cell(min(r.shown.thumbnail), 8, 1),
      cell(median(r.shown.thumbnail), 6, 1),
      cell(median(r.rates.decoded.large), 7, 1),
      cell(median(r.rates.decoded.thumbnail), 7, 1),
      cell(median(r.rates.encoded), 6, 1),
      cell(mean([...r.rates.uploadKbps.values()]), 6),
      cell(r.rates.concealedPercent, 7, 1),
      cell(r.othersSentFps, 9, 1),
      cell(r.othersPercent, 7),
      cell(r.connectSeconds, 7, 1),
    ];
    console.log(row.join(''));
  });
  for (const r of results.filter((x) => x.kind === 'app')) {
    const list = (xs: Array<[string, number]>) => xs.map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
    console.log(`\nthe app at N = ${r.n}: its busiest thread groups (% of its core): ${list(r.threads.slice(0, 12))}`);
    console.log(`  its JavaScript after the window (ms per second, self time): ${list(r.js.filter(([k]) => k !== '(idle)').slice(0, 12))}`);
  }
}

function printJoins(results: Array<JoinResult & { run: number }>): void {
  console.log(`\nJoin: a newcomer in the real app joins a meeting already connected in one page; ms from pressing Join until every remote`);
  console.log(`video plays, ${options.joins} joins per size after one warm-up\n`);
  console.log(`${'run'.padStart(4)}${'people'.padStart(8)}${'median'.padStart(8)}${'min'.padStart(7)}${'max'.padStart(7)}${'failed'.padStart(8)}`);
  for (const r of results) {
    const steps = JOIN_STEPS.slice(1).map((s) => `${s} ${median(r.steps[s] ?? []).toFixed(0)}`);
    console.log(
      `${cell(r.run, 4)}${cell(r.size, 8)}${cell(joinMedian(r), 8)}${cell(min(r.ms), 7)}${cell(Math.max(...r.ms), 7)}${cell(r.failed, 8)}  steps (median ms): ${steps.join(', ')}`,
    );
  }
}

function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'MISS';
}

function printTargets(shared: SharedResult[], pinned: MeasuredResult[], joins: JoinResult[], maxRun: number): void {
  console.log('\nTargets (per run)');
  for (let run = 1; run <= maxRun; run++) {
    for (const n of [6, 8] as const) {
      const r = shared.find((x) => x.run === run && x.n === n && x.adapt);
      if (!r) continue;
      const t = TARGETS[n];
      const [large, thumb] = [slowest(r.rates, 'large'), slowest(r.rates, 'thumbnail')];
      const audio = n === 8 && RENDER ? `, audio concealed ${r.rates.concealedPercent.toFixed(1)} %` : '';
      console.log(
        `run ${run}, N = ${n}, one page: every large ≥ ${t.large} fps (min ${large.toFixed(1)}), every thumbnail ≥ ${t.thumbnail} (min ${thumb.toFixed(1)})${audio}: ${verdict(large >= t.large && thumb >= t.thumbnail)}`,
      );
    }
    for (const n of new Set(shared.filter((x) => x.run === run).map((x) => x.n))) {
      const on = shared.find((x) => x.run === run && x.n === n && x.adapt);
      const off = shared.find((x) => x.run === run && x.n === n && !x.adapt);
      if (on && off)
        console.log(
          `run ${run}, N = ${n}, one page: adaptation ${on.cpuPercent.toFixed(0)} % ≤ naive ${off.cpuPercent.toFixed(0)} % of a core: ${verdict(on.cpuPercent <= off.cpuPercent)}`,
        );
    }
  }
  pinned.forEach((r, i) => {
    if (r.n === 6 && r.kind === 'app')
      console.log(
        `pinned ${i + 1}, N = 6, the app: below ${PERSON_TARGET_PERCENT} % of a core (${r.cpuPercent.toFixed(0)} %): ${verdict(r.cpuPercent < PERSON_TARGET_PERCENT)}`,
      );
    if (r.n === 8 && r.kind === 'app')
      console.log(
        `pinned ${i + 1}, N = 8, the app: audio concealed ${r.rates.concealedPercent.toFixed(2)} % of samples: ${verdict(r.rates.concealedPercent < 1)}`,
      );
  });
  for (const r of joins.filter((x) => x.size === JOIN_TARGET.size)) {
    const ms = joinMedian(r);
    console.log(`join into ${r.size}: median ${ms.toFixed(0)} ms ≤ ${JOIN_TARGET.ms} ms: ${verdict(ms <= JOIN_TARGET.ms && r.failed === 0)}`);
  }
  console.log(`upload budget per person: ${DEFAULT_UPLOAD_KBPS} kbit/s`);
}

async function main(): Promise<void> {
  const removeTmp = privateTmpdir('bench-mesh');
  const shared: SharedResult[] = [];
  const pinned: MeasuredResult[] = [];
  const pinnedRuns: number[] = [];
  const joins: Array<JoinResult & { run: number }> = [];
  const failures: string[] = [];
  const refusals = new Map<string, number>();
  let box: SignalingServer | null = null;
  const attempt = async (what: string, work: () => Promise<void>) => {
    process.stderr.write(`${what}…\n`);
    try {
      await work();
    } catch (err) {
      // One stuck configuration should not cost the figures of all the others.
      failures.push(`${what}: ${(err as Error).message}`);
    }
  };
  try {
    const probe = await buildPages();
    // The box's refusals (a rate limit hit, say) would leave links half-made: counted and printed.
    box = await startSignaling({
      port: 0,
      log: (line) => {
        const code = /"event":"refuse".*?"code":"(\w+)"/.exec(line)?.[1];
        if (code) refusals.set(code, (refusals.get(code) ?? 0) + 1);
      },
      httpHandler: staticHandler(PAGE_DIR),
    });
    const url = box.url;
    const setup = { url, args: chromiumArgs(), probe, connectMs: CONNECT_MS, warmupMs: WARMUP_S * 1000, windowMs: SECONDS * 1000 };
    for (let run = 1; run <= options.repeat; run++) {
      if (PART.has('shared')) {
        for (let n = MIN_N; n <= MAX_N; n++) {
          for (const adapt of ADAPT_ONLY ? [true] : [true, false]) {
            await attempt(`run ${run}, shared, N = ${n}, adaptation ${adapt ? 'on' : 'off'}`, async () => {
              shared.push(await runShared(url, run, n, adapt));
            });
          }
        }
      }
      if (PART.has('pinned')) {
        for (const n of PINNED_NS) {
          const kinds: Array<[MeasuredKind, boolean]> = ADAPT_ONLY
            ? [['app', true]]
            : [
                ['app', true],
                ['page', true],
                ['page', false],
              ];
          for (const [kind, adapt] of kinds) {
            await attempt(`run ${run}, pinned, N = ${n}, ${kind}, adaptation ${adapt ? 'on' : 'off'}`, async () => {
              const limit = n * 60_000 + CONNECT_MS * 2 + (WARMUP_S + SECONDS + 120) * 1000;
              pinned.push(await withDeadline(limit, 'the run', measurePerson(setup, n, kind, adapt, secret())));
              pinnedRuns.push(run);
            });
          }
        }
      }
      if (PART.has('join')) {
        for (const size of JOIN_SIZES) {
          await attempt(`run ${run}, join into ${size}`, async () => {
            joins.push({ run, ...(await measureJoins(setup, size, options.joins, secret(), 60_000)) });
          });
        }
      }
      if (PART.has('profile')) {
        await attempt(`run ${run}, profile, N = ${options['profile-n']}`, async () => {
          await runShared(url, run, options['profile-n'], true, true);
        });
      }
    }
    if (shared.length) printShared(shared);
    if (pinned.length) printPinned(pinned, pinnedRuns);
    if (joins.length) printJoins(joins);
    console.log(`\nthe box refused: ${[...refusals].map(([c, n]) => `${c} ×${n}`).join(', ') || 'nothing'}`);
    for (const f of failures) console.log(`FAILED ${f}`);
    if (failures.length) process.exitCode = 1;
    printTargets(shared, pinned, joins, options.repeat);
  } finally {
    await box?.close();
    removeTmp();
    rmSync(PAGE_DIR, { recursive: true, force: true });
  }
}

await main();
