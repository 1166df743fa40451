/**
 * An independent client (test/independent/client.ts, written only from signaling/PROTOCOL.md,
 * signaling/PEERS.md, docs/architecture.md and docs/privacy.md: raw RTCPeerConnection and
 * WebCrypto, nothing from client/ and no simple-peer) meets two app pages through the real box.
 * Its page is an app page (accessibility.html), so that the box sees an allowed Origin; the client
 * is bundled here with esbuild and evaluated there as a string.
 *
 * Only the helpers, `page.goto`, `page.url` and `page.evaluate` drive the pages, so that this file
 * does not depend on the browser driver; the app's elements are found through their open shadow
 * roots by a small in-page helper (`__deep`).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { type TestContext, test } from 'node:test';
import * as esbuild from 'esbuild';
import type { IndieApi, IndieEvent } from '../independent/client.js';
import { joinAs, type Person, person, ROOT, startApp, waitFor } from './helpers.js';

type Page = Person['page'];

const bundle = esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: ['test/independent/client.ts'],
  bundle: true,
  write: false,
  format: 'iife',
  target: 'chrome120',
  logLevel: 'warning',
});

/**
 * `window.__deep(selector)`: every element matching `selector`, in the document and every open
 * shadow root; `a >>> b` finds `b` inside (the light or shadow tree of) every `a`.
 */
const DEEP = `window.__deep = (sel, root = document) => {
  const [first, ...rest] = sel.split(' >>> ');
  const found = [...root.querySelectorAll(first)];
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot) found.push(...window.__deep(first, el.shadowRoot));
  if (rest.length === 0) return found;
  const inner = rest.join(' >>> ');
  return [...new Set(found.flatMap((host) => [...window.__deep(inner, host), ...(host.shadowRoot ? window.__deep(inner, host.shadowRoot) : [])]))];
}; undefined`;
interface DeepWindow {
  __deep(selector: string): HTMLElement[];
  indie: IndieApi;
  __sent?: Promise<boolean>;
}

/** Runs `fn` in `page` with `__deep` installed. */
async function inPage<A, R>(page: Page, fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
  await page.evaluate(DEEP);
  // The drivers type page functions each their own way; this file passes plain JSON values.
  return (page.evaluate as (f: (arg: A) => R | Promise<R>, a: A) => Promise<R>)(fn, arg);
}

/** Clicks the button (through shadow roots) matching `selector` whose text or label contains `text`. */
function click(page: Page, selector: string, text = ''): Promise<boolean> {
  return inPage(
    page,
    ({ selector, text }) => {
      const button = (window as unknown as DeepWindow)
        .__deep(selector)
        .find((b) => (b.textContent ?? '').includes(text) || (b.getAttribute('aria-label') ?? '').includes(text));
      button?.click();
      return button !== undefined;
    },
    { selector, text },
  );
}

/** Waits until `page` has such a button, then clicks it. */
async function clickWhenThere(page: Page, selector: string, text: string, what: string): Promise<void> {
  await waitFor(
    () => click(page, selector, text),
    (v) => v,
    what,
  );
}

/** The text of every element matching `selector`, through shadow roots. */
const texts = (page: Page, selector: string) =>
  inPage(page, (selector) => (window as unknown as DeepWindow).__deep(selector).map((e) => e.innerText ?? e.textContent ?? ''), selector);

/** Whether some element matching `selector` shows `text`. */
const shows = async (page: Page, selector: string, text: string) => (await texts(page, selector)).some((t) => t.includes(text));

/** Names on the remote tiles of an app page. */
const tileNames = (page: Page) =>
  inPage(
    page,
    () =>
      (window as unknown as DeepWindow)
        .__deep('runde-tile[peer]')
        .map((t) => t.getAttribute('name'))
        .filter((n) => n !== null),
    undefined,
  );

/** Frames shown by the video of `name`'s tile (what was decoded of that person's camera). */
const tileFrames = (page: Page, name: string) =>
  inPage(
    page,
    (name) => {
      const video = (window as unknown as DeepWindow).__deep(`runde-tile[name="${name}"] >>> video`)[0] as HTMLVideoElement | undefined;
      return video && video.videoWidth > 0 ? video.getVideoPlaybackQuality().totalVideoFrames : 0;
    },
    name,
  );

/** Types `text` into the chat's field and sends it (the chat panel must be open). */
function chat(page: Page, text: string): Promise<boolean> {
  return inPage(
    page,
    (text) => {
      const field = (window as unknown as DeepWindow).__deep('runde-chat >>> textarea, input')[0] as HTMLTextAreaElement | undefined;
      if (!field) return false;
      field.value = text;
      field.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
      field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', bubbles: true, composed: true, cancelable: true }));
      return true;
    },
    text,
  );
}

/** The independent client's events so far. */
const events = (page: Page): Promise<IndieEvent[]> => page.evaluate(() => (window as unknown as DeepWindow).indie.client!.events);

async function untilEvent<T extends IndieEvent['type']>(
  page: Page,
  type: T,
  ok: (e: Extract<IndieEvent, { type: T }>) => boolean,
  what: string,
): Promise<Extract<IndieEvent, { type: T }>> {
  const all = await waitFor(
    () => events(page),
    (l) => l.some((e) => e.type === type && ok(e as Extract<IndieEvent, { type: T }>)),
    what,
  );
  return all.find((e) => e.type === type && ok(e as Extract<IndieEvent, { type: T }>)) as Extract<IndieEvent, { type: T }>;
}

/** Opens an app page for the independent client and starts it in `secret`'s meeting as `name`. */
async function startIndie(url: string, indie: Person, secret: string, name: string): Promise<string> {
  await indie.page.goto(`${url}/accessibility.html`);
  await indie.page.evaluate((await bundle).outputFiles[0].text);
  const wsUrl = `${url.replace(/^http/, 'ws')}/ws`;
  return indie.page.evaluate((o) => (window as unknown as DeepWindow).indie.start(o), { secret, name, wsUrl });
}

/** Notes the client's connections and failures (redials under load are expected, not errors). */
async function noteConnections(t: TestContext, indie: Person): Promise<void> {
  const log = (await events(indie.page)).filter((e) => e.type === 'connected' || e.type === 'down' || e.type === 'dropped');
  t.diagnostic(`client connections: ${JSON.stringify(log)}`);
}

/** PEERS.md §5's digest, computed here with node's crypto. */
function blockDigest(data: Buffer): string {
  const MiB = 1024 * 1024;
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += MiB)
    parts.push(
      createHash('sha256')
        .update(data.subarray(at, at + MiB))
        .digest(),
    );
  return createHash('sha256').update(Buffer.concat(parts)).digest('hex');
}

/** Media both ways between the client and the app pages named. */
async function mediaBothWays(indie: Person, apps: Array<{ p: Person; name: string }>): Promise<void> {
  for (const { p } of apps)
    await waitFor(
      () => tileFrames(p.page, 'Indie'),
      (n) => n > 10,
      "the client's camera decoded at an app page",
    );
  await waitFor(
    () => indie.page.evaluate(() => (window as unknown as DeepWindow).indie.client!.inbound()),
    (m) => apps.every(({ name }) => (m[name]?.frames ?? 0) > 10 && (m[name]?.audioPackets ?? 0) > 50),
    'video frames and audio packets from every app person at the client',
  );
}

test('an independent client joins two app people: names, media, chat, files, a reaction, a clean leave', async (t) => {
  const app = await startApp(t);
  const secret = randomBytes(16).toString('base64url');
  const link = `${app.url}/?lang=en#${secret}`;
  const [ada, bob, indie] = [await person(t), await person(t), await person(t)];
  await joinAs(ada.page, link, 'Ada');
  await joinAs(bob.page, link, 'Bob');
  await waitFor(
    async () => [await tileNames(ada.page), await tileNames(bob.page)],
    ([a, b]) => a.includes('Bob') && b.includes('Ada'),
    'Ada and Bob see each other',
  );

  const indieId = await startIndie(app.url, indie, secret, 'Indie');
  assert.match(indieId, /^[A-Za-z0-9_-]{22}$/);

  await t.test('its name shows on both app pages, and theirs at the client', async () => {
    for (const p of [ada, bob])
      await waitFor(
        () => tileNames(p.page),
        (names) => names.includes('Indie'),
        "the client's tile",
      );
    for (const name of ['Ada', 'Bob']) await untilEvent(indie.page, 'state', (e) => e.state.name === name, `${name}'s state at the client`);
  });

  await t.test('media both ways', async () => {
    await mediaBothWays(indie, [
      { p: ada, name: 'Ada' },
      { p: bob, name: 'Bob' },
    ]);
  });

  await t.test('chat both ways', async () => {
    for (const p of [ada, bob]) assert.ok(await click(p.page, 'runde-controls >>> button[name=chat]'), 'the chat button');
    await indie.page.evaluate(() => (window as unknown as DeepWindow).indie.client!.chat('Hello from an independent client'));
    for (const p of [ada, bob])
      await waitFor(
        () => texts(p.page, 'runde-chat >>> .text'),
        (l) => l.includes('Hello from an independent client'),
        "the client's message at an app page",
      );
    await waitFor(
      () => chat(ada.page, 'Welcome, Indie'),
      (v) => v,
      "Ada's chat field",
    );
    await untilEvent(indie.page, 'chat', (e) => e.text === 'Welcome, Indie', "Ada's message at the client");
  });

  await t.test('a 1 MB file from the client to Ada, checked by Ada', async () => {
    const data = randomBytes(1024 * 1024);
    const adaId = await indie.page.evaluate(() => (window as unknown as DeepWindow).indie.client!.peerNamed('Ada'));
    assert.ok(adaId, "Ada's peer id at the client");
    assert.ok(await click(ada.page, 'runde-controls >>> button[name=more]'), 'the more button');
    await clickWhenThere(ada.page, 'runde-controls >>> button[name=files]', '', 'the files item of more');
    await indie.page.evaluate(
      ({ to, b64 }) => {
        const w = window as unknown as DeepWindow;
        w.__sent = w.indie.client!.sendFile(
          to,
          'from-indie.bin',
          'application/octet-stream',
          Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)),
        );
      },
      { to: adaId, b64: data.toString('base64') },
    );
    await clickWhenThere(ada.page, 'button', 'Accept from-indie.bin', "Ada's Accept button");
    await waitFor(
      () => shows(ada.page, 'li', 'Received and checked.'),
      (v) => v,
      'Ada has the file, checked',
    );
    assert.equal(await indie.page.evaluate(() => (window as unknown as DeepWindow).__sent), true, "Ada's file-result is ok");
  });

  await t.test('a file from Bob to the client, its digest checked by the client', async () => {
    const data = randomBytes(300 * 1024 + 123);
    assert.ok(await click(bob.page, 'runde-controls >>> button[name=more]'), 'the more button');
    await clickWhenThere(bob.page, 'runde-controls >>> button[name=files]', '', 'the files item of more');
    const chosen = await inPage(
      bob.page,
      (b64) => {
        const w = window as unknown as DeepWindow;
        const select = w.__deep('select').find((s) => [...(s as HTMLSelectElement).options].some((o) => o.text.includes('Indie'))) as
          | HTMLSelectElement
          | undefined;
        const input = w.__deep('input[type=file]')[0] as HTMLInputElement | undefined;
        if (!select || !input) return false;
        select.value = [...select.options].find((o) => o.text.includes('Indie'))!.value;
        select.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
        const files = new DataTransfer();
        files.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'from-bob.bin', { type: 'application/octet-stream' }));
        input.files = files.files;
        input.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
        return true;
      },
      data.toString('base64'),
    );
    assert.ok(chosen, "Bob's file picker and recipient choice");
    const received = await untilEvent(indie.page, 'file-received', (e) => e.name === 'from-bob.bin', "Bob's file at the client");
    assert.equal(received.size, data.length);
    assert.equal(received.sha256, blockDigest(data), 'the digest the client computed is PEERS.md §5 over the bytes Bob sent');
    assert.equal(received.ok, true, "the client's digest equals Bob's file-done");
    await waitFor(
      () => shows(bob.page, 'li', 'Delivered and checked.'),
      (v) => v,
      'Bob sees the file delivered',
    );
  });

  await t.test('a reaction shows on its tile', async () => {
    await indie.page.evaluate(() => (window as unknown as DeepWindow).indie.client!.react('🎉'));
    for (const p of [ada, bob])
      await waitFor(
        () =>
          inPage(
            p.page,
            () => (window as unknown as DeepWindow).__deep('runde-tile[name="Indie"]').some((tile) => tile.shadowRoot?.textContent?.includes('🎉')),
            undefined,
          ),
        (v) => v,
        'the reaction on the client tile',
      );
  });

  await t.test('a clean leave removes its tile', async () => {
    await noteConnections(t, indie);
    await indie.page.evaluate(() => (window as unknown as DeepWindow).indie.client!.leave());
    for (const p of [ada, bob])
      await waitFor(
        () => tileNames(p.page),
        (names) => !names.includes('Indie') && names.length === 1,
        "the client's tile gone",
      );
  });
});

test('a host locks; the independent client knocks, is let in with a signed state and exchanges media', async (t) => {
  const app = await startApp(t);
  const hostSecret = randomBytes(16).toString('base64url');
  const [ada, bob, indie] = [await person(t), await person(t), await person(t)];
  await joinAs(ada.page, `${app.url}/?lang=en#host:${hostSecret}`, 'Ada');

  // PROTOCOL.md §10a: the participant secret from the host secret, computed by the client's code,
  // is what Ada's address bar shows once she is in.
  await indie.page.goto(`${app.url}/accessibility.html`);
  await indie.page.evaluate((await bundle).outputFiles[0].text);
  const secret = await indie.page.evaluate((h) => (window as unknown as DeepWindow).indie.participantSecret(h), hostSecret);
  await waitFor(
    async () => ada.page.url(),
    (u) => u.endsWith(`#${secret}`),
    "Ada's address bar shows the participant link",
  );
  await joinAs(bob.page, `${app.url}/?lang=en#${secret}`, 'Bob');
  await waitFor(
    async () => [await tileNames(ada.page), await tileNames(bob.page)],
    ([a, b]) => a.includes('Bob') && b.includes('Ada'),
    'Ada and Bob see each other',
  );

  assert.ok(await click(ada.page, 'runde-controls >>> button[name=more]'), 'the more button');
  await clickWhenThere(ada.page, 'runde-controls >>> button[name=lock]', '', 'the lock item of more');
  await waitFor(
    () => shows(bob.page, '[role=status]', 'Meeting locked.'),
    (v) => v,
    'Bob holds the locked state',
  );

  await startIndie(app.url, indie, secret, 'Indie');
  await untilEvent(indie.page, 'standing', (e) => e.standing === 'waiting', 'the client waits (its hello was its knock)');
  for (const p of [ada, bob]) assert.deepEqual(await tileNames(p.page), [p === ada ? 'Bob' : 'Ada'], 'no tile for a knocker');
  assert.equal((await events(indie.page)).filter((e) => e.type === 'connected').length, 0, 'a knocker connects to nobody');

  await clickWhenThere(ada.page, 'runde-knocks >>> button', 'Let in', 'the knock and its Let in button at Ada');
  await untilEvent(indie.page, 'standing', (e) => e.standing === 'in', 'the client is let in by a signed state');
  for (const p of [ada, bob])
    await waitFor(
      () => tileNames(p.page),
      (names) => names.includes('Indie'),
      "the client's tile",
    );
  await mediaBothWays(indie, [
    { p: ada, name: 'Ada' },
    { p: bob, name: 'Bob' },
  ]);
  const hostProofs = (await events(indie.page)).filter((e) => e.type === 'host' && e.kind === 'host');
  assert.ok(hostProofs.length > 0, "the client checked Ada's host proof");
  await noteConnections(t, indie);
});
