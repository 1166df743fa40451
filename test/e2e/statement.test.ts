import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { person, startApp, waitFor } from './helpers.js';

/** Collects Content-Security-Policy violations that the page reports. */
async function recordCspViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
}

/** The statement's text (it lives in the element's shadow root). */
const statementText = (page: Page) => page.locator('runde-statement').evaluate((el) => el.shadowRoot!.textContent ?? '');
const placeholders = (page: Page) => page.locator('runde-statement [data-missing]').count();

test('the start page links to the statement, which shows placeholders until the deployer completes config.json', async (t) => {
  const app = await startApp(t);
  const { page } = await person(t);
  const violations = await recordCspViolations(page);
  await page.goto(`${app.url}/?lang=de`);
  const link = page.getByRole('link', { name: 'Erklärung zur Barrierefreiheit' });
  await link.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/accessibility\.html\?lang=de$/);
  await page.getByRole('heading', { level: 1, name: 'Erklärung zur Barrierefreiheit' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
  assert.equal(await page.title(), 'Erklärung zur Barrierefreiheit – Runde');
  assert.equal(await placeholders(page), 8);
  assert.match(await statementText(page), /Schlichtungsstelle nach § 16/);
  assert.deepEqual(await violations(), []);
});

test('the statement shows what the deployer put in config.json', async (t) => {
  const app = await startApp(t);
  const { page } = await person(t);
  const violations = await recordCspViolations(page);
  // The box serves static/ as it is; this page alone gets a completed config.json.
  await page.route('**/config.json', (route) =>
    route.fulfill({
      json: {
        accessibility: {
          organisation: 'Ville de Sampleville',
          contact: 'accessibilite@sampleville.test',
          feedbackUrl: 'https://sampleville.test/signaler',
          date: '2025-06-30',
          method: 'self',
          status: 'partial',
          limitations: { fr: ['Le guide PDF n’est pas accessible.'] },
          enforcementBody: 'Défenseur des droits',
          enforcementUrl: 'https://defenseur.test/',
        },
      },
    }),
  );
  await page.goto(`${app.url}/accessibility.html?lang=fr`);
  await page.locator('runde-statement').waitFor();
  const text = await waitFor(
    () => statementText(page),
    (s) => s.includes('Ville de Sampleville'),
    'the organisation named',
  );
  assert.match(text, /partiellement conforme/);
  assert.match(text, /30 juin 2025/);
  assert.match(text, /Le guide PDF/);
  assert.equal(await placeholders(page), 0);
  assert.equal(await page.getByRole('link', { name: 'Signaler un obstacle' }).getAttribute('href'), 'https://sampleville.test/signaler');
  assert.equal(await page.getByRole('link', { name: 'Défenseur des droits' }).getAttribute('href'), 'https://defenseur.test/');
  assert.deepEqual(await violations(), []);
});
