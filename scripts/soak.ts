/**
 * `npm run soak`: four people in one meeting for a while (default 10 minutes), the memory of every
 * page and of the box sampled over time; reports the growth after the warm-up (target: < 10 %).
 *
 * Four separate headless Chromium instances, one per person, using the real built app through its
 * UI (lobby → Join), served by the real box running as its own process (`node dist/server.mjs`,
 * built into .tmp/soak/, see scripts/mesh/box.ts). Every --every seconds: each page's JS heap after
 * a forced GC (CDP), its renderer processes' RSS, the box's RSS (/proc), and how many videos each
 * page plays. Every 30 s one person in turn sends a chat message and switches the camera off and on.
 *
 *   npm run soak [-- --minutes 10] [--warmup 4] [--every 15] [--activity 30]
 *
 * --minutes is the whole call, warm-up included. Growth is judged per series on the samples after
 * the warm-up: last vs first, and the rise of a least-squares line (see printGrowth). Heap
 * snapshots at the end of the warm-up and at the end show what grew (see printComposition).
 */
import { randomBytes } from 'node:crypto';
import { parseOptions } from './bench/options.js';
import { reexecIsolated } from './isolate.js';
import { buildApp, removeBuild, startBox, type Box } from './mesh/box.js';
import { heapAfterGc, MiB, privateTmpdir, sleep, withDeadline } from './mesh/common.js';
import { chat, joinAs, playingVideos, toggleCamera, waitForVideos, type Person } from './mesh/person.js';
import { rendererRss, rssBytes } from './mesh/proc.js';

const options = parseOptions({
  usage: 'npm run soak --',
  summary: 'Four people in one meeting for a while; the memory of every page and of the box over time, and its growth after the warm-up.',
  options: {
    minutes: { type: 'number', help: 'the whole call, warm-up included', min: 0.1, max: 24 * 60, default: 10, value: 'min' },
    warmup: { type: 'number', help: 'minutes before growth is judged', min: 0, max: 24 * 60, default: 4, value: 'min' },
    every: { type: 'number', help: 'seconds between samples', min: 1, max: 3_600, default: 15, value: 's' },
    activity: { type: 'number', help: 'seconds between chat + camera toggles; 0 for none', min: 0, max: 3_600, default: 30, value: 's' },
  },
});

// After the options, so that --help and a bad option need no network namespace.
reexecIsolated();

const MINUTES = options.minutes;
/**
 * Four minutes: a page's JS heap climbs for the first 5–7 minutes of a call while V8 compiles
 * ever more of the app into optimized code and the browser fills its capped performance buffers
 * (the snapshots, printComposition, show compiled code as half of all growth), then it is flat.
 * Fitted heap growth of two 10-minute runs judged after 2 / 4 / 5 minutes: 8.2–12.5 / 3.7–6.3 /
 * 2.5–5.1 %; a 20-minute run after 7 minutes: 3.0–3.9 %.
 */
const WARMUP_MIN = options.warmup;
const EVERY_S = options.every;
/** 0: no chat and no camera toggles, to tell growth that activity causes from growth over time. */
const ACTIVITY_S = options.activity;
const TARGET_GROWTH = 0.1;
const NAMES = ['Ada', 'Bob', 'Cem', 'Dana'];

interface Sample {
  /** Seconds since everyone saw everyone. */
  t: number;
  heap: number[];
  renderer: number[];
  box: number;
  videos: number[];
}

interface Series {
  label: string;
  values: (s: Sample) => number;
}

const SERIES: Series[] = [
  ...NAMES.map((n, i) => ({ label: `${n} JS heap`, values: (s: Sample) => s.heap[i] })),
  ...NAMES.map((n, i) => ({ label: `${n} renderer RSS`, values: (s: Sample) => s.renderer[i] })),
  { label: 'box RSS', values: (s: Sample) => s.box },
];

async function takeSample(t: number, people: Person[], box: Box): Promise<Sample> {
  const heap: number[] = [];
  const renderer: number[] = [];
  const videos: number[] = [];
  for (const p of people) {
    heap.push(await heapAfterGc(p));
    renderer.push(rendererRss(p.pid));
    videos.push(await playingVideos(p.page));
  }
  return { t, heap, renderer, box: rssBytes(box.pid), videos };
}

/** The JS heap by what holds it: self bytes per constructor (or node type), from a CDP heap snapshot. */
type Composition = Map<string, number>;

async function heapComposition(p: Person): Promise<Composition> {
  const chunks: string[] = [];
  const onChunk = (e: { chunk: string }) => chunks.push(e.chunk);
  p.cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await p.cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  } finally {
    p.cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  }
  const snapshot = JSON.parse(chunks.join('')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const {
    node_fields: fields,
    node_types: [types],
  } = snapshot.snapshot.meta;
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const out: Composition = new Map();
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const kind = types[snapshot.nodes[i + type]];
    const key = kind === 'object' || kind === 'native' ? snapshot.strings[snapshot.nodes[i + name]] : `(${kind})`;
    out.set(key, (out.get(key) ?? 0) + snapshot.nodes[i + size]);
  }
  return out;
}

/** One person in turn writes in the chat and switches the camera off and on. */
async function activity(round: number, people: Person[]): Promise<void> {
  const p = people[round % people.length];
  await chat(p, `Soak message ${round + 1} from ${p.name}`);
  await toggleCamera(p);
}

/** Samples on schedule and keeps the call busy until the time is up. */
async function soak(people: Person[], box: Box): Promise<{ samples: Sample[]; failures: string[]; warm: Composition[] }> {
  const samples: Sample[] = [];
  let warm: Composition[] = [];
  const failures: string[] = [];
  const start = Date.now();
  const end = MINUTES * 60;
  const elapsed = () => (Date.now() - start) / 1000;
  let nextSample = 0;
  let nextAction = ACTIVITY_S || Infinity;
  for (let round = 0; nextSample <= end; ) {
    await sleep(Math.max(0, (Math.min(nextSample, nextAction) - elapsed()) * 1000));
    if (elapsed() >= nextSample) {
      // Sample first when both are due: the previous action has long settled by then.
      samples.push(await takeSample(nextSample, people, box));
      process.stderr.write(`sample at ${nextSample} s of ${end} s\n`);
      // What the heaps hold when the judged part starts, to tell what grew by the end.
      if (warm.length === 0 && nextSample >= WARMUP_MIN * 60) warm = await Promise.all(people.map(heapComposition));
      nextSample += EVERY_S;
    } else if (elapsed() >= nextAction) {
      // A failed action is reported, not fatal: the memory figures of the rest of the run still count.
      await activity(round++, people).catch((err: Error) => failures.push(`${Math.round(elapsed())} s: ${err.message}`));
      nextAction += ACTIVITY_S;
    }
  }
  return { samples, failures, warm };
}

/**
 * What grew on the page whose heap grew most: the constructors with the largest growth in self
 * bytes between the end of the warm-up and the end, so that a miss can be told from a leak.
 */
function printComposition(people: Person[], warm: Composition[], last: Composition[]): void {
  if (warm.length !== people.length) return;
  const total = (c: Composition) => [...c.values()].reduce((a, b) => a + b, 0);
  const i = last.map((c, j) => total(c) - total(warm[j])).reduce((best, g, j, all) => (g > all[best] ? j : best), 0);
  const grown = [...last[i]].map(([key, bytes]) => [key, bytes - (warm[i].get(key) ?? 0)] as const).sort((a, b) => b[1] - a[1]);
  const kib = (bytes: number) => (bytes / 1024).toFixed(1).padStart(9);
  console.log(`
what grew in ${people[i].name}'s JS heap after the warm-up (snapshot self sizes, KiB; ${kib(total(last[i]) - total(warm[i])).trim()} KiB in all):`);
  // Blink's C++ heap types have names of several hundred characters; the start tells them apart.
  for (const [key, bytes] of grown.slice(0, 8)) console.log(`${kib(bytes)}  ${key.length > 90 ? `${key.slice(0, 89)}…` : key}`);
}

const mib = (bytes: number, digits = 1) => (bytes / MiB).toFixed(digits);

function printSamples(samples: Sample[]): void {
  const initials = NAMES.map((n) => n[0]);
  const heads = ['t s', 'phase', ...initials.map((i) => `heap ${i}`), ...initials.map((i) => `rss ${i}`), 'box', 'videos'];
  console.log('memory in MiB; heap: JS heap after GC; rss: renderer processes; box: the box process; videos: playing per page\n');
  console.log(heads.map((h) => h.padStart(8)).join(''));
  for (const s of samples) {
    const phase = s.t < WARMUP_MIN * 60 ? 'warm-up' : 'soak';
    const cells = [String(s.t), phase, ...s.heap.map((b) => mib(b)), ...s.renderer.map((b) => mib(b, 0)), mib(s.box), s.videos.join('')];
    console.log(cells.map((c) => c.padStart(8)).join(''));
  }
}

/** Least-squares line through the points: its value at `xs[0]` and its slope. */
function fit(xs: number[], ys: number[]): { start: number; slope: number } {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const num = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0);
  const den = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const slope = den ? num / den : 0;
  return { start: my + slope * (xs[0] - mx), slope };
}

/**
 * Prints growth per series after the warm-up; returns whether every series stayed under target.
 * Judged on the fitted line (its rise over the soak, relative to its start), not on two single
 * samples: a page's heap is only a few MiB and one sample jitters by several % after a GC, so
 * last-vs-first alone would flip on noise. Both are printed.
 */
function printGrowth(samples: Sample[]): boolean {
  const after = samples.filter((s) => s.t >= WARMUP_MIN * 60);
  if (after.length < 3) {
    console.log('\nfewer than three samples after the warm-up: no growth to judge (raise --minutes)');
    return false;
  }
  const minutes = after.map((s) => s.t / 60);
  const span = minutes.at(-1)! - minutes[0];
  console.log(
    `\ngrowth after the ${WARMUP_MIN} min warm-up, ${after.length} samples from ${after[0].t} s to ${after.at(-1)!.t} s (target < ${TARGET_GROWTH * 100} %)`,
  );
  console.log("last/first: between the two samples; slope: least-squares fit; fitted: the fit's rise over the soak (judged)\n");
  const heads = ['first MiB', 'last MiB', 'last/first', 'slope MiB/min', 'fitted', ''];
  console.log(`${'series'.padEnd(20)}${heads.map((h) => h.padStart(14)).join('')}`);
  let pass = true;
  for (const series of SERIES) {
    const ys = after.map(series.values);
    const line = fit(minutes, ys);
    const fitted = (line.slope * span) / line.start;
    const ok = fitted < TARGET_GROWTH;
    pass &&= ok;
    const percent = (x: number) => `${(x * 100).toFixed(1)} %`;
    const cells = [mib(ys[0]), mib(ys.at(-1)!), percent(ys.at(-1)! / ys[0] - 1), mib(line.slope, 2), percent(fitted), ok ? 'PASS' : 'MISS'];
    console.log(`${series.label.padEnd(20)}${cells.map((c) => c.padStart(14)).join('')}`);
  }
  return pass;
}

async function main(): Promise<void> {
  const removeTmp = privateTmpdir('soak');
  let box: Box | null = null;
  const people: Person[] = [];
  try {
    await buildApp();
    box = await startBox();
    const link = `${box.url}/?lang=en#${randomBytes(16).toString('base64url')}`;
    for (const name of NAMES) people.push(await joinAs(link, name));
    for (const p of people) await waitForVideos(p, NAMES.length, 60_000);
    process.stderr.write(`four people in the call; soaking for ${MINUTES} min\n`);
    const { samples, failures, warm } = await withDeadline((MINUTES + 5) * 60_000, 'soak', soak(people, box));
    const last = warm.length ? await Promise.all(people.map(heapComposition)) : [];
    console.log(
      `\nSoak: ${NAMES.length} people (one headless Chromium each, real app and box), ${MINUTES} min, sample every ${EVERY_S} s, ${ACTIVITY_S ? `chat + camera toggle every ${ACTIVITY_S} s` : 'no activity'}\n`,
    );
    printSamples(samples);
    const pass = printGrowth(samples);
    printComposition(people, warm, last);
    for (const f of failures) console.log(`activity failed at ${f}`);
    const short = samples.filter((s) => s.videos.some((v) => v < NAMES.length)).length;
    console.log(`samples in which some page played fewer than ${NAMES.length} videos: ${short} of ${samples.length}`);
    console.log(`\nmemory growth after warm-up < ${TARGET_GROWTH * 100} % in every series: ${pass ? 'PASS' : 'MISS'}`);
  } finally {
    for (const p of people) await p.close();
    await box?.stop();
    removeBuild();
    removeTmp();
  }
}

await main();
