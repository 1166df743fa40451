/**
 * Whole-call helpers: the built app served by the real box (as `npm start` runs it) and separate
 * Chromium instances driven by playwright-core, one per person.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../chromium.js';
import { untilOutput } from '../process.js';

export const ROOT = new URL('../..', import.meta.url).pathname;
/** Generous: these waits only stop a broken test from hanging; they are not performance limits. */
export const WAIT_MS = 30_000;

export interface App {
  url: string;
  process: ChildProcess;
}

/** Starts dist/server.mjs serving static/ (built by the test runner first) on a free port. */
export async function startApp(t: TestContext, env: Record<string, string> = {}): Promise<App> {
  const child = spawn(process.execPath, ['dist/server.mjs'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', STATIC_DIR: 'static', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  const [, url] = await untilOutput(child, /listening on (http:\/\/\S+) /, 'the app server (dist/server.mjs)');
  return { url, process: child };
}

export interface Person {
  context: BrowserContext;
  page: Page;
}

/** What a person's screen is like, when not a desktop window of 800×600. */
export interface Screen {
  viewport?: { width: number; height: number };
  isMobile?: boolean;
  hasTouch?: boolean;
}

/** A fresh Chromium with its own profile, fake camera and microphone. */
export async function person(t: TestContext, profileDir?: string, extraArgs: string[] = [], screen: Screen = {}): Promise<Person> {
  const dir = profileDir ?? mkdtempSync(join(ROOT, '.tmp', 'profile-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    viewport: { width: 800, height: 600 },
    ...screen,
  });
  t.after(async () => {
    await context.close().catch(() => {});
    if (!profileDir) rmSync(dir, { recursive: true, force: true });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

/** A copy of the built static/ (removed when the test ends), with `files` written into it. */
export function copyOfStatic(t: TestContext, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(ROOT, '.tmp', 'static-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Kept mtimes: a file written below is then newer than the build's compressed copy of the
  // old file, so that the box serves the new file rather than the stale copy.
  cpSync(join(ROOT, 'static'), dir, { recursive: true, preserveTimestamps: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** An init script that records every RTCPeerConnection a page makes (window.__pcs). */
export const RECORD_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(config, ...rest) { super(config, ...rest); window.__pcs.push({ pc: this, config: JSON.parse(JSON.stringify(config ?? {})) }); }
  };
})();`;

/** A person who ticks "relay only" in the lobby and joins; their connections are recorded. */
export async function relayPerson(t: TestContext, link: string, name: string): Promise<Person> {
  const p = await person(t);
  await p.context.addInitScript(RECORD_PEER_CONNECTIONS);
  await p.page.goto(link);
  await p.page.locator('input[name=relay-only]').check();
  await joinAs(p.page, link, name);
  return p;
}

/** What arrived so far over the page's open connections (needs RECORD_PEER_CONNECTIONS). */
export interface Inbound {
  /** Video frames decoded. */
  frames: number;
  /** Audio packets received: they keep coming while someone's microphone is on, video or not. */
  audioPackets: number;
}

export function inbound(page: Page): Promise<Inbound> {
  return page.evaluate(async () => {
    const totals = { frames: 0, audioPackets: 0 };
    for (const { pc } of (window as unknown as { __pcs: Array<{ pc: RTCPeerConnection }> }).__pcs) {
      if (pc.signalingState === 'closed') continue; // a replaced connection has no stats to give
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') totals.frames += s.framesDecoded ?? 0;
        if (s.type === 'inbound-rtp' && s.kind === 'audio') totals.audioPackets += s.packetsReceived ?? 0;
      });
    }
    return totals;
  });
}

/** Video frames decoded so far over the page's open connections (needs RECORD_PEER_CONNECTIONS). */
export async function framesDecoded(page: Page): Promise<number> {
  return (await inbound(page)).frames;
}

/**
 * Whether each video sender of the page's open connections sends (its first encoding's
 * `active`), one entry per sender that has a track (needs RECORD_PEER_CONNECTIONS).
 */
export function videoSendersActive(page: Page): Promise<boolean[]> {
  return page.evaluate(() =>
    (window as unknown as { __pcs: Array<{ pc: RTCPeerConnection }> }).__pcs
      .filter(({ pc }) => pc.signalingState !== 'closed')
      .flatMap(({ pc }) => pc.getSenders())
      .filter((s) => s.track?.kind === 'video')
      .map((s) => s.getParameters().encodings[0]?.active !== false),
  );
}

/** Videos in tiles that are shown and actually playing frames. */
export function playingVideos(page: Page): Promise<number> {
  return page
    .locator('runde-tile video')
    .evaluateAll(
      (videos) => (videos as HTMLVideoElement[]).filter((v) => v.srcObject && !v.hidden && v.videoWidth > 0 && v.readyState >= 2 && !v.paused).length,
    );
}

export function tileCount(page: Page): Promise<number> {
  return page.locator('runde-tile').count();
}

/** Polls `read` until `ok` holds; fails with the last value after WAIT_MS. */
export async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  let last: T;
  do {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < deadline);
  throw new Error(`${what}: still ${JSON.stringify(last)} after ${WAIT_MS} ms`);
}

/** Opens `link`, types a name and presses Join once the lobby has its media. */
export async function joinAs(page: Page, link: string, name: string): Promise<void> {
  await page.goto(link);
  await page.locator('#name').fill(name);
  const join = page.locator('button[name=join]');
  await join.waitFor();
  await waitFor(
    () => join.isEnabled(),
    (v) => v,
    'join button enabled',
  );
  await join.click();
}
