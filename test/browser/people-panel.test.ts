import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { peerId } from '../../signaling/protocol.js';
import { setLanguage } from '../../client/i18n/index.js';
import '../../client/ui/people-panel.js';
import type { PersonRow, RundePeople } from '../../client/ui/people-panel.js';
import type { HostAction, RundePersonMenu } from '../../client/ui/person-menu.js';
import { expectAccessible } from './a11y.js';

const ADA = peerId('A'.repeat(22));
const BOB = peerId('B'.repeat(22));
const CEM = peerId('C'.repeat(22));

const row = (id: typeof ADA, name: string, o: Partial<PersonRow> = {}): PersonRow => ({
  id,
  name,
  audio: true,
  video: true,
  hand: null,
  recording: false,
  quality: null,
  safetyCode: null,
  self: false,
  host: false,
  ...o,
});

/** Ada (a host, us), Bob with his microphone on and his hand up, Cem muted. */
const ROWS = [row(ADA, 'Ada', { self: true, host: true }), row(BOB, 'Bob', { hand: 1 }), row(CEM, 'Cem', { audio: false })];

const $ = <T extends Element>(root: Element, selector: string) => root.shadowRoot!.querySelector<T>(selector);
const menuOf = (el: RundePeople, id: string) => $<RundePersonMenu>(el, `li[data-peer="${id}"] runde-person-menu`)!;
const items = (menu: RundePersonMenu) => [...menu.shadowRoot!.querySelectorAll<HTMLButtonElement>('[role=menuitem]')];
const focusedItem = (menu: RundePersonMenu) => menu.shadowRoot!.activeElement?.getAttribute('name');

describe('runde-people', () => {
  beforeEach(() => setLanguage('en'));

  it('marks hosts, and gives a participant no actions on others', async () => {
    const el = await fixture<RundePeople>(html`<runde-people .rows=${[row(BOB, 'Bob', { self: true }), row(ADA, 'Ada', { host: true })]}></runde-people>`);
    expect($(el, `li[data-peer="${ADA}"] .badge`)!.textContent).to.equal('Host');
    expect($(el, `li[data-peer="${BOB}"] .badge`)).to.equal(null);
    expect(el.shadowRoot!.querySelectorAll('runde-person-menu, button[name=mute-all]').length).to.equal(0);
    expect(el.shadowRoot!.textContent).not.to.match(/Remove|Mute/);
  });

  it('gives a host "mute everyone" and a menu on each other person, with only what applies', async () => {
    const el = await fixture<RundePeople>(html`<runde-people .rows=${ROWS} moderate></runde-people>`);
    expect($(el, `li[data-peer="${ADA}"] runde-person-menu`), 'no menu on oneself').to.equal(null);
    const bob = menuOf(el, BOB);
    const toggle = $<HTMLButtonElement>(bob, 'button[name=actions]')!;
    expect(toggle.getAttribute('aria-label')).to.equal('More actions for Bob');
    expect(toggle.getAttribute('aria-haspopup')).to.equal('menu');
    toggle.click();
    await bob.updateComplete;
    expect(items(bob).map((b) => b.textContent)).to.deep.equal(['Ask Bob to mute', "Lower Bob's hand", 'Remove Bob']);
    const cem = menuOf(el, CEM);
    const cemToggle = $<HTMLButtonElement>(cem, 'button[name=actions]')!;
    cemToggle.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true }));
    cemToggle.click();
    await cem.updateComplete;
    expect(
      items(cem).map((b) => b.textContent),
      'muted, hand down: only remove',
    ).to.deep.equal(['Remove Cem']);
    expect(bob.shadowRoot!.querySelector('[role=menu]'), 'opening one menu closed the other (a press outside it)').to.equal(null);

    const muteAll = oneEvent(el, 'runde-host-action');
    $<HTMLButtonElement>(el, 'button[name=mute-all]')!.click();
    expect(((await muteAll) as CustomEvent<HostAction>).detail).to.deep.equal({ action: 'mute', id: '*', name: '' });
  });

  it('works by keyboard: Enter opens with the focus on the first item, arrows move, Escape closes and gives the focus back', async () => {
    const el = await fixture<RundePeople>(html`<runde-people .rows=${ROWS} moderate></runde-people>`);
    const bob = menuOf(el, BOB);
    const toggle = $<HTMLButtonElement>(bob, 'button[name=actions]')!;
    toggle.focus();
    await sendKeys({ press: 'Enter' });
    await bob.updateComplete;
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
    expect(focusedItem(bob)).to.equal('mute');
    await expectAccessible(el);
    await sendKeys({ press: 'ArrowDown' });
    expect(focusedItem(bob)).to.equal('lower-hand');
    await sendKeys({ press: 'ArrowUp' });
    await sendKeys({ press: 'ArrowUp' });
    expect(focusedItem(bob), 'wraps around').to.equal('remove');
    await sendKeys({ press: 'Home' });
    expect(focusedItem(bob)).to.equal('mute');
    const escapeKey = new Promise<KeyboardEvent>((resolve) => window.addEventListener('keydown', resolve, { once: true }));
    await sendKeys({ press: 'Escape' });
    expect((await escapeKey).defaultPrevented, 'the call does not also close the side panel').to.equal(true);
    await bob.updateComplete;
    expect(bob.shadowRoot!.querySelector('[role=menu]')).to.equal(null);
    expect(bob.shadowRoot!.activeElement).to.equal(toggle);
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
  });

  it('asks for the chosen action on that person and closes, the focus back on its button', async () => {
    const el = await fixture<RundePeople>(html`<runde-people .rows=${ROWS} moderate></runde-people>`);
    const bob = menuOf(el, BOB);
    const toggle = $<HTMLButtonElement>(bob, 'button[name=actions]')!;
    toggle.focus();
    await sendKeys({ press: 'ArrowUp' }); // opens on the last item
    await bob.updateComplete;
    expect(focusedItem(bob)).to.equal('remove');
    const chosen = oneEvent(el, 'runde-host-action');
    await sendKeys({ press: 'Enter' });
    const e = (await chosen) as CustomEvent<HostAction>;
    expect(e.detail).to.deep.equal({ action: 'remove', id: BOB, name: 'Bob' });
    expect(e.composed).to.equal(true);
    await bob.updateComplete;
    expect(bob.shadowRoot!.querySelector('[role=menu]')).to.equal(null);
    expect(bob.shadowRoot!.activeElement).to.equal(toggle);
  });
});
