import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../client/ui/controls.js';
import type { RundeControls } from '../../client/ui/controls.js';
import { setLanguage } from '../../client/i18n/index.js';

const button = (el: RundeControls, name: string) =>
  el.shadowRoot!.querySelector<HTMLButtonElement>(`button[name=${name}]`)!;

describe('runde-controls', () => {
  beforeEach(() => setLanguage('en'));

  for (const [name, type] of [
    ['mic', 'runde-toggle-mic'],
    ['cam', 'runde-toggle-cam'],
    ['copy', 'runde-copy-link'],
    ['leave', 'runde-leave'],
  ]) {
    it(`asks for ${type} when the ${name} button is pressed`, async () => {
      const el = await fixture<RundeControls>(html`<runde-controls audio video has-audio has-video></runde-controls>`);
      const event = oneEvent(el, type);
      button(el, name).click();
      const e = await event;
      expect(e.composed).to.equal(true);
    });
  }

  it('names each button by what it will do and reports the pressed state', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls video has-audio has-video></runde-controls>`);
    expect(button(el, 'mic').getAttribute('aria-label')).to.equal('Turn microphone on');
    expect(button(el, 'mic').getAttribute('aria-pressed')).to.equal('false');
    expect(button(el, 'cam').getAttribute('aria-label')).to.equal('Turn camera off');
    expect(button(el, 'cam').getAttribute('aria-pressed')).to.equal('true');
    expect(button(el, 'leave').getAttribute('aria-label')).to.equal('Leave meeting');
  });

  it('disables the camera button when there is no camera and says why', async () => {
    const el = await fixture<RundeControls>(html`<runde-controls audio has-audio></runde-controls>`);
    expect(button(el, 'cam').disabled).to.equal(true);
    expect(button(el, 'cam').getAttribute('aria-label')).to.equal('No camera available');
  });

  it('speaks German when German is chosen', async () => {
    setLanguage('de');
    const el = await fixture<RundeControls>(html`<runde-controls audio has-audio></runde-controls>`);
    expect(button(el, 'leave').getAttribute('aria-label')).to.equal('Besprechung verlassen');
    expect(button(el, 'mic').getAttribute('aria-label')).to.equal('Mikrofon ausschalten');
  });
});
