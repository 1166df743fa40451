import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../client/ui/controls.js';
import type { ControlRequest, RundeControls } from '../../client/ui/controls.js';
import { setLanguage } from '../../client/i18n/index.js';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import { expectAccessible } from './a11y.js';

const button = (el: RundeControls, name: string) => el.shadowRoot!.querySelector<HTMLButtonElement>(`button[name=${name}]`)!;

async function press(el: RundeControls, name: string): Promise<ControlRequest> {
  const event = oneEvent(el, 'runde-control');
  button(el, name).click();
  const e = (await event) as CustomEvent<ControlRequest>;
  expect(e.composed).to.equal(true);
  return e.detail;
}

describe('runde-controls', () => {
  beforeEach(() => setLanguage('en'));

  for (const name of ['mic', 'cam', 'screen', 'hand', 'chat', 'people', 'files', 'layout', 'devices', 'help', 'copy', 'lock', 'copy-host', 'leave']) {
    it(`asks for "${name}" when its button is pressed`, async () => {
      const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video can-share host></runde-controls>`);
      expect((await press(el, name)).action).to.equal(name);
    });
  }

  it('offers the lock and the host link to hosts only', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video></runde-controls>`);
    expect(button(el, 'lock'), 'no lock for a participant').to.equal(null);
    expect(button(el, 'copy-host'), 'no host link for a participant').to.equal(null);
    expect(button(el, 'copy').getAttribute('aria-label')).to.equal('Copy meeting link');
    el.host = true;
    el.locked = true;
    await el.updateComplete;
    expect(button(el, 'lock').getAttribute('aria-label')).to.equal('Unlock the meeting');
    expect(button(el, 'lock').getAttribute('aria-pressed')).to.equal('true');
    expect(button(el, 'copy-host').getAttribute('aria-label')).to.equal('Copy host link (gives host rights, for co-hosts)');
  });

  it('opens the reactions and sends the chosen one; Escape closes them', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls></runde-controls>`);
    button(el, 'react').click();
    await el.updateComplete;
    expect(button(el, 'react').getAttribute('aria-expanded')).to.equal('true');
    const reactions = el.shadowRoot!.querySelectorAll<HTMLButtonElement>('button[name=reaction]');
    expect(reactions.length).to.equal(6);
    expect(reactions[0].getAttribute('aria-label')).to.equal('Thumbs up');
    const event = oneEvent(el, 'runde-control');
    reactions[1].click();
    expect(((await event) as CustomEvent<ControlRequest>).detail).to.deep.equal({ action: 'react', emoji: '👏' });
    button(el, 'react').click();
    await el.updateComplete;
    el.shadowRoot!.querySelector('.reactions')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.reactions')).to.equal(null);
  });

  it('names each button by what it will do and reports the pressed state', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls video has-audio has-video></runde-controls>`);
    expect(button(el, 'mic').getAttribute('aria-label')).to.equal('Turn microphone on');
    expect(button(el, 'mic').getAttribute('aria-pressed')).to.equal('false');
    expect(button(el, 'cam').getAttribute('aria-label')).to.equal('Turn camera off');
    expect(button(el, 'cam').getAttribute('aria-pressed')).to.equal('true');
    expect(button(el, 'leave').getAttribute('aria-label')).to.equal('Leave meeting');
  });

  it('shows the unread count on the chat button and in its name', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls .unread=${3}></runde-controls>`);
    expect(button(el, 'chat').querySelector('.badge')!.textContent).to.equal('3');
    expect(button(el, 'chat').getAttribute('aria-label'), 'named by its own text').to.equal(null);
    expect(button(el, 'chat').textContent!.replace(/\s+/g, ' ').trim()).to.equal('Chat, 3 unread');
  });

  it('disables the camera button when there is no camera and says why', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls audio has-audio></runde-controls>`);
    expect(button(el, 'cam').disabled).to.equal(true);
    expect(button(el, 'cam').getAttribute('aria-label')).to.equal('No camera available');
  });

  it('speaks German when German is chosen', async () => {
    await setLanguage('de');
    const el = await fixture<RundeControls>(html`<runde-controls audio has-audio></runde-controls>`);
    expect(button(el, 'leave').getAttribute('aria-label')).to.equal('Besprechung verlassen');
    expect(button(el, 'mic').getAttribute('aria-label')).to.equal('Mikrofon ausschalten');
  });
});

describe('runde-controls on a phone-wide screen', () => {
  before(() => setViewport({ width: 360, height: 640 }));
  after(() => setViewport({ width: 800, height: 600 }));
  beforeEach(() => setLanguage('en'));

  const shown = (el: RundeControls, name: string) => button(el, name).getClientRects().length > 0;
  const focusedName = (el: RundeControls) => el.shadowRoot!.activeElement?.getAttribute('name');

  it('keeps microphone, camera, chat, "more" and leave in one row, and "more" holds the rest', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video host></runde-controls>`);
    expect(['mic', 'cam', 'chat', 'more', 'leave'].filter((n) => !shown(el, n))).to.deep.equal([]);
    expect(['hand', 'react', 'people', 'files', 'layout', 'devices', 'help', 'lock', 'copy', 'copy-host'].filter((n) => shown(el, n))).to.deep.equal([]);
    const rows = new Set(
      [...el.shadowRoot!.querySelectorAll('button')].filter((b) => b.getClientRects().length > 0).map((b) => Math.round(b.getBoundingClientRect().top)),
    );
    expect(rows.size).to.equal(1);
    expect(button(el, 'more').getAttribute('aria-label')).to.equal('More options');
    expect(button(el, 'more').getAttribute('aria-expanded')).to.equal('false');
  });

  it('opens "more" by keyboard with the focus inside, and Escape closes it with the focus back on "more"', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video></runde-controls>`);
    button(el, 'more').focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(button(el, 'more').getAttribute('aria-expanded')).to.equal('true');
    expect(shown(el, 'people')).to.equal(true);
    expect(focusedName(el)).to.equal('hand');
    await expectAccessible(el);
    await sendKeys({ press: 'Tab' });
    expect(focusedName(el)).to.equal('react');
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(shown(el, 'people')).to.equal(false);
    expect(focusedName(el)).to.equal('more');
  });

  it('a control chosen from "more" is asked for, the group closes and the focus waits on "more"', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video></runde-controls>`);
    button(el, 'more').click();
    await el.updateComplete;
    expect((await press(el, 'help')).action).to.equal('help');
    await el.updateComplete;
    expect(shown(el, 'help')).to.equal(false);
    expect(focusedName(el)).to.equal('more');
    el.focusButton('people'); // as the call does when Escape closes the people panel
    expect(focusedName(el)).to.equal('more');
    el.focusButton('chat');
    expect(focusedName(el)).to.equal('chat');
  });

  it('closes "more" by Escape on its own button and when Tab leaves the group; a bar button leaves the focus alone', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video></runde-controls>`);
    button(el, 'more').focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    await sendKeys({ down: 'Shift' }); // Shift+Tab: back onto "more" itself
    await sendKeys({ press: 'Tab' });
    await sendKeys({ up: 'Shift' });
    expect(focusedName(el)).to.equal('more');
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(shown(el, 'people'), 'Escape on "more" closes the group').to.equal(false);

    button(el, 'more').click();
    await el.updateComplete;
    button(el, 'copy').focus();
    await sendKeys({ press: 'Tab' }); // past the group's last control (no host link: no host), to "leave"
    await el.updateComplete;
    expect(focusedName(el)).to.equal('leave');
    expect(shown(el, 'people'), 'Tab out of the group closes it').to.equal(false);

    button(el, 'more').click();
    await el.updateComplete;
    button(el, 'hand').focus();
    expect((await press(el, 'mic')).action).to.equal('mic');
    expect(focusedName(el), 'a bar button does not move the focus').to.equal('hand');
  });

  it('a reaction chosen from "more" gives the focus back to "more", and "more" shows a raised hand', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video></runde-controls>`);
    expect(button(el, 'more').classList.contains('on')).to.equal(false);
    button(el, 'more').click();
    await el.updateComplete;
    button(el, 'react').click();
    await el.updateComplete;
    const reaction = el.shadowRoot!.querySelector<HTMLButtonElement>('button[name=reaction]')!;
    const box = reaction.parentElement!.getBoundingClientRect();
    expect(box.left, 'the reactions row stays on screen').to.be.at.least(0);
    expect(box.right).to.be.at.most(innerWidth);
    const event = oneEvent(el, 'runde-control');
    reaction.click();
    expect(((await event) as CustomEvent<ControlRequest>).detail.action).to.equal('react');
    await el.updateComplete;
    await el.updateComplete;
    expect(focusedName(el)).to.equal('more');
    button(el, 'more').click();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('button[name=reaction]'), 'the reactions row does not reopen by itself').to.equal(null);
    el.hand = true;
    await el.updateComplete;
    expect(button(el, 'more').classList.contains('on')).to.equal(true);
  });

  it('closes "more" on a tap outside the bar, not on one inside it', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video></runde-controls>`);
    button(el, 'more').click();
    await el.updateComplete;
    button(el, 'people').dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true }));
    await el.updateComplete;
    expect(shown(el, 'people'), 'a tap inside keeps it open').to.equal(true);
    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true }));
    await el.updateComplete;
    expect(shown(el, 'people')).to.equal(false);
    expect(button(el, 'more').getAttribute('aria-expanded')).to.equal('false');
  });
});
