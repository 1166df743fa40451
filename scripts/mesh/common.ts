/**
 * Shared by the browser benches (`bench:join`, `bench:files`, `bench:mesh`, `soak`): waiting, and
 * headless Chromium instances whose profiles and temporary files live under .tmp/ (made when
 * missing, as in a fresh clone) and are removed again.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CDPSession, Page, Browser as PuppeteerBrowser } from 'puppeteer-core';
import { CHROMIUM_ARGS, launchChromium } from '../../test/chromium.js';
import { browserPid } from './proc.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TMP = join(ROOT, '.tmp');
export const MiB = 1024 * 1024;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || NaN);

/**
 * Polls `expression` in the page until it is true. A string, not a function: tsx would wrap
 * functions in a helper the page does not have.
 */
export async function waitFor(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !(await page.evaluate(expression)); await sleep(100)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
  }
}

/**
 * Points TMPDIR (Chromium's and puppeteer's scratch files) at a folder under .tmp/ for this run,
 * so that nothing is left in /tmp; returns a function that removes it.
 */
export function privateTmpdir(label: string): () => void {
  mkdirSync(TMP, { recursive: true });
  const dir = mkdtempSync(join(TMP, `${label}-tmp-`));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}

export interface Browser {
  browser: PuppeteerBrowser;
  page: Page;
  cdp: CDPSession;
  /** The browser process; every other Chromium process of this instance is below it. */
  pid: number;
  close(): Promise<void>;
}

export interface LaunchOptions {
  args?: string[];
  viewport?: { width: number; height: number };
}

/** A fresh headless Chromium with its own profile under .tmp/ (removed on close). */
export async function launch(options: LaunchOptions = {}): Promise<Browser> {
  mkdirSync(TMP, { recursive: true });
  const dir = mkdtempSync(join(TMP, 'bench-profile-'));
  // No limit on one DevTools call (puppeteer's default is 3 min): a heap snapshot of a page on a
  // loaded machine can take longer. A bench bounds its runs itself (withDeadline).
  const { browser, page } = await launchChromium(dir, options.args ?? CHROMIUM_ARGS, options.viewport ?? { width: 1280, height: 720 }, { protocolTimeout: 0 });
  const cdp = await page.createCDPSession();
  await cdp.send('Performance.enable');
  const close = async () => {
    await browser.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    return { browser, page, cdp, pid: browserPid(dir), close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The page's JS heap in use after a full garbage collection, in bytes. */
export async function heapAfterGc(b: Browser): Promise<number> {
  await b.cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await b.cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
}

/** Runs `work`, failing it after `ms` so that a hung browser cannot hang the run. */
export async function withDeadline<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no end after ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Opens bench:mesh's page (scripts/mesh/mesh-page.ts, served at /bench/) in `b` and starts `n`
 * Meetings in the room of `secret`; resolves once they arrived in turn.
 */
export async function startMeetings(b: Browser, url: string, secret: string, n: number, adapt: boolean): Promise<void> {
  await b.page.goto(`${url}/bench/index.html`);
  await waitFor(b.page, '!!window.meshBench');
  await b.page.evaluate(`window.meshBench.start(${JSON.stringify(secret)}, ${n}, ${adapt})`);
}
