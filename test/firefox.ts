/**
 * How a test starts Debian's Firefox ESR (see ../shared/TESTING.md): headless, driven by
 * puppeteer-core over WebDriver BiDi (the same driver as Chromium, over the DevTools protocol:
 * chromium.ts), fake camera and microphone, plain host ICE candidates, and a PulseAudio null sink
 * of its own so that Web Audio runs (without a sound server an AudioContext stays suspended in
 * headless Firefox). The e2e helpers (e2e/helpers.ts) find and use its page as they do Chromium's.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const PULSEAUDIO_PATH = '/usr/bin/pulseaudio';
/** Generous: only stops a broken start from hanging. */
const START_WAIT_MS = 30_000;

export const FIREFOX_PREFS: Record<string, unknown> = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // The tests run in a network namespace with only loopback, and Firefox skips loopback
  // candidates by default (as Chromium does without --allow-loopback-in-peer-connection).
  'media.peerconnection.ice.loopback': true,
  // A page that captures gets all host candidates; without it only the "default address", which
  // Firefox finds through a route to the internet (none here). Fake devices count as capturing
  // only with this pref.
  'media.navigator.permission.fake': true,
  // No background traffic: the tests run with only loopback.
  'app.update.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
};

/** Why the Firefox tests cannot run here, or null when they can. */
export function firefoxMissing(): string | null {
  for (const path of [FIREFOX_PATH, PULSEAUDIO_PATH]) if (!existsSync(path)) return `${path} is not installed`;
  return null;
}

const until = async (ok: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + START_WAIT_MS;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what} after ${START_WAIT_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/**
 * A PulseAudio daemon with only a null sink, its socket and state in a temporary folder; stopped
 * and removed after the test. Returns the value for PULSE_SERVER.
 */
export async function startPulseAudio(t: TestContext): Promise<string> {
  const dir = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'pulse-'));
  const socket = join(dir, 'native');
  const child = spawn(
    PULSEAUDIO_PATH,
    [
      '--daemonize=no',
      '-n',
      '--exit-idle-time=-1',
      '--disable-shm',
      '--log-target=stderr',
      '--load=module-null-sink sink_name=runde',
      `--load=module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
    ],
    // Root runs it too (with a warning); its cookie, state and runtime folder stay in `dir`.
    { env: { ...process.env, HOME: dir, TMPDIR: dir, XDG_RUNTIME_DIR: dir, XDG_CONFIG_HOME: dir }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  let exited = false;
  child.once('exit', () => (exited = true));
  t.after(async () => {
    if (!exited) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  });
  await until(() => {
    if (exited) throw new Error(`pulseaudio exited: ${stderr}`);
    return existsSync(socket);
  }, 'no PulseAudio socket');
  return `unix:${socket}`;
}

export interface FirefoxPerson {
  browser: Browser;
  page: Page;
}

/** A fresh headless Firefox with its own profile, HOME and TMPDIR, all removed after the test. */
export async function firefoxPerson(t: TestContext, pulseServer: string): Promise<FirefoxPerson> {
  const home = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'firefox-home-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    extraPrefsFirefox: FIREFOX_PREFS,
    env: { ...process.env, HOME: home, TMPDIR: home, PULSE_SERVER: pulseServer },
    timeout: START_WAIT_MS,
  });
  // puppeteer removes the profile it made in TMPDIR when the browser closes.
  t.after(async () => {
    await browser.close().catch(() => {});
    rmSync(home, { recursive: true, force: true });
  });
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  await page.setViewport({ width: 800, height: 600 });
  return { browser, page };
}
