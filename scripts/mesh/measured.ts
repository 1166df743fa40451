/**
 * bench:mesh's measured person: one participant in a Chromium of its own, pinned to one core, as
 * on a laptop, while the N−1 others share one page of another Chromium pinned to the other core.
 * The measured one is either the real app (its tiles, layout, speaking detection and stats
 * polling included; adaptation always on, as people get it) or a bare Meeting in the bench's page
 * drawing its remote videos in tile-sized <video>s (adaptation on or off, to compare).
 */
import { execFileSync } from 'node:child_process';
import type { Page } from 'puppeteer-core';
import type { ViewRole } from '../../client/core/bandwidth.js';
import { joinAs, reportOnline } from '../../test/e2e/helpers.js';
import { launch, median, sleep, startMeetings, waitFor, type Browser } from './common.js';
import type { AppSample, TileSample } from './app-probe.js';
import type { LinkSample } from './link-sample.js';
import { CLK_TCK, cpuTicks, descendants } from './proc.js';
import { jsProfile } from './profile.js';
import { rates, type Rates } from './rates.js';
import { threadDelta, threadTicks } from './threads.js';

export type MeasuredKind = 'app' | 'page';

export interface MeasuredResult {
  n: number;
  kind: MeasuredKind;
  adapt: boolean;
  /** The measured person's Chromium, % of its one core. */
  cpuPercent: number;
  /** The others' Chromium, % of their one core (at 100 they could not send all they meant to). */
  othersPercent: number;
  /** The measured person's own connections. */
  rates: Rates;
  /** The app's tiles: frames presented per second, by role (empty for the bench's page). */
  shown: Record<ViewRole, number[]>;
  /** What the others encoded per second for the measured person (median). */
  othersSentFps: number;
  /** The measured Chromium's busiest thread groups, % of a core. */
  threads: Array<[string, number]>;
  /** The app's JavaScript by function after the window (ms per second), busiest first. */
  js: Array<[string, number]>;
  connectSeconds: number;
}

/** Pins every thread of every process of a Chromium to `cpu` (new processes inherit it). */
export function pin(browser: Browser, cpu: number): void {
  for (const pid of descendants(browser.pid)) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    } catch {
      // the process ended meanwhile
    }
  }
}

const sampleOf = (page: Page) => page.evaluate('window.meshBench.sample()') as Promise<LinkSample[]>;
const appSampleOf = (page: Page) => page.evaluate('window.rundeProbe.sample()') as Promise<AppSample>;

/** Frames presented per second per tile between two readings, by the role the tile had at the end. */
function shownRates(t0: readonly TileSample[], t1: readonly TileSample[]): Record<ViewRole, number[]> {
  const out: Record<ViewRole, number[]> = { large: [], thumbnail: [] };
  const before = new Map(t0.map((t) => [t.peer, t]));
  for (const t of t1) {
    const b = before.get(t.peer);
    if (b && t.at > b.at) out[t.role].push(((t.frames - b.frames) * 1000) / (t.at - b.at));
  }
  return out;
}

export interface MeasuredSetup {
  /** The box's address, serving the app at / and the bench's page at /bench/. */
  url: string;
  args: string[];
  probe: string;
  connectMs: number;
  warmupMs: number;
  windowMs: number;
}

/** Before the app loads: the probe (app-probe.ts), and a browser that says it is online (see test/e2e/helpers.ts). */
export async function prepareApp(b: Browser, probe: string): Promise<void> {
  await b.page.evaluateOnNewDocument(probe);
  await reportOnline(b.page);
}

export async function measurePerson(setup: MeasuredSetup, n: number, kind: MeasuredKind, adapt: boolean, secret: string): Promise<MeasuredResult> {
  const others = await launch({ args: setup.args });
  let person: Browser | null = null;
  try {
    pin(others, 1);
    await startMeetings(others, setup.url, secret, n - 1, adapt);
    await waitFor(others.page, `window.meshBench.connected(${n - 2})`, setup.connectMs);
    person = await launch({ args: setup.args, viewport: { width: 1280, height: 720 } });
    pin(person, 0);
    const started = performance.now();
    if (kind === 'app') {
      await prepareApp(person, setup.probe);
      await joinAs(person.page, `${setup.url}/?lang=en#${secret}`, 'Measured');
      await waitFor(person.page, `window.rundeProbe.playingRemoteTiles() === ${n - 1}`, setup.connectMs);
    } else {
      await startMeetings(person, setup.url, secret, 1, adapt);
      await waitFor(person.page, `window.meshBench.connected(${n - 1})`, setup.connectMs);
    }
    await waitFor(others.page, `window.meshBench.connected(${n - 1})`, setup.connectMs);
    const connectSeconds = (performance.now() - started) / 1000;
    await others.page.evaluate('window.meshBench.reportViews(false)');
    if (kind === 'page') await person.page.evaluate('window.meshBench.reportViews(true)');
    await sleep(setup.warmupMs);
    // Processes started since (a utility process for audio, say) are pinned too.
    pin(others, 1);
    pin(person, 0);
    const [mine, theirs] = [descendants(person.pid), descendants(others.pid)];
    const read = async () => ({
      at: performance.now(),
      cpu: cpuTicks(mine),
      othersCpu: cpuTicks(theirs),
      threads: threadTicks(mine),
      app: kind === 'app' ? await appSampleOf(person!.page) : null,
      page: kind === 'page' ? await sampleOf(person!.page) : null,
      others: await sampleOf(others.page),
    });
    const r0 = await read();
    await sleep(setup.windowMs);
    const r1 = await read();
    // After the window, so that the profiler's own cost is not in the figures.
    const profileMs = Math.min(5_000, setup.windowMs);
    const js = kind === 'app' ? (await jsProfile(person, profileMs)).map(([k, v]): [string, number] => [k, v / (profileMs / 1000)]) : [];
    const seconds = (r1.at - r0.at) / 1000;
    const perCore = (ticks: number) => (ticks / CLK_TCK / seconds) * 100;
    const own = kind === 'app' ? rates(r0.app!.links, r1.app!.links) : rates(r0.page!, r1.page!);
    const toMeasured = (s: LinkSample[]) => s.filter((l) => l.remote === -1);
    return {
      n,
      kind,
      adapt,
      cpuPercent: perCore(r1.cpu - r0.cpu),
      othersPercent: perCore(r1.othersCpu - r0.othersCpu),
      rates: own,
      shown: kind === 'app' ? shownRates(r0.app!.tiles, r1.app!.tiles) : { large: [], thumbnail: [] },
      othersSentFps: median(rates(toMeasured(r0.others), toMeasured(r1.others)).encoded),
      threads: threadDelta(r0.threads, r1.threads).map(([k, v]) => [k, perCore(v)]),
      js,
      connectSeconds,
    };
  } finally {
    for (const b of [person, others]) {
      if (!b) continue;
      await b.page.evaluate('window.meshBench?.leave()').catch(() => {});
      await b.close();
    }
  }
}
