import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../client/ui/controls.js';
import type { ControlRequest, RundeControls } from '../../client/ui/controls.js';
import { setLanguage } from '../../client/i18n/index.js';

const button = (el: RundeControls, name: string) =>
  el.shadowRoot!.querySelector<HTMLButtonElement>(`button[name=${name}]`)!;

async function press(el: RundeControls, name: string): Promise<ControlRequest> {
  const event = oneEvent(el, 'runde-control');
  button(el, name).click();
  const e = (await event) as CustomEvent<ControlRequest>;
  expect(e.composed).to.equal(true);
  return e.detail;
}

describe('runde-controls', () => {
  beforeEach(() => setLanguage('en'));

  for (const name of ['mic', 'cam', 'screen', 'hand', 'chat', 'people', 'files', 'layout', 'devices', 'help', 'copy', 'leave']) {
    it(`asks for "${name}" when its button is pressed`, async () => {
      const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video can-share></runde-controls>`);
      expect((await press(el, name)).action).to.equal(name);
    });
  }

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
