/**
 * `npm run bench:join`: how long from pressing Join to the first remote video frame, as Jitsi's
 * connection-time test measures it. Two Chromium instances on loopback; one waits in the room,
 * the other joins N times (default 10, after one warm-up). Prints the median time of each step,
 * counted from the press of Join. Target: median first frame ≤ 700 ms.
 *
 *   npm run bench:join [-- --runs 10]
 */
import * as esbuild from 'esbuild';
import type { Page } from 'puppeteer-core';
import { JOIN_STEPS, type JoinStep } from '../client/core/timing.js';
import { startSignaling } from '../signaling/server.js';
import { staticHandler } from '../signaling/static.js';
import { parseOptions } from './bench/options.js';
import { APP_BUILD } from './build.js';
import { reexecIsolated } from './isolate.js';
import { click, joinAs, role } from '../test/e2e/helpers.js';
import { launch, median, privateTmpdir, type Browser } from './mesh/common.js';

const TARGET_MS = 700;

const options = parseOptions({
  usage: 'npm run bench:join --',
  summary: 'How long from pressing Join to the first remote video frame: two Chromium on loopback, median of each step.',
  options: {
    runs: { type: 'number', help: 'joins to time, after one warm-up', min: 1, max: 1_000, integer: true, default: 10 },
  },
});

// After the options, so that --help and a bad option need no network namespace.
reexecIsolated();

const RUNS = options.runs;

async function pressJoin(page: Page, link: string, name: string): Promise<void> {
  await page.goto('about:blank'); // a real load each time, not a same-document fragment change
  await joinAs(page, link, name);
}

/** Milliseconds from the Join mark to each later mark, once the first frame has been marked. */
async function stepTimes(page: Page): Promise<Record<JoinStep, number>> {
  await page.waitForFunction(() => performance.getEntriesByName('runde:first-frame').length > 0, { timeout: 30_000 });
  // A string, not a function: tsx would wrap inner functions in a helper the page does not have.
  const marks = (await page.evaluate(
    `Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('runde:')).map((m) => [m.name.slice(6), m.startTime]))`,
  )) as Record<string, number>;
  return Object.fromEntries(JOIN_STEPS.map((s) => [s, (marks[s] ?? NaN) - marks.join])) as Record<JoinStep, number>;
}

async function main(): Promise<void> {
  await esbuild.build(APP_BUILD);
  const removeTmp = privateTmpdir('bench-join');
  const box = await startSignaling({ port: 0, log: () => {}, httpHandler: staticHandler('static') });
  const link = `${box.url}/?lang=en#${'B'.repeat(22)}`;
  const browsers: Browser[] = [];
  try {
    for (let i = 0; i < 2; i++) browsers.push(await launch({ viewport: { width: 800, height: 600 } }));
    const [host, guest] = browsers;
    await pressJoin(host.page, link, 'Host');
    const samples: Array<Record<JoinStep, number>> = [];
    for (let i = 0; i <= RUNS; i++) {
      await pressJoin(guest.page, link, 'Guest');
      const times = await stepTimes(guest.page);
      if (i > 0) samples.push(times); // the first run warms caches and codecs
      await click(guest.page, role('button', 'Leave meeting'));
      await host.page.waitForFunction(
        () => document.querySelector('runde-app')?.shadowRoot?.querySelector('runde-call')?.shadowRoot?.querySelectorAll('runde-tile').length === 1,
      );
    }
    console.log(`Join → first remote video frame, ${RUNS} joins (after 1 warm-up), two Chromium on loopback\n`);
    console.log(`${'step'.padEnd(16)}${'median ms'.padStart(10)}${'min'.padStart(8)}${'max'.padStart(8)}  (from pressing Join)`);
    for (const step of JOIN_STEPS.slice(1)) {
      const xs = samples.map((s) => s[step]);
      const row = [median(xs), Math.min(...xs), Math.max(...xs)].map((v) => v.toFixed(0));
      console.log(`${step.padEnd(16)}${row[0].padStart(10)}${row[1].padStart(8)}${row[2].padStart(8)}`);
    }
    const firstFrame = median(samples.map((s) => s['first-frame']));
    console.log(`\nmedian first frame ${firstFrame.toFixed(0)} ms, target ≤ ${TARGET_MS} ms: ${firstFrame <= TARGET_MS ? 'PASS' : 'MISS'}`);
  } finally {
    for (const b of browsers) await b.close();
    await box.close();
    removeTmp();
  }
}

await main();
