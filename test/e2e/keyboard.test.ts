import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type KeyInput, Locator, type Page } from 'puppeteer-core';
import { evaluateOn, joinAs, lobbyDevicesSettled, person, pressed, role, shown, startApp, text, texts, tileCount, urlMatches, waitFor } from './helpers.js';

/** What has the keyboard focus, looked up through every shadow root. */
interface Focused {
  tag: string;
  name: string;
  label: string;
  text: string;
  /** The tag of the nearest <dialog> around it, if any. */
  inDialog: string | null;
  /** A visible focus indicator: an outline or a box-shadow. */
  indicator: { outline: string; outlineWidth: number; boxShadow: string };
}

function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    const e = (el ?? document.body) as HTMLElement;
    const style = getComputedStyle(e);
    const dialog = e.closest('dialog');
    const host = dialog ? (dialog.getRootNode() as ShadowRoot).host : null;
    return {
      tag: e.tagName.toLowerCase(),
      name: e.getAttribute('name') ?? '',
      label: e.getAttribute('aria-label') ?? '',
      text: (e.textContent ?? '').trim(),
      inDialog: host ? host.tagName.toLowerCase() : null,
      indicator: { outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth), boxShadow: style.boxShadow },
    };
  });
}

const describe = (f: Focused) => `${f.tag}[name=${f.name}] "${f.label || f.text.slice(0, 40)}"`;

/** Presses a key, or a chord such as Shift+Tab (puppeteer's press takes one key). */
async function press(page: Page, keys: string): Promise<void> {
  const [key, ...modifiers] = keys.split('+').reverse() as KeyInput[];
  for (const m of modifiers) await page.keyboard.down(m);
  await page.keyboard.press(key);
  for (const m of modifiers.reverse()) await page.keyboard.up(m);
}

/** Presses Tab (or Shift+Tab) until `wanted` has the focus; fails after `max` presses. */
async function tabTo(page: Page, wanted: (f: Focused) => boolean, what: string, key = 'Tab', max = 40): Promise<Focused> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await press(page, key);
    const f = await focused(page);
    if (wanted(f)) return f;
    seen.push(describe(f));
  }
  throw new Error(`${what}: not reached with ${key}; focus went ${seen.join(' → ')}`);
}

/** The focused element shows a focus ring that can be seen. */
function assertVisibleFocus(f: Focused): void {
  const outline = f.indicator.outline !== 'none' && f.indicator.outlineWidth > 0;
  const shadow = f.indicator.boxShadow !== 'none';
  assert.ok(outline || shadow, `no visible focus indicator on ${describe(f)}: ${JSON.stringify(f.indicator)}`);
}

const button = (name: string) => (f: Focused) => f.tag === 'button' && f.name === name;

test('a whole call with the keyboard alone: start, name, join, mic, camera, chat, people, a dialog, leave', async (t) => {
  const app = await startApp(t, { GRACE_MS: '120000' });
  const [ada, bob] = [await person(t), await person(t)];
  const page = ada.page;
  const keys = page.keyboard;

  await page.goto(`${app.url}/?lang=en`);
  await shown(page, '>>> runde-start');
  assertVisibleFocus(await tabTo(page, button('create'), 'Start a meeting'));
  await keys.press('Enter');
  await urlMatches(page, /#[A-Za-z0-9_-]{22}$/);
  // Each new screen puts the focus on its heading, not on the page's body.
  await waitFor(
    () => focused(page),
    (f) => f.tag === 'h1' && f.text === 'Ready to join?',
    'focus on the lobby heading',
  );

  // The lobby: name, then Join once the camera is there.
  await lobbyDevicesSettled(page);
  const name = await tabTo(page, (f) => f.tag === 'input' && f.name === 'name', 'the name field');
  assertVisibleFocus(name);
  await keys.type('Ada');
  assertVisibleFocus(await tabTo(page, button('join'), 'Join'));
  await keys.press('Enter');
  await shown(page, '>>> runde-controls >>> button[name=mic]');
  await waitFor(
    () => focused(page),
    (f) => f.tag === 'h1' && /in the meeting/.test(f.text),
    'focus on the call heading',
  );

  await joinAs(bob.page, page.url(), 'Bob');
  await waitFor(
    () => tileCount(page),
    (n) => n === 2,
    'Bob in the call',
  );

  // Focus lands in the call, not on a removed lobby: the first Tab reaches the controls.
  assertVisibleFocus(await tabTo(page, button('mic'), 'the microphone button', 'Tab', 5));
  assert.equal(await pressed(page, 'mic'), 'true');
  await keys.press('Space');
  await waitFor(
    () => pressed(page, 'mic'),
    (v) => v === 'false',
    'microphone off by Space on its button',
  );
  await keys.press('m');
  await waitFor(
    () => pressed(page, 'mic'),
    (v) => v === 'true',
    'microphone on again by the M shortcut',
  );
  await tabTo(page, button('cam'), 'the camera button');
  await keys.press('Enter');
  await waitFor(
    () => pressed(page, 'cam'),
    (v) => v === 'false',
    'camera off by Enter on its button',
  );
  await keys.press('v');
  await waitFor(
    () => pressed(page, 'cam'),
    (v) => v === 'true',
    'camera on again by the V shortcut',
  );

  // Chat: C opens it with the focus in the message field; Enter sends.
  await keys.press('c');
  await waitFor(
    () => focused(page),
    (f) => f.tag === 'textarea',
    'focus in the message field',
  );
  assertVisibleFocus(await focused(page));
  await keys.type('Hello from the keyboard');
  await keys.press('Enter');
  // "Chat", or "Chat, 1 unread" once the message is there.
  await Locator.race([bob.page.locator(role('button', 'Chat')), bob.page.locator(role('button', 'Chat, 1 unread'))]).click();
  await waitFor(
    () => texts(bob.page, '>>> runde-chat >>> .text'),
    (texts) => texts.includes('Hello from the keyboard'),
    'Bob reads the message',
  );

  // People: from the chat field onwards to the people button.
  await tabTo(page, button('people'), 'the people button');
  await keys.press('Enter');
  await waitFor(
    () => pressed(page, 'people'),
    (v) => v === 'true',
    'people panel open',
  );
  await shown(page, '>>> runde-people >>> li[data-peer]:nth-of-type(2)');
  assert.match(await evaluateOn(page, '>>> runde-people', (el) => el.shadowRoot!.textContent!), /Bob/);

  // A dialog: opened from its button, focus inside and kept inside, Escape returns it.
  // The shortcuts are in the "more" menu: opened with Enter, its items reached with Tab.
  await tabTo(page, button('more'), 'the more button');
  await keys.press('Enter');
  await tabTo(page, button('help'), 'the shortcuts item of more');
  await keys.press('Enter');
  await waitFor(
    () => focused(page),
    (f) => f.inDialog === 'runde-help',
    'focus inside the shortcuts dialog',
  );
  const inside: string[] = [];
  for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await press(page, key);
    const f = await focused(page);
    assert.equal(f.inDialog, 'runde-help', `${key} left the dialog for ${describe(f)}`);
    assertVisibleFocus(f);
    inside.push(describe(f));
  }
  assert.ok(new Set(inside).size >= 2, `Tab moved between the dialog's controls: ${inside.join(' → ')}`);
  await keys.press('Escape');
  await waitFor(
    () => evaluateOn(page, '>>> runde-help >>> dialog', (d: HTMLDialogElement) => d.open),
    (open) => !open,
    'dialog closed',
  );
  const back = await focused(page);
  // The shortcuts item went with its menu: the focus goes back to "more", which opened both.
  assert.ok(button('more')(back), `focus returned to the opener, not to ${describe(back)}`);
  assertVisibleFocus(back);

  // Escape also closes the open side panel and puts focus back on its button.
  await keys.press('Escape');
  await waitFor(
    () => pressed(page, 'people'),
    (v) => v === 'false',
    'people panel closed by Escape',
  );
  await waitFor(
    () => focused(page),
    (f) => button('people')(f),
    'focus back on the people button',
  );

  assertVisibleFocus(await tabTo(page, button('leave'), 'the leave button'));
  await keys.press('Enter');
  await shown(page, text('You left the meeting.'));
  await waitFor(
    () => focused(page),
    (f) => f.tag === 'h1' && f.text === 'You left the meeting.',
    'focus on the heading of the left screen',
  );
  await waitFor(
    () => tileCount(bob.page),
    (n) => n === 1,
    "Ada gone from Bob's call",
  );
  // And the person can go on by keyboard: the first control of the left screen takes focus.
  assertVisibleFocus(await tabTo(page, (f) => f.tag === 'button' && f.text === 'Rejoin', 'Rejoin'));
});
