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

/** Opens the "more" menu (its items exist only while it is open). */
async function openMore(el: RundeControls): Promise<void> {
  if (button(el, 'more').getAttribute('aria-expanded') !== 'true') button(el, 'more').click();
  await el.updateComplete;
}

const PRIMARY = ['mic', 'cam', 'screen', 'hand', 'chat', 'people', 'more', 'leave'];
const IN_MENU = ['files', 'layout', 'devices', 'help', 'invite', 'lock'];
const shown = (el: RundeControls, name: string) => !!button(el, name) && button(el, name).getClientRects().length > 0;
const focusedName = (el: RundeControls) => el.shadowRoot!.activeElement?.getAttribute('name');
const label = (b: HTMLElement) => b.textContent!.replace(/\s+/g, ' ').trim();

describe('runde-controls', () => {
  beforeEach(() => setLanguage('en'));

  for (const name of PRIMARY.filter((n) => n !== 'more')) {
    it(`asks for "${name}" when its button in the bar is pressed`, async () => {
      const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video can-share host></runde-controls>`);
      expect((await press(el, name)).action).to.equal(name);
    });
  }
  for (const name of IN_MENU) {
    it(`asks for "${name}" from the "more" menu, and the menu closes`, async () => {
      const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video can-share host></runde-controls>`);
      expect(button(el, name), 'not in the bar').to.equal(null);
      await openMore(el);
      expect((await press(el, name)).action).to.equal(name);
      await el.updateComplete;
      expect(button(el, name), 'the menu closed').to.equal(null);
    });
  }

  it('labels every primary button with visible text, and lists the rest as text items', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video can-share host></runde-controls>`);
    const visible = PRIMARY.map((n) => el.shadowRoot!.querySelector(`button[name=${n}] .short`)?.textContent);
    expect(visible).to.deep.equal(['Microphone', 'Camera', 'Share', 'Hand', 'Chat', 'People', 'More', 'Leave']);
    // Each visible label is part of the spoken name (WCAG 2.5.3, label in name).
    for (const n of PRIMARY) {
      const b = button(el, n);
      const short = b.querySelector('.short')!.textContent!.toLowerCase();
      expect((b.getAttribute('aria-label') ?? label(b)).toLowerCase(), n).to.contain(short);
    }
    await openMore(el);
    expect(IN_MENU.map((n) => label(button(el, n)))).to.deep.equal([
      'Files',
      'Show the speaker large',
      'Microphone, camera and speaker',
      'Keyboard shortcuts',
      'Invite people',
      'Lock the meeting (newcomers must be let in)',
    ]);
    await expectAccessible(el);
  });

  it('offers the lock to hosts only (the host link is in "Invite people", for hosts only)', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video></runde-controls>`);
    await openMore(el);
    expect(button(el, 'lock'), 'no lock for a participant').to.equal(null);
    expect(label(button(el, 'invite')), 'invitations for everyone').to.equal('Invite people');
    el.host = true;
    el.locked = true;
    await el.updateComplete;
    expect(label(button(el, 'lock'))).to.equal('Unlock the meeting');
    expect(button(el, 'lock').getAttribute('aria-pressed')).to.equal('true');
  });

  it('offers recording only where the browser can record, and to stop it while recording', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls></runde-controls>`);
    await openMore(el);
    expect(button(el, 'record'), 'no recording without MediaRecorder').to.equal(null);
    el.canRecord = true;
    await el.updateComplete;
    expect(label(button(el, 'record'))).to.equal('Record meeting');
    expect(button(el, 'record').getAttribute('aria-pressed')).to.equal('false');
    el.recording = true;
    await el.updateComplete;
    expect(label(button(el, 'record'))).to.equal('Stop recording');
    expect(button(el, 'record').getAttribute('aria-pressed')).to.equal('true');
  });

  it('sends a reaction chosen from "more"; the menu closes and the focus goes back to "more"', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls></runde-controls>`);
    await openMore(el);
    const reactions = el.shadowRoot!.querySelectorAll<HTMLButtonElement>('button[name=reaction]');
    expect(reactions.length).to.equal(6);
    expect(reactions[0]!.getAttribute('aria-label')).to.equal('Thumbs up');
    const event = oneEvent(el, 'runde-control');
    reactions[1]!.click();
    expect(((await event) as CustomEvent<ControlRequest>).detail).to.deep.equal({ action: 'react', emoji: '👏' });
    await el.updateComplete;
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('button[name=reaction]')).to.equal(null);
    expect(focusedName(el)).to.equal('more');
  });

  it('names each button by what it will do, reports the pressed state and shows off in red', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls video has-audio has-video></runde-controls>`);
    expect(button(el, 'mic').getAttribute('aria-label')).to.equal('Turn microphone on');
    expect(button(el, 'mic').getAttribute('aria-pressed')).to.equal('false');
    expect(button(el, 'mic').classList.contains('off')).to.equal(true);
    const red = getComputedStyle(button(el, 'mic').querySelector('.icon')!).backgroundColor;
    expect(red).to.equal('rgb(179, 38, 30)');
    expect(button(el, 'cam').getAttribute('aria-label')).to.equal('Turn camera off');
    expect(button(el, 'cam').getAttribute('aria-pressed')).to.equal('true');
    expect(getComputedStyle(button(el, 'cam').querySelector('.icon')!).backgroundColor).not.to.equal(red);
    expect(button(el, 'leave').getAttribute('aria-label')).to.equal('Leave meeting');
  });

  it('shows the unread count on the chat button and in its name', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls .unread=${3}></runde-controls>`);
    expect(button(el, 'chat').querySelector('.badge')!.textContent).to.equal('3');
    expect(button(el, 'chat').getAttribute('aria-label'), 'named by its own text').to.equal(null);
    const spoken = [...button(el, 'chat').querySelectorAll('.visually-hidden, .badge')].map((e) => e.textContent).join('');
    expect(spoken.replace(/\s+/g, ' ').trim()).to.equal('Chat, 3 unread');
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
    expect(button(el, 'mic').querySelector('.short')!.textContent).to.equal('Mikrofon');
  });

  it('"more" is highlighted only while its menu is open', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video host locked></runde-controls>`);
    expect(button(el, 'more').classList.contains('on')).to.equal(false);
    await openMore(el);
    expect(button(el, 'more').classList.contains('on')).to.equal(true);
    button(el, 'more').click();
    await el.updateComplete;
    expect(button(el, 'more').classList.contains('on')).to.equal(false);
  });

  it('opens "more" by keyboard with the focus on its first item; arrows walk it; Escape closes it with the focus back on "more"', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video></runde-controls>`);
    button(el, 'more').focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(button(el, 'more').getAttribute('aria-expanded')).to.equal('true');
    expect(focusedName(el)).to.equal('reaction');
    await expectAccessible(el);
    await sendKeys({ press: 'End' });
    expect(focusedName(el)).to.equal('invite');
    await sendKeys({ press: 'ArrowDown' });
    expect(focusedName(el), 'wraps round').to.equal('reaction');
    await sendKeys({ press: 'ArrowUp' });
    expect(focusedName(el)).to.equal('invite');
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(button(el, 'files')).to.equal(null);
    expect(focusedName(el)).to.equal('more');
  });

  it('a panel chosen from "more" leaves the focus on "more"; focusButton finds the bar\'s buttons', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video></runde-controls>`);
    await openMore(el);
    expect((await press(el, 'files')).action).to.equal('files');
    await el.updateComplete;
    expect(focusedName(el)).to.equal('more');
    el.focusButton('files'); // as the call does when Escape closes the files panel
    expect(focusedName(el)).to.equal('more');
    el.focusButton('people');
    expect(focusedName(el)).to.equal('people');
  });

  it('closes "more" when Tab leaves the menu, and on a tap outside the bar, not on one inside it', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video></runde-controls>`);
    await openMore(el);
    button(el, 'invite').focus();
    await sendKeys({ press: 'Tab' }); // past the menu's last item, on to "leave"
    await el.updateComplete;
    expect(focusedName(el)).to.equal('leave');
    expect(button(el, 'files'), 'Tab out of the menu closes it').to.equal(null);

    await openMore(el);
    button(el, 'files').dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true }));
    await el.updateComplete;
    expect(shown(el, 'files'), 'a tap inside keeps it open').to.equal(true);
    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, composed: true }));
    await el.updateComplete;
    expect(button(el, 'files')).to.equal(null);
    expect(button(el, 'more').getAttribute('aria-expanded')).to.equal('false');
  });
});

describe('runde-controls on a phone-wide screen', () => {
  before(() => setViewport({ width: 390, height: 844 }));
  after(() => setViewport({ width: 800, height: 600 }));

  for (const lang of ['en', 'de', 'fr'] as const) {
    it(`keeps the primary controls with their labels in one row on screen (${lang})`, async () => {
      await setLanguage(lang);
      const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video host></runde-controls>`);
      el.canShare = true;
      await el.updateComplete;
      expect(shown(el, 'screen'), 'sharing goes to the menu on a phone; the hand keeps its slot').to.equal(false);
      const names = ['mic', 'cam', 'hand', 'chat', 'people', 'more', 'leave'];
      expect(names.filter((n) => !shown(el, n))).to.deep.equal([]);
      const boxes = names.map((n) => button(el, n).getBoundingClientRect());
      expect(new Set(boxes.map((b) => Math.round(b.top))).size, 'one row').to.equal(1);
      expect(
        boxes.filter((b) => b.left < 0 || b.right > innerWidth),
        'on screen',
      ).to.deep.equal([]);
      expect(
        boxes.filter((b) => b.width < 44 || b.height < 44),
        '44 px targets',
      ).to.deep.equal([]);
      // No label is cut or runs into its neighbour.
      const cut = names.filter((n) => {
        const s = button(el, n).querySelector<HTMLElement>('.short')!;
        return s.scrollWidth > button(el, n).clientWidth;
      });
      expect(cut).to.deep.equal([]);
      await openMore(el);
      expect(el.shadowRoot!.querySelector('.menu button[name=screen]')!.getClientRects().length, 'sharing in the menu').to.be.above(0);
      const menu = el.shadowRoot!.querySelector('.menu')!.getBoundingClientRect();
      expect(menu.left).to.be.at.least(0);
      expect(menu.right).to.be.at.most(innerWidth);
    });
  }
});
