/**
 * How every test starts Debian's Chromium (see ../shared/TESTING.md): headless, fake camera and
 * microphone, no background traffic, loopback ICE candidates allowed (the tests run in a network
 * namespace that has only loopback). puppeteer-core drives it, as it drives Firefox (firefox.ts).
 */
import puppeteer, { type Browser, type LaunchOptions, type Page, type Viewport } from 'puppeteer-core';

export const CHROMIUM_PATH = process.env.CHROME_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--allow-loopback-in-peer-connection',
];

/** A fresh headless Chromium with the profile folder `userDataDir`, and its first page. */
export async function launchChromium(
  userDataDir: string,
  args: string[],
  viewport: Viewport,
  options: Pick<LaunchOptions, 'protocolTimeout'> = {},
): Promise<{ browser: Browser; page: Page }> {
  const browser = await puppeteer.launch({ executablePath: CHROMIUM_PATH, headless: true, userDataDir, args, defaultViewport: viewport, ...options });
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  return { browser, page };
}
