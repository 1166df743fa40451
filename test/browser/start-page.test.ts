import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../client/ui/start-page.js';
import type { RundeStart } from '../../client/ui/start-page.js';
import { setLanguage } from '../../client/i18n/index.js';

describe('runde-start', () => {
  it('offers "Start a meeting" and asks to create one when pressed', async () => {
    await setLanguage('en');
    const el = await fixture<RundeStart>(html`<runde-start></runde-start>`);
    const button = el.shadowRoot!.querySelector<HTMLButtonElement>('button[name=create]')!;
    expect(button.textContent!.trim()).to.equal('Start a meeting');
    const created = oneEvent(el, 'runde-create');
    button.click();
    await created;
  });

  it('hands a pasted link over and shows an error sentence it is given', async () => {
    const el = await fixture<RundeStart>(html`<runde-start></runde-start>`);
    el.shadowRoot!.querySelector<HTMLInputElement>('#link')!.value = 'https://x.example/#abc';
    const opened = oneEvent(el, 'runde-open-link');
    el.shadowRoot!.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    expect((await opened).detail).to.equal('https://x.example/#abc');
    el.error = 'Broken link';
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[role=alert]')!.textContent).to.equal('Broken link');
  });
});
