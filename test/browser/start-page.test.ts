import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import { setLanguage } from '../../client/i18n/index.js';
import { applyBrandColour, darken } from '../../client/ui/brand.js';
import '../../client/ui/start-page.js';
import type { RundeStart } from '../../client/ui/start-page.js';
import { expectAccessible } from './a11y.js';

const $ = <T extends Element>(el: RundeStart, selector: string) => el.shadowRoot!.querySelector<T>(selector)!;

describe('runde-start', () => {
  beforeEach(() => setLanguage('en'));

  it('offers "Start a meeting" and asks to create one when pressed', async () => {
    const el = await fixture<RundeStart>(html`<runde-start></runde-start>`);
    const button = $<HTMLButtonElement>(el, 'button[name=create]');
    expect(button.textContent!.trim()).to.equal('Start a meeting');
    expect(button.classList.contains('primary')).to.equal(true);
    const created = oneEvent(el, 'runde-create');
    button.click();
    await created;
  });

  it('hands a pasted link over and shows an error sentence it is given', async () => {
    const el = await fixture<RundeStart>(html`<runde-start></runde-start>`);
    $<HTMLInputElement>(el, '#link').value = 'https://x.example/#abc';
    const opened = oneEvent(el, 'runde-open-link');
    $<HTMLButtonElement>(el, 'button[type=submit]').click();
    expect((await opened).detail).to.equal('https://x.example/#abc');
    el.error = 'Broken link';
    await el.updateComplete;
    expect($(el, '[role=alert]').textContent).to.equal('Broken link');
  });

  it('heads the page with the name "Runde" beside a decorative mark, a tagline and a hint in the link field, in the chosen language', async () => {
    const el = await fixture<RundeStart>(html`<runde-start></runde-start>`);
    expect($(el, 'h1').textContent!.trim()).to.equal('Runde');
    const mark = $<HTMLImageElement>(el, '.masthead img.mark');
    expect(mark.getAttribute('src')).to.equal('icon.svg');
    expect(mark.getAttribute('alt')).to.equal('');
    expect($(el, '.tagline').textContent).to.equal('Video meetings straight between browsers. No account, no cloud.');
    expect($<HTMLInputElement>(el, '#link').placeholder).to.equal(`${new URL('./', location.href).href}#… or the code`);
    await setLanguage('de');
    el.lang = 'de';
    await el.updateComplete;
    expect($(el, '.tagline').textContent).to.equal('Videobesprechungen direkt zwischen Browsern. Ohne Konto, ohne Cloud.');
    expect($<HTMLInputElement>(el, '#link').placeholder).to.equal(`${new URL('./', location.href).href}#… oder der Code`);
    expect($(el, '.masthead img.logo'), 'no office logo without a brand').to.equal(null);
  });

  it("shows a deployment's office name and logo before Runde", async () => {
    const brand = { name: 'Stadt Musterstadt', logo: 'static/icon.svg' };
    const el = await fixture<RundeStart>(html`<runde-start .brand=${brand}></runde-start>`);
    expect($(el, 'h1').textContent!.replace(/\s+/g, ' ').trim()).to.equal('Stadt Musterstadt · Runde');
    const logo = $<HTMLImageElement>(el, '.masthead img.logo');
    expect(logo.getAttribute('src')).to.equal('static/icon.svg');
    expect(logo.getAttribute('alt'), 'the name is beside it as text').to.equal('');
    await expectAccessible(el);
  });

  describe('with a brand colour', () => {
    afterEach(() => applyBrandColour(undefined));

    it('makes the colour the accent of primary buttons, with a darker hover, and gives the default back without one', async () => {
      const el = await fixture<RundeStart>(html`<runde-start></runde-start>`);
      const create = $<HTMLButtonElement>(el, 'button[name=create]');
      expect(getComputedStyle(create).backgroundColor).to.equal('rgb(11, 92, 173)');
      applyBrandColour('#7a1f5c');
      expect(getComputedStyle(create).backgroundColor).to.equal('rgb(122, 31, 92)');
      const root = getComputedStyle(document.documentElement);
      expect(root.getPropertyValue('--runde-accent-hover').trim()).to.equal(darken('#7a1f5c'));
      expect(darken('#7a1f5c')).to.equal('#62194a');
      applyBrandColour(undefined);
      expect(getComputedStyle(create).backgroundColor).to.equal('rgb(11, 92, 173)');
    });
  });

  describe('laid out', () => {
    after(() => setViewport({ width: 800, height: 600 }));

    const boxes = async (width: number) => {
      await setViewport({ width, height: 800 });
      const el = await fixture<RundeStart>(html`<runde-start></runde-start>`);
      return { field: $(el, '#link').getBoundingClientRect(), go: $(el, 'button[type=submit]').getBoundingClientRect(), el };
    };

    it('puts "Go to meeting" on the same row as the link field, at its height, on a wide screen', async () => {
      const { field, go } = await boxes(1024);
      expect(go.top).to.equal(field.top);
      expect(go.height).to.equal(field.height);
      expect(go.left).to.be.greaterThan(field.right);
      expect(field.height).to.be.at.least(44);
    });

    it('stacks the link field and "Go to meeting" at full width on a 390 px phone', async () => {
      const { field, go, el } = await boxes(390);
      expect(go.top).to.be.at.least(field.bottom);
      expect(go.width).to.equal(field.width);
      const create = $(el, 'button[name=create]').getBoundingClientRect();
      expect(create.width).to.equal(field.width);
      expect(Math.min(go.height, create.height, field.height)).to.be.at.least(44);
      expect(document.documentElement.scrollWidth).to.be.at.most(390);
    });
  });
});
