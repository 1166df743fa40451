/**
 * `npm run bench:files`: one file (default 100 MiB of random bytes) from one Chromium to another
 * on loopback, through the real box and the real FileTransfers. Prints the throughput from accept
 * to verified done, and the memory of sender and receiver before (baseline, after a GC) and at
 * their peak during the transfer, sampled every 200 ms: the page's JS heap (CDP) and the resident
 * memory of each browser's renderer processes (/proc). Memory should stay flat: far below the size.
 *
 *   npm run bench:files [-- --size 100]
 */
import * as esbuild from 'esbuild';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSignaling } from '../signaling/server.js';
import { staticHandler } from '../signaling/static.js';
import type { BenchStatus } from './bench/files-page.js';
import { parseOptions } from './bench/options.js';
import { APP_BUILD } from './build.js';
import { reexecIsolated } from './isolate.js';
import { launch, privateTmpdir, sleep, TMP, waitFor, type Browser } from './mesh/common.js';
import { rendererRss } from './mesh/proc.js';

const options = parseOptions({
  usage: 'npm run bench:files --',
  summary: 'One file of random bytes from one Chromium to another on loopback: throughput, and the memory of both sides.',
  options: {
    size: { type: 'number', help: 'the file size', min: 1, max: 4_096, integer: true, default: 100, value: 'MiB' },
  },
});

// After the options, so that --help and a bad option need no network namespace.
reexecIsolated();

const SIZE_MIB = options.size;
const PAGE_DIR = join(TMP, 'bench', 'files');
const SAMPLE_INTERVAL_MS = 200;
/** The whole run gives up after this long (a stuck transfer must not hang CI). */
const DEADLINE_MS = 10 * 60_000;
const MiB = 1024 * 1024;

interface Memory {
  /** The page's JS heap in use (Performance.getMetrics JSHeapUsedSize). */
  heap: number;
  /** ArrayBuffer backing stores outside the heap, live or awaiting GC (Runtime.getHeapUsage). */
  buffers: number;
  /** Resident memory of all the browser's renderer processes. */
  rendererRss: number;
}

async function buildPage(): Promise<void> {
  mkdirSync(PAGE_DIR, { recursive: true });
  writeFileSync(
    join(PAGE_DIR, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>bench:files</title><script type="module" src="files-page.js"></script>\n',
  );
  await esbuild.build({
    ...APP_BUILD,
    entryPoints: { 'files-page': 'scripts/bench/files-page.ts' },
    outdir: PAGE_DIR,
    minify: false,
    sourcemap: false,
  });
}

interface Person extends Browser {
  name: string;
}

async function open(name: string, url: string): Promise<Person> {
  const b = await launch();
  try {
    await b.page.goto(url);
    await waitFor(b.page, '!!window.bench');
  } catch (err) {
    await b.close();
    throw err;
  }
  return { ...b, name };
}

async function measure(b: Browser): Promise<Memory> {
  const { metrics } = (await b.cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
  const usage = (await b.cdp.send('Runtime.getHeapUsage')) as { backingStorageSize?: number };
  return {
    heap: metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN,
    buffers: usage.backingStorageSize ?? NaN,
    rendererRss: rendererRss(b.pid),
  };
}

const status = (b: Browser) => b.page.evaluate('window.bench.status()') as Promise<BenchStatus>;

/** Sender's and receiver's memory at one moment of the transfer. */
type Sample = [Memory, Memory];

/** Runs the transfer while sampling memory; returns the receiver's final status and the samples. */
async function transfer(sender: Browser, receiver: Browser): Promise<{ done: BenchStatus; samples: Sample[] }> {
  const samples: Sample[] = [];
  let sampling = true;
  const sampler = (async () => {
    for (; sampling; await sleep(SAMPLE_INTERVAL_MS)) samples.push(await Promise.all([measure(sender), measure(receiver)]));
  })();
  try {
    await sender.page.evaluate('window.bench.send()');
    await waitFor(receiver.page, 'window.bench.hasOffer()');
    await receiver.page.evaluate('window.bench.accept()');
    for (const deadline = Date.now() + DEADLINE_MS; ; await sleep(SAMPLE_INTERVAL_MS)) {
      const [s, r] = await Promise.all([status(sender), status(receiver)]);
      if (s.state === 'done' && r.state === 'done') return { done: r, samples };
      if ([s, r].some((x) => x.state === 'failed' || x.state === 'cancelled')) throw new Error(`transfer ended: ${JSON.stringify({ s, r })}`);
      if (Date.now() > deadline) throw new Error(`no end after ${DEADLINE_MS} ms: ${JSON.stringify({ s, r })}`);
    }
  } finally {
    sampling = false;
    await sampler;
  }
}

const mib = (bytes: number) => (bytes / MiB).toFixed(1).padStart(10);
const ROWS = [
  ['heap', 'JS heap'],
  ['buffers', 'ArrayBuffers'],
  ['rendererRss', 'renderer RSS'],
] as const;

/**
 * Prints the table. Peaks hold garbage: every chunk is a fresh ArrayBuffer, and V8 frees them in
 * batches (when tens of MiB of them wait), so the peak is bounded by the GC, not by the file size.
 * What is kept is the memory after the transfer and a GC: that must be back near the baseline.
 */
function report(size: number, done: BenchStatus, baselines: Sample, samples: Sample[], after: Sample): void {
  const seconds = done.ms! / 1000;
  const mbps = size / 1e6 / seconds;
  console.log(`File transfer of ${SIZE_MIB} MiB (${(size / 1e6).toFixed(1)} MB) of random bytes, two Chromium on loopback\n`);
  console.log(`accept → verified done   ${seconds.toFixed(2)} s   ${mbps.toFixed(1)} MB/s   (${(mbps * 8).toFixed(0)} Mbit/s)\n`);
  const heads = ['baseline', 'peak', 'growth', 'after GC'];
  console.log(`${'memory, MiB'.padEnd(24)}${heads.map((h) => h.padStart(10)).join('')}`);
  let peakGrowth = 0;
  let kept = 0;
  for (const [side, who] of [
    [0, 'sender'],
    [1, 'receiver'],
  ] as const) {
    for (const [key, label] of ROWS) {
      const base = baselines[side][key];
      const peak = Math.max(base, ...samples.map((s) => s[side][key]));
      console.log(`${`${who} ${label}`.padEnd(24)}${[base, peak, peak - base, after[side][key]].map(mib).join('')}`);
      if (key === 'rendererRss') {
        peakGrowth = Math.max(peakGrowth, peak - base);
        kept = Math.max(kept, after[side][key] - base);
      }
    }
  }
  const pct = (bytes: number) => `${((100 * bytes) / size).toFixed(0)} % of the file`;
  const flat = kept < size / 10;
  console.log(`\n${samples.length} samples. Renderer peak growth ${(peakGrowth / MiB).toFixed(1)} MiB (${pct(peakGrowth)}, collectable chunks);`);
  console.log(`kept after the transfer and a GC ${(kept / MiB).toFixed(1)} MiB (${pct(kept)}): ${flat ? 'FLAT' : 'GROWS WITH THE FILE'}`);
}

/** Memory of both once the transfer is over and garbage collected. */
async function settle(browsers: Browser[]): Promise<Sample> {
  for (const b of browsers) await b.cdp.send('HeapProfiler.collectGarbage');
  await sleep(1_000); // freed pages go back to the system a little later
  return Promise.all([measure(browsers[0]), measure(browsers[1])]);
}

async function main(): Promise<void> {
  await buildPage();
  const removeTmp = privateTmpdir('bench-files');
  const box = await startSignaling({ port: 0, log: () => {}, httpHandler: staticHandler(PAGE_DIR) });
  const browsers: Person[] = [];
  try {
    for (const name of ['sender', 'receiver']) browsers.push(await open(name, `${box.url}/index.html`));
    const [sender, receiver] = browsers;
    const secret = randomBytes(16).toString('base64url');
    for (const b of browsers) await b.page.evaluate(`window.bench.join(${JSON.stringify(secret)}, ${JSON.stringify(b.name)})`);
    for (const b of browsers) await waitFor(b.page, 'window.bench.connected()');
    const size = (await sender.page.evaluate(`window.bench.makeFile(${SIZE_MIB})`)) as number;
    for (const b of browsers) await b.cdp.send('HeapProfiler.collectGarbage');
    const baselines: Sample = await Promise.all([measure(sender), measure(receiver)]);
    const { done, samples } = await transfer(sender, receiver);
    report(size, done, baselines, samples, await settle(browsers));
  } finally {
    for (const b of browsers) {
      await b.page.evaluate('window.bench.leave()').catch(() => {});
      await b.close();
    }
    await box.close();
    removeTmp();
  }
}

await main();
