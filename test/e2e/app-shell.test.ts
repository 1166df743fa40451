import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Browser, CDPSession, Page } from 'puppeteer-core';
import { copyOfStatic, everyTarget, heading, person, role, shown, startApp, WAIT_MS } from './helpers.js';

const shellCaches = (page: Page) => page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith('runde-shell-')).sort());
/**
 * Waits until the service worker controls `page`, on the very visit that installed it: its
 * activation claims the open pages (clients.claim()). No reload: a reload would hand the page to
 * the worker anyway and hide a broken claim.
 */
async function waitForController(page: Page): Promise<void> {
  try {
    await page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated', { timeout: WAIT_MS });
  } catch (err) {
    const state = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      return { active: registration?.active?.state ?? null, controller: navigator.serviceWorker.controller?.state ?? null };
    });
    throw new Error(`the page that installed the service worker is not controlled by it (clients.claim()?): ${JSON.stringify(state)}`, { cause: err });
  }
}

/**
 * Switches the network off and on for every page and service worker of `browser`, also those
 * started later: the page's navigations go through the service worker, whose own fetches must
 * fail too for the app to start offline.
 */
async function networkSwitch(browser: Browser): Promise<(offline: boolean) => Promise<void>> {
  const sessions = new Set<CDPSession>();
  let offline = false;
  const apply = (session: CDPSession) =>
    session.send('Network.emulateNetworkConditions', { offline, latency: 0, downloadThroughput: -1, uploadThroughput: -1 }).catch(() => {
      sessions.delete(session); // its target is gone
    });
  await everyTarget(browser, async (session) => {
    sessions.add(session);
    await session.send('Network.enable');
    await apply(session);
  });
  return async (value) => {
    offline = value;
    await Promise.all([...sessions].map(apply));
  };
}

test('installable: a manifest with icons, and the app starts offline to a clear sentence', async (t) => {
  const app = await startApp(t);
  const manifest = await (await fetch(`${app.url}/manifest.webmanifest`)).json();
  assert.equal(manifest.display, 'standalone');
  const sizes = manifest.icons.map((i: { sizes: string }) => i.sizes);
  assert.ok(sizes.includes('192x192') && sizes.includes('512x512'));
  for (const icon of manifest.icons) assert.equal((await fetch(new URL(icon.src, `${app.url}/manifest.webmanifest`))).status, 200, icon.src);

  const { page, browser } = await person(t);
  const setOffline = await networkSwitch(browser);
  await page.goto(`${app.url}/?lang=en`);
  await shown(page, role('button', 'Start a meeting'));
  await waitForController(page);
  assert.equal((await shellCaches(page)).length, 1);

  await setOffline(true);
  await page.reload();
  // Offline as the browser knows it: the sentence is true (a server that is down leads to the lobby).
  assert.equal(await page.evaluate(() => navigator.onLine), false);
  await shown(page, role('alert'), 'You are offline.');
  // The accessibility statement is kept too, as its own page.
  await page.goto(`${app.url}/accessibility.html?lang=en`);
  await heading(page, 'Accessibility statement', 1);
  await setOffline(false);
  await page.goto(`${app.url}/?lang=en`);
  await shown(page, role('button', 'Start a meeting'));
});

test('a new deploy installs beside the old version and replaces it once no tab uses the old one', async (t) => {
  const dir = copyOfStatic(t);
  const app = await startApp(t, { STATIC_DIR: dir });
  const { page, browser } = await person(t);
  await page.goto(`${app.url}/?lang=en`);
  await waitForController(page);
  const [before] = await shellCaches(page);

  // "Deploy" a new version: the service worker's version changes.
  const sw = readFileSync(join(dir, 'sw.js'), 'utf8');
  const old = before.replace('runde-shell-', '');
  assert.ok(sw.includes(old), `the version ${old} is in sw.js`);
  writeFileSync(join(dir, 'sw.js'), sw.replace(old, 'feedfacecafebeef'));

  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
  await page.waitForFunction(async () => Boolean((await navigator.serviceWorker.getRegistration())?.waiting), { timeout: 30_000 });
  assert.deepEqual(await shellCaches(page), [before, 'runde-shell-feedfacecafebeef'].sort(), 'both versions while the old tab runs');

  await page.close(); // the last tab of the old version goes
  const next = await browser.newPage();
  await next.goto(`${app.url}/?lang=en`);
  await next.waitForFunction(async () => (await caches.keys()).join() === 'runde-shell-feedfacecafebeef', { timeout: 30_000 });
  await shown(next, role('button', 'Start a meeting'));
});
