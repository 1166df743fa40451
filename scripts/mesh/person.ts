/**
 * One person of `npm run soak`, driving the real app's UI as a person would: join from the
 * lobby, write in the chat, switch the camera off and on. English labels (`?lang=en`).
 */
import type { Page } from 'playwright-core';
import { launch, sleep, type Browser } from './common.js';

const WAIT_MS = 30_000;
/** How long the camera stays off when toggled: long enough for the others to see it go. */
const CAMERA_OFF_MS = 2_000;

export interface Person extends Browser {
  name: string;
}

/** Polls `read` until `ok` holds. */
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = WAIT_MS): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(value)} after ${ms} ms`);
    await sleep(200);
  }
}

/** A fresh browser that opens `link`, types `name` and presses Join once the lobby has its media. */
export async function joinAs(link: string, name: string): Promise<Person> {
  const browser = await launch({ viewport: { width: 1280, height: 720 } });
  const errors: string[] = [];
  browser.page.on('pageerror', (e) => errors.push(e.message));
  try {
    await browser.page.goto(link);
    await browser.page.locator('#name').fill(name);
    const join = browser.page.locator('button[name=join]');
    await until(
      () => join.isEnabled(),
      (v) => v,
      'join button enabled',
    );
    await join.click();
    return { ...browser, name };
  } catch (err) {
    await browser.close();
    throw new Error(`${name} could not join: ${(err as Error).message}; page errors: ${JSON.stringify(errors)}`);
  }
}

/** Tiles whose video is shown and playing frames (the own one included). */
export function playingVideos(page: Page): Promise<number> {
  return page
    .locator('runde-tile video')
    .evaluateAll(
      (videos) => (videos as HTMLVideoElement[]).filter((v) => v.srcObject && !v.hidden && v.videoWidth > 0 && v.readyState >= 2 && !v.paused).length,
    );
}

export async function waitForVideos(p: Person, count: number, ms = WAIT_MS): Promise<void> {
  await until(
    () => playingVideos(p.page),
    (n) => n === count,
    `${p.name}: playing videos`,
    ms,
  );
}

/** Opens the chat panel if it is closed, types `text` and sends it with Enter. */
export async function chat(p: Person, text: string): Promise<void> {
  const button = p.page.locator('runde-controls button[name=chat]');
  if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
  const field = p.page.getByRole('textbox', { name: 'Message to everyone' });
  await field.fill(text);
  await field.press('Enter');
  await until(
    () => field.inputValue(),
    (v) => v === '',
    `${p.name}: chat message sent`,
  );
}

/** Switches the camera off, waits, and on again (each time until the button shows it). */
export async function toggleCamera(p: Person): Promise<void> {
  const button = p.page.locator('runde-controls button[name=cam]');
  for (const want of ['false', 'true']) {
    await button.click();
    await until(
      () => button.getAttribute('aria-pressed'),
      (v) => v === want,
      `${p.name}: camera ${want === 'true' ? 'on' : 'off'}`,
    );
    if (want === 'false') await sleep(CAMERA_OFF_MS);
  }
}
