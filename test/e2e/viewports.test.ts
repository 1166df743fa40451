import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Page } from 'puppeteer-core';
import { click, evaluateOn, fill, hidden, joinAs, person, playingVideos, ROOT, shown, startApp, text, urlMatches, waitFor } from './helpers.js';

/** Screenshots of every screen at every size, kept as test artefacts (git-ignored). */
const SHOTS = join(ROOT, 'test-artifacts', 'screenshots');
/** The smallest touch target we accept (WCAG 2.5.5; 2.5.8 would allow 24 with spacing). */
const MIN_TARGET_PX = 44;

interface Viewport {
  name: string;
  width: number;
  height: number;
  mobile: boolean;
  /** The languages walked at this size (German has the longest words of the three). */
  langs: ReadonlyArray<'en' | 'de'>;
}

/** The review sizes (a laptop, a current phone) in English and German; the rest in German. */
const VIEWPORTS: Viewport[] = [
  { name: 'laptop', width: 1280, height: 800, mobile: false, langs: ['en', 'de'] },
  { name: 'phone', width: 390, height: 844, mobile: true, langs: ['en', 'de'] },
  { name: 'small-phone', width: 360, height: 740, mobile: true, langs: ['de'] },
  { name: 'phone-landscape', width: 740, height: 360, mobile: true, langs: ['de'] },
  { name: 'tablet', width: 768, height: 1024, mobile: true, langs: ['de'] },
];

/** What the walk reads, per language. */
const WORDS = {
  en: { left: 'You left the meeting.' },
  de: { left: 'Sie haben die Besprechung verlassen.' },
} as const;

/** A fresh Chromium emulating a phone or tablet: its size, touch, and the mobile viewport. */
async function device(t: TestContext, v: Viewport): Promise<Page> {
  const { page } = await person(t, undefined, [], { width: v.width, height: v.height, isMobile: v.mobile, hasTouch: true });
  return page;
}

/** Whether `selector` matches an element that is shown now. */
async function isVisible(page: Page, selector: string): Promise<boolean> {
  const handle = await page.$(selector);
  try {
    return (await handle?.isVisible()) ?? false;
  } finally {
    await handle?.dispose();
  }
}

/** Taps what `selector` matches with a finger, once it is shown. */
async function tap(page: Page, selector: string): Promise<void> {
  const handle = await page.waitForSelector(selector, { visible: true });
  try {
    await handle!.tap();
  } finally {
    await handle?.dispose();
  }
}

/** The bounding box of what `selector` matches now, in CSS px of the viewport, or null. */
async function boundingBox(page: Page, selector: string) {
  const handle = await page.$(selector);
  try {
    return (await handle?.boundingBox()) ?? null;
  } finally {
    await handle?.dispose();
  }
}

interface Layout {
  innerWidth: number;
  innerHeight: number;
  scrollWidth: number;
  /** Interactive controls smaller than the minimum, as "what WxH". */
  small: string[];
  /** Videos without playsinline. */
  inlineMissing: number;
  videos: number;
}

/** Measures the page, looking through every shadow root. */
function measure(page: Page, min: number): Promise<Layout> {
  return page.evaluate((min) => {
    // No named functions in here: tsx would wrap them in a helper that the page does not have.
    const all: Element[] = [];
    const roots: Array<Document | ShadowRoot> = [document];
    for (let root = roots.pop(); root; root = roots.pop()) {
      for (const el of root.querySelectorAll('*')) {
        all.push(el);
        if (el.shadowRoot) roots.push(el.shadowRoot);
      }
    }
    const interactive = 'button, a[href], input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex="-1"])';
    const small: string[] = [];
    for (const el of all) {
      if (!el.matches(interactive) || el.getClientRects().length === 0) continue;
      if (getComputedStyle(el).visibility === 'hidden') continue;
      // A checkbox is pressed through its whole label.
      const target = (el.matches('input[type=checkbox], input[type=radio]') && el.closest('label')) || el;
      const box = target.getBoundingClientRect();
      if (box.width + 0.5 < min || box.height + 0.5 < min) {
        const what = `${el.tagName.toLowerCase()}${el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : ''} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 30)}"`;
        small.push(`${what} ${Math.round(box.width)}x${Math.round(box.height)}`);
      }
    }
    const videos = all.filter((el): el is HTMLVideoElement => el instanceof HTMLVideoElement);
    return {
      innerWidth,
      innerHeight,
      scrollWidth: document.scrollingElement!.scrollWidth,
      small,
      inlineMissing: videos.filter((v) => !v.hasAttribute('playsinline')).length,
      videos: videos.length,
    };
  }, min);
}

/** The checks every screen must pass, and its screenshot. */
async function checkScreen(page: Page, v: Viewport, lang: 'en' | 'de', screen: string): Promise<Layout> {
  await page.screenshot({ path: join(SHOTS, `${v.name}-${v.width}x${v.height}-${lang}-${screen}.png`), fullPage: true });
  const m = await measure(page, MIN_TARGET_PX);
  assert.equal(m.innerWidth, v.width, `${screen}: the page lays out at the device width`);
  assert.ok(m.scrollWidth <= m.innerWidth, `${screen}: no horizontal scrolling (${m.scrollWidth} > ${m.innerWidth})`);
  assert.deepEqual(m.small, [], `${screen}: controls smaller than ${MIN_TARGET_PX}x${MIN_TARGET_PX} CSS px`);
  assert.equal(m.inlineMissing, 0, `${screen}: every video plays inline`);
  return m;
}

/** A button of the call's control bar. */
const control = (name: string) => `>>> runde-controls >>> button[name=${name}]`;

/**
 * Taps a control of the call's bar; one in the "more" menu is reached through it (the menu closes
 * again when the item is chosen).
 */
async function tapControl(page: Page, name: string): Promise<void> {
  const button = control(name);
  if (!(await isVisible(page, button))) {
    await tap(page, control('more'));
    await shown(page, button);
  }
  await tap(page, button);
}

/** The call's control bar sits in the bottom part of the screen, every button on screen. */
async function assertControlsInReach(page: Page, screen: string): Promise<void> {
  const r = await evaluateOn(page, '>>> runde-controls', (bar) => {
    const box = bar.getBoundingClientRect();
    const shown = [...bar.shadowRoot!.querySelectorAll('button')].filter((b) => b.getClientRects().length > 0);
    const buttons = shown.map((b) => b.getBoundingClientRect());
    // Rows of the bar itself, without the "more" menu opened above it.
    const rows = new Set(shown.filter((b) => !b.closest('.menu')).map((b) => Math.round(b.getBoundingClientRect().top))).size;
    const off = buttons.filter((b) => b.top < 0 || b.left < 0 || b.bottom > innerHeight + 0.5 || b.right > innerWidth + 0.5).length;
    const panel = (bar.getRootNode() as ShadowRoot).querySelector('.panel');
    // An open side panel, and all in it that does not scroll, ends above the control bar.
    const host = panel?.firstElementChild;
    const scrolling = /auto|scroll/;
    const fixed =
      host && !scrolling.test(getComputedStyle(host).overflowY)
        ? [...host.shadowRoot!.querySelectorAll('*')].filter((e) => {
            for (let a: Element | null = e.parentElement; a; a = a.parentElement) if (scrolling.test(getComputedStyle(a).overflowY)) return false;
            return true;
          })
        : [];
    const panelBottom = panel ? Math.max(...[panel, ...fixed].map((e) => e.getBoundingClientRect().bottom)) : 0;
    return { top: box.top, bottom: box.bottom, innerHeight, off, count: buttons.length, panelBottom, rows };
  });
  assert.ok(r.panelBottom <= r.top + 0.5, `${screen}: the side panel reaches under the control bar (${r.panelBottom} > ${r.top})`);
  assert.ok(r.count > 5, `${screen}: the control bar has its buttons`);
  assert.equal(r.rows, 1, `${screen}: the control bar is one row at every size, the rest under "more"`);
  assert.equal(r.off, 0, `${screen}: every control is on screen without scrolling`);
  assert.ok(Math.abs(r.bottom - r.innerHeight) <= 1, `${screen}: the control bar ends at the bottom edge (${r.bottom} of ${r.innerHeight})`);
  assert.ok(r.top >= r.innerHeight / 2, `${screen}: the control bar is in the lower half (top at ${r.top} of ${r.innerHeight})`);
}

for (const v of VIEWPORTS) {
  for (const lang of v.langs) {
    test(`on a ${v.name} (${v.width}x${v.height}, ${lang}): start page, lobby, a call of two and the statement fit and can be used by touch`, async (t) => {
      mkdirSync(SHOTS, { recursive: true });
      const app = await startApp(t, { GRACE_MS: '120000' });
      const page = await device(t, v);
      const bob = await person(t);

      await page.goto(`${app.url}/?lang=${lang}`);
      await shown(page, '>>> runde-start >>> button[name=create]');
      await checkScreen(page, v, lang, 'start');
      await tap(page, '>>> runde-start >>> button[name=create]');
      await urlMatches(page, /#[A-Za-z0-9_-]{22}$/);

      const join = '>>> button[name=join]';
      await shown(page, `${join}:enabled`); // lobby ready
      await shown(page, '>>> runde-lobby >>> video');
      const lobby = await checkScreen(page, v, lang, 'lobby');
      assert.equal(lobby.videos, 1, 'the lobby preview is a video');
      await fill(page, '>>> #name', 'Ada');
      await tap(page, join);

      await joinAs(bob.page, page.url(), 'Bob Özdemir-Schnarrenberger');
      await waitFor(
        () => playingVideos(page),
        (n) => n === 2,
        'two playing videos on the device',
      );
      await checkScreen(page, v, lang, 'call');
      await assertControlsInReach(page, 'call');

      await tap(page, control('more'));
      await shown(page, control('files'));
      await shown(page, control('reaction'));
      await checkScreen(page, v, lang, 'call-more');
      await assertControlsInReach(page, 'call with "more" open');
      await tap(page, control('more'));
      await hidden(page, control('files'));

      // Bob raises his hand: the device shows the notice and the outlined tile.
      await click(bob.page, '>>> runde-controls >>> button[name=hand]');
      await shown(page, '>>> runde-tile[hand-up]');
      await checkScreen(page, v, lang, 'call-hand');

      await tapControl(page, 'chat');
      await shown(page, '>>> runde-chat >>> textarea');
      await checkScreen(page, v, lang, 'call-chat');
      await assertControlsInReach(page, 'call with the chat open');

      await tapControl(page, 'people');
      const bobRow = '>>> runde-people >>> li[data-peer]:nth-of-type(2)';
      await shown(page, bobRow);
      await checkScreen(page, v, lang, 'call-people');
      await assertControlsInReach(page, 'call with the people open');
      // The list scrolls within its panel, so that every row can be seen above the control bar.
      // The row grows while its connection figures arrive: scroll again until it has settled.
      await waitFor(
        async () => {
          await evaluateOn(page, bobRow, (el) => el.scrollIntoView({ block: 'nearest' }));
          return { row: await boundingBox(page, bobRow), bar: await boundingBox(page, '>>> runde-controls') };
        },
        ({ row, bar }) => !!row && !!bar && row.y >= 0 && row.y + row.height <= bar.y + 0.5,
        "Bob's row scrolled into view above the control bar",
      );
      await tapControl(page, 'people');

      if (await isVisible(page, control('screen'))) {
        await tap(page, control('screen'));
        await shown(page, '>>> .presenting');
        await checkScreen(page, v, lang, 'call-presenting');
        await tap(page, '>>> button[name=stop-presenting]');
        await hidden(page, '>>> .presenting');
      }

      await tapControl(page, 'help');
      await shown(page, '>>> runde-help >>> dialog[open]');
      await checkScreen(page, v, lang, 'call-help');
      await tap(page, '>>> runde-help >>> button[name=close]');

      await tapControl(page, 'leave');
      await shown(page, text(WORDS[lang].left));
      await checkScreen(page, v, lang, 'left');

      await page.goto(`${app.url}/accessibility.html?lang=${lang}`);
      await shown(page, '>>> runde-statement >>> h1');
      await checkScreen(page, v, lang, 'statement');
    });
  }
}
