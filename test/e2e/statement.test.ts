import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'puppeteer-core';
import { attribute, count, evaluateOn, heading, person, role, shown, startApp, urlMatches, waitFor } from './helpers.js';

/** Collects Content-Security-Policy violations that the page reports. */
async function recordCspViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluateOnNewDocument(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
}

/** The statement's text (it lives in the element's shadow root). */
const statementText = (page: Page) => evaluateOn(page, '>>> runde-statement', (el) => el.shadowRoot!.textContent ?? '');
const placeholders = (page: Page) => count(page, '>>> runde-statement >>> [data-missing]');

test('the start page links to the statement, which shows placeholders until the deployer completes config.json', async (t) => {
  const app = await startApp(t);
  const { page } = await person(t);
  const violations = await recordCspViolations(page);
  await page.goto(`${app.url}/?lang=de`);
  await evaluateOn(page, role('link', 'Erklärung zur Barrierefreiheit'), (link: HTMLElement) => link.focus());
  await page.keyboard.press('Enter');
  await urlMatches(page, /\/accessibility\.html\?lang=de$/);
  await heading(page, 'Erklärung zur Barrierefreiheit', 1);
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
  const config = {
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
  };
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.endsWith('/config.json'))
      void request.respond({ status: 200, contentType: 'application/json', body: JSON.stringify(config) });
    else void request.continue();
  });
  await page.goto(`${app.url}/accessibility.html?lang=fr`);
  await shown(page, '>>> runde-statement');
  const text = await waitFor(
    () => statementText(page),
    (s) => s.includes('Ville de Sampleville'),
    'the organisation named',
  );
  assert.match(text, /partiellement conforme/);
  assert.match(text, /30 juin 2025/);
  assert.match(text, /Le guide PDF/);
  assert.equal(await placeholders(page), 0);
  assert.equal(await attribute(page, role('link', 'Signaler un obstacle'), 'href'), 'https://sampleville.test/signaler');
  assert.equal(await attribute(page, role('link', 'Défenseur des droits'), 'href'), 'https://defenseur.test/');
  assert.deepEqual(await violations(), []);
});
