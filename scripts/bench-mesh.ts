/**
 * `npm run bench:mesh`: full meshes of N = 2…6 peers in headless Chromium with the fake camera,
 * with the per-receiver adaptation on and off in the same run. Per configuration: the received
 * frame rate of every stream (receiver × sender; min and median), the CPU time of all Chromium
 * processes, and each sender's upload against its budget.
 * Targets: with adaptation, N = 6 keeps every stream at ≥ 15 fps on this 2-core machine, and each
 * sender stays within its budget.
 *
 * All N peers are Meetings in ONE page of one browser (scripts/mesh/mesh-page.ts): the cheapest
 * setup, and the one whose capacity ../shared/TESTING.md records, so the figures compare. It
 * is pessimistic for one person's machine: this one machine encodes and decodes for all N people.
 * Remote streams are decoded but not drawn unless --render (then as muted <video>s of tile size).
 * Each receiver reports the tile it would show each sender in: a grid of N tiles in 1280×720.
 *
 *   npm run bench:mesh [-- --min 2] [--max 6] [--seconds 10] [--warmup 5] [--quick] [--render] [--fps 20] [--adapt-only]
 *
 * --quick: N = 2…3, 3 s windows. --fps: the fake camera's frame rate (default 20, as TESTING.md
 * measured; the app asks for ideal 24 and takes what the camera gives).
 */
import * as esbuild from 'esbuild';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_UPLOAD_KBPS } from '../client/core/bandwidth.js';
import { startSignaling, type SignalingServer } from '../signaling/server.js';
import { staticHandler } from '../signaling/static.js';
import { CHROMIUM_ARGS } from '../test/chromium.js';
import { APP_BUILD } from './build.js';
import { parseOptions } from './bench/options.js';
import { reexecIsolated } from './isolate.js';
import { launch, mean, median, privateTmpdir, sleep, TMP, waitFor, withDeadline, type Browser } from './mesh/common.js';
import type { LinkSample } from './mesh/mesh-page.js';
import { CLK_TCK, cpuTicks, descendants, machineTicks } from './mesh/proc.js';

/** The largest N: --max, or what --quick implies. */
const maxN = (o: { max?: number; quick: boolean }) => o.max ?? (o.quick ? 3 : 6);

const options = parseOptions(
  {
    usage: 'npm run bench:mesh --',
    summary: 'Full meshes of N peers in one headless Chromium page with the fake camera, with the per-receiver adaptation on and off.',
    options: {
      quick: { type: 'boolean', help: 'N = 2…3 and 3 s windows' },
      min: { type: 'number', help: 'the smallest N', min: 2, max: 12, integer: true, default: 2 },
      max: { type: 'number', help: 'the largest N', defaultNote: '6, 3 with --quick', min: 2, max: 12, integer: true },
      seconds: { type: 'number', help: 'measuring window', defaultNote: '10, 3 with --quick', min: 1, max: 600, value: 's' },
      warmup: { type: 'number', help: 'warm-up once connected', defaultNote: '5, 3 with --quick', min: 0, max: 600, value: 's' },
      fps: { type: 'number', help: "the fake camera's frame rate", min: 1, max: 60, integer: true, default: 20 },
      render: { type: 'boolean', help: 'draw the remote videos (muted <video>s of tile size)' },
      'adapt-only': { type: 'boolean', help: 'only the configurations with adaptation (the targets, without the slow comparison)' },
    },
  },
  (o) => (o.min > maxN(o) ? `--min (${o.min}) must not be above --max (${maxN(o)})` : null),
);

// After the options, so that --help and a bad option need no network namespace.
reexecIsolated();

const QUICK = options.quick;
const MAX_N = maxN(options);
const MIN_N = options.min;
const SECONDS = options.seconds ?? (QUICK ? 3 : 10);
const WARMUP_S = options.warmup ?? (QUICK ? 3 : 5);
const CAMERA_FPS = options.fps;
const RENDER = options.render;
/** Only the configurations with adaptation (to judge the target without the slow comparison). */
const ADAPT_ONLY = options['adapt-only'];
const CONNECT_MS = 150_000;
const TARGET_FPS = 15;
const TARGET_N = 6;
const PAGE_DIR = join(TMP, 'bench', 'mesh');
const CORES = availableParallelism();

interface Result {
  n: number;
  adapt: boolean;
  streams: number;
  fps: number[];
  /** Video packets lost on the way, % of those sent, over all streams. */
  lossPercent: number;
  /** Video frames encoded per second per stream (sender × receiver). */
  sentFps: number[];
  cpuPercent: number;
  /** What everything else on the machine used meanwhile, % of all cores (other benches skew us). */
  othersPercent: number;
  uploadKbps: number[];
  /** Per sender at the end of the window: the encoders' summed target bitrates, kbit/s. */
  targetKbps: number[];
  /** Mean encoded height over all video encodings at the end of the window. */
  sentHeight: number;
  /** Video encodings that WebRTC reported limited by CPU / by bandwidth at the end. */
  cpuLimited: number;
  bandwidthLimited: number;
  encodings: number;
  /** The video codecs sent at the end of the window. */
  codecs: string;
  /** Streams whose connection changed between the two samples (redialled once or more). */
  redialled: number;
}

async function buildPage(): Promise<void> {
  mkdirSync(PAGE_DIR, { recursive: true });
  writeFileSync(
    join(PAGE_DIR, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>bench:mesh</title><script type="module" src="mesh-page.js"></script>\n',
  );
  await esbuild.build({ ...APP_BUILD, entryPoints: { 'mesh-page': 'scripts/mesh/mesh-page.ts' }, outdir: PAGE_DIR, minify: false, sourcemap: false });
}

/** Chromium's flags, with the fake camera's frame rate if one was asked for. */
function chromiumArgs(): string[] {
  if (CAMERA_FPS === 20) return CHROMIUM_ARGS; // the fake device's default
  return CHROMIUM_ARGS.map((a) => (a === '--use-fake-device-for-media-stream' ? `${a}=fps=${CAMERA_FPS}` : a));
}

const sample = (b: Browser) => b.page.evaluate('window.meshBench.sample()') as Promise<LinkSample[]>;

const key = (l: LinkSample) => `${l.local}>${l.remote}`;

/**
 * Frame rates, uploads and encoder state between two samples of the page, each connection over
 * its own stats clock. A stream without frames counts as 0 fps: it was not flowing.
 */
function summarize(n: number, adapt: boolean, s0: LinkSample[], s1: LinkSample[], cpu: Pick<Result, 'cpuPercent' | 'othersPercent'>): Result {
  const before = new Map(s0.map((l) => [key(l), l]));
  const fps: number[] = [];
  const sentFps: number[] = [];
  let [received, lost, redialled] = [0, 0, 0];
  const uploadKbps = Array<number>(n).fill(0);
  const targetKbps = Array<number>(n).fill(0);
  for (const l of s1) targetKbps[l.local] += l.targetBitrate / 1000;
  for (const l of s1) {
    const l0 = before.get(key(l));
    const ms = l0 ? l.timestamp - l0.timestamp : 0;
    if (!l0 || ms <= 0) continue;
    // Redialled during the window: its new connection counted from zero, so take what it did.
    const start = l0.generation === l.generation ? l0 : { framesDecoded: 0, framesEncoded: 0, packetsReceived: 0, packetsLost: 0, bytesSent: 0 };
    if (start !== l0) redialled++;
    fps.push((((l.framesDecoded ?? 0) - (start.framesDecoded ?? 0)) * 1000) / ms);
    sentFps.push(((l.framesEncoded - start.framesEncoded) * 1000) / ms);
    received += l.packetsReceived - start.packetsReceived;
    lost += l.packetsLost - start.packetsLost;
    uploadKbps[l.local] += ((l.bytesSent - start.bytesSent) * 8) / ms; // bits per ms = kbit/s
  }
  const streams = n * (n - 1);
  const sent = s1.filter((l) => l.sentHeight > 0);
  return {
    n,
    adapt,
    streams,
    fps: [...fps, ...Array<number>(Math.max(0, streams - fps.length)).fill(0)],
    sentFps,
    lossPercent: (lost / (received + lost || NaN)) * 100,
    ...cpu,
    uploadKbps,
    targetKbps,
    sentHeight: mean(sent.map((l) => l.sentHeight)),
    cpuLimited: s1.filter((l) => l.limitation === 'cpu').length,
    bandwidthLimited: s1.filter((l) => l.limitation === 'bandwidth').length,
    encodings: s1.length,
    codecs: [...new Set(s1.map((l) => l.codec).filter(Boolean))].sort().join('+') || '-',
    redialled,
  };
}

/** Progress on stderr, so that a slow or stuck step shows where it is. */
const step = (what: string) => process.stderr.write(`  ${new Date().toISOString().slice(11, 19)} ${what}\n`);

/** Connects `n` peers in the fresh browser `b`, reports tiles, warms up and measures one window. */
async function measure(b: Browser, url: string, n: number, adapt: boolean): Promise<Result> {
  await b.page.goto(`${url}/index.html`);
  await waitFor(b.page, '!!window.meshBench');
  const secret = randomBytes(16).toString('base64url');
  await b.page.evaluate(`window.meshBench.start(${JSON.stringify(secret)}, ${n}, ${adapt})`);
  step('media acquired, connecting');
  // Connecting N·(N−1)/2 links while the machine already encodes for the first ones can take
  // over a minute at N = 6 on two cores.
  await waitFor(b.page, 'window.meshBench.connected()', CONNECT_MS);
  await b.page.evaluate(`window.meshBench.reportViews(${RENDER})`);
  step('connected, warming up');
  await sleep(WARMUP_S * 1000);
  const procs = descendants(b.pid); // the processes of this instance, found once it is running
  step('measuring');
  const [s0, t0, c0, m0] = [await sample(b), performance.now(), cpuTicks(procs), machineTicks()];
  await sleep(SECONDS * 1000);
  const [s1, t1, c1, m1] = [await sample(b), performance.now(), cpuTicks(procs), machineTicks()];
  step('measured');
  const cpuPercent = ((c1 - c0) / CLK_TCK / ((t1 - t0) / 1000)) * 100;
  const othersPercent = (Math.max(0, m1.busy - m0.busy - (c1 - c0)) / (m1.total - m0.total)) * 100;
  return summarize(n, adapt, s0, s1, { cpuPercent, othersPercent });
}

/**
 * One configuration in a fresh browser, bounded in time: when it runs over, the browser is
 * closed, which ends whatever the page was stuck in.
 */
async function runOne(url: string, n: number, adapt: boolean): Promise<Result> {
  const b = await launch({ args: chromiumArgs() });
  try {
    const limitMs = CONNECT_MS + (WARMUP_S + SECONDS + 90) * 1000; // generous: media, stats reads on a starved page
    return await withDeadline(limitMs, 'the run', measure(b, url, n, adapt));
  } finally {
    await withDeadline(5_000, 'leave', b.page.evaluate('window.meshBench?.leave()')).catch(() => {});
    await b.close();
  }
}

const cell = (v: number | string, width: number, digits = 0) => (typeof v === 'number' ? v.toFixed(digits) : v).padStart(width);

function printLegend(): void {
  console.log(
    `\nFull mesh in one headless Chromium page, fake camera 640x480 at ${CAMERA_FPS} fps${RENDER ? ', remote videos drawn' : ''}; ` +
      `${SECONDS} s window after ${WARMUP_S} s warm-up; ${CORES} cores`,
  );
  console.log('fps: received video frames decoded per second per stream (receiver × sender); enc: frames encoded per second');
  console.log('  per stream (sender × receiver), median; loss: video packets lost; CPU: all Chromium processes;');
  console.log('others: CPU the rest of the machine used meanwhile, % of all cores (anything above a few % skews the run);');
  console.log('up: outbound-rtp bytesSent (audio + video, all connections) per sender, kbit/s; target: the largest sum of');
  console.log("  one sender's encoder targetBitrates (what shaping and congestion control allow); sent px: mean encoded height;");
  console.log('cpu-lim / bw-lim: video encodings WebRTC reports limited by CPU / bandwidth at the end of the window;');
  console.log('codec: the video codec(s) sent (client/core/codecs.ts asks for H.264 first where the browser has it);');
  console.log('redial: streams whose connection changed during the window (a link given up and redialled, e.g. after missed ICE');
  console.log('  checks), as far as both samples caught it; several redials of one link count once\n');
}

function printTable(results: Result[]): void {
  const heads: Array<[string, number]> = [
    ['N', 3],
    ['adapt', 6],
    ['streams', 8],
    ['fps min', 8],
    ['fps med', 8],
    ['enc med', 8],
    ['loss %', 7],
    ['CPU %/core', 11],
    ['CPU %/all', 10],
    ['others %', 9],
    ['up max', 8],
    ['up mean', 8],
    ['target', 7],
    ['budget', 7],
    ['sent px', 8],
    ['cpu-lim', 8],
    ['bw-lim', 7],
    ['codec', 9],
    ['redial', 7],
  ];
  console.log(heads.map(([h, w]) => h.padStart(w)).join(''));
  for (const r of results) {
    const row = [
      cell(r.n, 3),
      cell(r.adapt ? 'on' : 'off', 6),
      cell(r.streams, 8),
      cell(Math.min(...r.fps), 8, 1),
      cell(median(r.fps), 8, 1),
      cell(median(r.sentFps), 8, 1),
      cell(r.lossPercent, 7, 1),
      cell(r.cpuPercent, 11),
      cell(r.cpuPercent / CORES, 10),
      cell(r.othersPercent, 9),
      cell(Math.max(...r.uploadKbps), 8),
      cell(mean(r.uploadKbps), 8),
      cell(Math.max(...r.targetKbps), 7),
      cell(DEFAULT_UPLOAD_KBPS, 7),
      cell(r.sentHeight, 8),
      cell(`${r.cpuLimited}/${r.encodings}`, 8),
      cell(`${r.bandwidthLimited}/${r.encodings}`, 7),
      cell(r.codecs, 9),
      cell(r.redialled, 7),
    ];
    console.log(row.join(''));
  }
}

function printTargets(results: Result[]): void {
  const r = results.find((x) => x.n === TARGET_N && x.adapt);
  if (!r) {
    console.log(`\ntargets are judged at N = ${TARGET_N} with adaptation, which has no result in this run (not run, or failed)`);
    return;
  }
  const minFps = Math.min(...r.fps);
  const maxUp = Math.max(...r.uploadKbps);
  const maxTarget = Math.max(...r.targetKbps);
  console.log(`\nN = ${TARGET_N}, adaptation on: every stream ≥ ${TARGET_FPS} fps (min ${minFps.toFixed(1)}): ${minFps >= TARGET_FPS ? 'PASS' : 'MISS'}`);
  console.log(
    `N = ${TARGET_N}, adaptation on: every sender ≤ ${DEFAULT_UPLOAD_KBPS} kbit/s (max ${maxUp.toFixed(0)}, ` +
      `encoder targets max ${maxTarget.toFixed(0)}): ${maxUp <= DEFAULT_UPLOAD_KBPS ? 'PASS' : 'MISS'}`,
  );
}

async function main(): Promise<void> {
  const removeTmp = privateTmpdir('bench-mesh');
  const results: Result[] = [];
  const failures: string[] = [];
  let box: SignalingServer | null = null;
  try {
    await buildPage();
    box = await startSignaling({ port: 0, log: () => {}, httpHandler: staticHandler(PAGE_DIR) });
    for (let n = MIN_N; n <= MAX_N; n++) {
      for (const adapt of ADAPT_ONLY ? [true] : [true, false]) {
        process.stderr.write(`N = ${n}, adaptation ${adapt ? 'on' : 'off'}…\n`);
        try {
          results.push(await runOne(box.url, n, adapt));
        } catch (err) {
          // One stuck configuration should not cost the figures of all the others.
          failures.push(`N = ${n}, adaptation ${adapt ? 'on' : 'off'}: ${(err as Error).message}`);
        }
      }
    }
    printLegend();
    printTable(results);
    for (const f of failures) console.log(`FAILED ${f}`);
    if (failures.length) process.exitCode = 1;
    printTargets(results);
  } finally {
    await box?.close();
    removeTmp();
    rmSync(PAGE_DIR, { recursive: true, force: true });
  }
}

await main();
