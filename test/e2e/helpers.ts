/**
 * Whole-call helpers: the built app served by the real box (as `npm start` runs it) and separate
 * Chromium instances driven by puppeteer-core, one per person; and one small set of ways to find,
 * read and use the UI, whose Lit components keep their insides in shadow roots. Selectors go
 * through every shadow root: `role()` and `text()` (puppeteer's ARIA and text queries) and CSS
 * with the deep combinator `>>>`. The readers take any puppeteer page, Firefox's too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Browser, CDPSession, KeyInput, Page, Protocol, Viewport } from 'puppeteer-core';
import { CHROMIUM_ARGS, launchChromium } from '../chromium.js';
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
  browser: Browser;
  page: Page;
}

/**
 * A fresh Chromium with its own profile, fake camera and microphone, closed after the test.
 * `viewport`: a desktop window of 800×600 unless a phone or tablet is emulated.
 */
export async function person(t: TestContext, profileDir?: string, extraArgs: string[] = [], viewport: Viewport = { width: 800, height: 600 }): Promise<Person> {
  const dir = profileDir ?? mkdtempSync(join(ROOT, '.tmp', 'profile-'));
  const { browser, page } = await launchChromium(dir, [...CHROMIUM_ARGS, ...extraArgs], viewport);
  t.after(async () => {
    await browser.close().catch(() => {});
    if (!profileDir) rmSync(dir, { recursive: true, force: true });
  });
  return { browser, page };
}

/** A copy of the built static/ (removed when the test ends), with `files` written into it. */
export function copyOfStatic(t: TestContext, files: Record<string, string> = {}): string {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
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
  window.__iceErrors = [];
  window.RTCPeerConnection = class extends Native {
    constructor(config, ...rest) {
      super(config, ...rest);
      window.__pcs.push({ pc: this, config: JSON.parse(JSON.stringify(config ?? {})) });
      this.addEventListener('icecandidateerror', (e) => window.__iceErrors.push({ code: e.errorCode, url: e.url }));
    }
  };
})();`;

/** A person who ticks "relay only" in the lobby and joins; their connections are recorded. */
export async function relayPerson(t: TestContext, link: string, name: string): Promise<Person> {
  const p = await person(t);
  await p.page.evaluateOnNewDocument(RECORD_PEER_CONNECTIONS);
  await p.page.goto(link);
  await setChecked(p.page, '>>> input[name=relay-only]', true);
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
  return page.$$eval(
    '>>> runde-tile >>> video',
    (videos) => (videos as HTMLVideoElement[]).filter((v) => v.srcObject && !v.hidden && v.videoWidth > 0 && v.readyState >= 2 && !v.paused).length,
  );
}

export function tileCount(page: Page): Promise<number> {
  return count(page, '>>> runde-tile');
}

/** Polls `read` until `ok` holds; fails with the last value after `ms`. */
export async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T;
  do {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < deadline);
  throw new Error(`${what}: still ${JSON.stringify(last)} after ${ms} ms`);
}

/**
 * Waits until the lobby's microphone and camera have started (its preview holds both tracks),
 * or one of them failed (a problem is shown).
 */
export async function lobbyDevicesSettled(page: Page): Promise<void> {
  const settled = () =>
    page
      .$$eval('>>> runde-lobby', (lobbies) => {
        const root = lobbies[0]?.shadowRoot;
        const stream = root?.querySelector('video')?.srcObject as MediaStream | null | undefined;
        return (stream?.getTracks().length ?? 0) === 2 || Boolean(root?.querySelector('[role=alert]'));
      })
      .catch(() => false); // a page in the middle of loading: look again
  await waitFor(settled, (ok) => ok, "the lobby's microphone and camera started");
}

/**
 * Opens `link`, types a name and presses Join once microphone and camera have started (or
 * failed). Join itself does not wait for them (test/e2e/slow-camera.test.ts); the tests that use
 * this helper are about a person who joins with them.
 */
export async function joinAs(page: Page, link: string, name: string): Promise<void> {
  await page.goto(link);
  await fill(page, '>>> #name', name);
  await lobbyDevicesSettled(page);
  await click(page, '>>> button[name=join]');
}

// Finding things. The functions below wait for what they need, or say that they read what is
// there now. puppeteer 24 does not see an element appear inside a shadow root when it waits for
// a `>>>` or `::-p-text` selector by watching for DOM mutations (MutationObserver stops at shadow
// roots; puppeteer/puppeteer#13163), as its locators and plain waitForSelector do: so these wait
// for a shown element (polled every animation frame) or poll themselves, and only then hand the
// element to a locator, whose first look finds it.

/** An element with this ARIA role and, if given, exactly this accessible name. */
export function role(role: string, name?: string): string {
  return `::-p-aria(${name === undefined ? '' : `[name=${JSON.stringify(name)}]`}[role=${JSON.stringify(role)}])`;
}

/** The innermost elements whose text contains `text`. */
export function text(text: string): string {
  return `::-p-text(${JSON.stringify(text)})`;
}

/** How many elements `selector` matches now. */
export async function count(page: Page, selector: string): Promise<number> {
  const handles = await page.$$(selector);
  await Promise.all(handles.map((h) => h.dispose()));
  return handles.length;
}

/** The text content of every element `selector` matches now. */
export function texts(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (els) => els.map((el) => el.textContent ?? ''));
}

/** The rendered text (innerText) of every element `selector` matches now. */
export function innerTexts(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (els) => els.map((el) => (el as HTMLElement).innerText));
}

/** Runs `fn` in the page on the first element `selector` matches, once there is one. */
export async function evaluateOn<E extends Element, R, A = undefined>(page: Page, selector: string, fn: (el: E, arg: A) => R, arg?: A): Promise<Awaited<R>> {
  const handle = (await waitFor(
    () => page.$(selector).catch(() => null), // a page in the middle of loading: look again
    (h) => h !== null,
    `${selector} present`,
  ))!;
  try {
    return (await handle.evaluate(fn as unknown as (el: Element, arg: unknown) => unknown, arg as unknown)) as Awaited<R>;
  } finally {
    await handle.dispose();
  }
}

/** An attribute of the first element `selector` matches, once there is one. */
export function attribute(page: Page, selector: string, name: string): Promise<string | null> {
  return evaluateOn(page, selector, (el, n: string) => el.getAttribute(n), name);
}

export function innerText(page: Page, selector: string): Promise<string> {
  return evaluateOn(page, selector, (el: HTMLElement) => el.innerText);
}

/**
 * Clicks an item of the call's "more" menu (its items exist only while it is open): opens the
 * menu when it is closed, then clicks `selector` (e.g. role('button', 'Invite people')).
 */
export async function clickInMore(page: Page, selector: string): Promise<void> {
  const more = '>>> runde-controls >>> button[name=more]';
  if ((await attribute(page, more, 'aria-expanded')) !== 'true') await click(page, more);
  await click(page, selector);
}

/**
 * Makes the page's browser say it is online, as a browser on a real network does. The e2e suite
 * runs in a network namespace with only loopback (scripts/isolate.ts), where Chromium reports
 * navigator.onLine === false; tests of "the box is down but the network is not" need the real case.
 */
export function reportOnline(page: Page): Promise<unknown> {
  // A string: tsx would name the getter with a helper (__name) that the page does not have.
  return page.evaluateOnNewDocument("Object.defineProperty(Navigator.prototype, 'onLine', { configurable: true, get: () => true })");
}

/** `aria-pressed` of a button of the call's control bar, e.g. 'mic'. */
export function pressed(page: Page, control: string): Promise<string | null> {
  return attribute(page, `>>> runde-controls >>> button[name=${control}]`, 'aria-pressed');
}

interface Match {
  text: string;
  visible: boolean;
}

/** The elements `selector` matches now whose text content contains `hasText` (all without it). */
async function matches(page: Page, selector: string, hasText: string | undefined): Promise<Match[]> {
  const found: Match[] = [];
  for (const handle of await page.$$(selector)) {
    try {
      const [shownText, content] = await handle.evaluate((el) => [(el as HTMLElement).innerText ?? '', el.textContent ?? '']);
      if (hasText === undefined || content.includes(hasText)) found.push({ text: shownText, visible: await handle.isVisible() });
    } finally {
      await handle.dispose();
    }
  }
  return found;
}

/** Waits until `ok` holds for the matches of `selector`; a failed look (a page loading) looks again. */
function untilMatches(
  page: Page,
  selector: string,
  hasText: string | undefined,
  ok: (m: Match[]) => boolean,
  what: string,
  ms = WAIT_MS,
): Promise<Match[] | string> {
  return waitFor(
    () => matches(page, selector, hasText).catch((err: Error) => err.message),
    (m) => typeof m !== 'string' && ok(m),
    `${selector}${hasText === undefined ? '' : ` with "${hasText}"`} ${what}`,
    ms,
  );
}

/** Waits until an element `selector` matches (containing `hasText`, if given) is shown; returns its innerText. */
export async function shown(page: Page, selector: string, hasText?: string): Promise<string> {
  const found = (await untilMatches(page, selector, hasText, (m) => m.some((x) => x.visible), 'shown')) as Match[];
  return found.find((x) => x.visible)!.text;
}

/** Waits until no element `selector` matches (containing `hasText`, if given) is shown. */
export async function hidden(page: Page, selector: string, hasText?: string): Promise<void> {
  await untilMatches(page, selector, hasText, (m) => !m.some((x) => x.visible), 'hidden');
}

/** Waits until no element `selector` matches (containing `hasText`, if given) is left at all. */
export async function gone(page: Page, selector: string, hasText?: string, ms = WAIT_MS): Promise<void> {
  await untilMatches(page, selector, hasText, (m) => m.length === 0, 'gone', ms);
}

/** Waits until the page's address matches `url` (also a change of its fragment alone). */
export async function urlMatches(page: Page, url: RegExp): Promise<void> {
  await waitFor(
    async () => page.url(),
    (u) => url.test(u),
    `the address matching ${url}`,
  );
}

/** Waits for a heading with this accessible name and checks its level (h1 or aria-level). */
export async function heading(page: Page, name: string, level: number): Promise<void> {
  await shown(page, role('heading', name));
  const actual = await evaluateOn(page, role('heading', name), (el) => Number(el.getAttribute('aria-level') ?? el.tagName.slice(1)));
  if (actual !== level) throw new Error(`the heading "${name}" is of level ${actual}, not ${level}`);
}

// Using things, as a person does.

/** Waits until `selector` matches a shown element (polled every animation frame). */
async function untilShown(page: Page, selector: string): Promise<void> {
  const handle = await page.waitForSelector(selector, { visible: true, timeout: WAIT_MS });
  await handle?.dispose();
}

/** Clicks the element `selector` matches once it is shown, stable and enabled (a locator's click). */
export async function click(page: Page, selector: string): Promise<void> {
  await untilShown(page, selector);
  await page.locator(selector).click();
}

/** Fills a text field, or chooses an option of a <select> by its value, once it is shown and enabled. */
export async function fill(page: Page, selector: string, value: string): Promise<void> {
  await untilShown(page, selector);
  await page.locator(selector).fill(value);
}

/** Ticks (`on`) or unticks a checkbox by clicking it; fails when the click does not change it. */
export async function setChecked(page: Page, selector: string, on: boolean): Promise<void> {
  const checked = () => evaluateOn(page, selector, (el: HTMLInputElement) => el.checked);
  if ((await checked()) !== on) await click(page, selector);
  await waitFor(checked, (c) => c === on, `${selector} ${on ? 'ticked' : 'unticked'} by a click`);
}

/** Chooses the option labelled `label` of a <select>, once it is offered; returns its value. */
export async function selectByLabel(page: Page, selector: string, label: string): Promise<string> {
  const value = await waitFor(
    () => evaluateOn(page, selector, (select: HTMLSelectElement, l: string) => [...select.options].find((o) => o.label === l)?.value ?? null, label),
    (v) => v !== null,
    `the option "${label}" of ${selector}`,
  );
  await fill(page, selector, value!);
  return value!;
}

/** Focuses the element `selector` matches and presses `key`, e.g. Enter in a text field. */
export async function pressIn(page: Page, selector: string, key: KeyInput): Promise<void> {
  await evaluateOn(page, selector, (el: HTMLElement) => el.focus());
  await page.keyboard.press(key);
}

/**
 * Runs `setup` in a CDP session of every page and service worker of `browser`: those open now
 * and those still to come, which wait to run until `setup` is done. (puppeteer keeps no session
 * of service workers, whose requests and network a test may need as well.)
 */
export async function everyTarget(browser: Browser, setup: (session: CDPSession, target: Protocol.Target.TargetInfo) => Promise<void>): Promise<void> {
  const root = await browser.target().createCDPSession();
  root.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => {
    const session = root.connection()?.session(sessionId);
    if (!session) return;
    void setup(session, targetInfo)
      .catch(() => {}) // the target went away meanwhile
      .finally(() => session.send('Runtime.runIfWaitingForDebugger').catch(() => {}));
  });
  await root.send('Target.setAutoAttach', {
    autoAttach: true,
    waitForDebuggerOnStart: true,
    flatten: true,
    filter: [{ type: 'page' }, { type: 'service_worker' }],
  });
}
