/**
 * One person of `npm run soak`, driving the real app's UI as a person would: join from the
 * lobby, write in the chat, switch the camera off and on. English labels (`?lang=en`). The UI is
 * found and used with the e2e tests' helpers.
 */
import { attribute, click, evaluateOn, fill, joinAs as join, playingVideos, pressIn, role, waitFor } from '../../test/e2e/helpers.js';
import { launch, sleep, type Browser } from './common.js';

/** Tiles whose video is shown and playing frames (the own one included). */
export { playingVideos };

/** How long the camera stays off when toggled: long enough for the others to see it go. */
const CAMERA_OFF_MS = 2_000;

export interface Person extends Browser {
  name: string;
}

/** A fresh browser that opens `link`, types `name` and presses Join once the lobby has its media. */
export async function joinAs(link: string, name: string): Promise<Person> {
  const browser = await launch({ viewport: { width: 1280, height: 720 } });
  const errors: string[] = [];
  browser.page.on('pageerror', (e) => errors.push(e instanceof Error ? e.message : String(e)));
  try {
    await join(browser.page, link, name);
    return { ...browser, name };
  } catch (err) {
    await browser.close();
    throw new Error(`${name} could not join: ${(err as Error).message}; page errors: ${JSON.stringify(errors)}`);
  }
}

export async function waitForVideos(p: Person, count: number, ms?: number): Promise<void> {
  await waitFor(
    () => playingVideos(p.page),
    (n) => n === count,
    `${p.name}: playing videos`,
    ms,
  );
}

/** Opens the chat panel if it is closed, types `text` and sends it with Enter. */
export async function chat(p: Person, text: string): Promise<void> {
  const button = '>>> runde-controls >>> button[name=chat]';
  if ((await attribute(p.page, button, 'aria-pressed')) !== 'true') await click(p.page, button);
  const field = role('textbox', 'Message to everyone');
  await fill(p.page, field, text);
  await pressIn(p.page, field, 'Enter');
  await waitFor(
    () => evaluateOn(p.page, field, (el: HTMLTextAreaElement) => el.value),
    (v) => v === '',
    `${p.name}: chat message sent`,
  );
}

/** Switches the camera off, waits, and on again (each time until the button shows it). */
export async function toggleCamera(p: Person): Promise<void> {
  const button = '>>> runde-controls >>> button[name=cam]';
  for (const want of ['false', 'true']) {
    await click(p.page, button);
    await waitFor(
      () => attribute(p.page, button, 'aria-pressed'),
      (v) => v === want,
      `${p.name}: camera ${want === 'true' ? 'on' : 'off'}`,
    );
    if (want === 'false') await sleep(CAMERA_OFF_MS);
  }
}
