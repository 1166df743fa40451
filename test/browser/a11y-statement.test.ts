import { expect, fixture, html } from '@open-wc/testing';
import type { AccessibilityStatement } from '../../client/core/runtime-config.js';
import { setLanguage, type Language } from '../../client/i18n/index.js';
import '../../client/ui/help-dialog.js';
import type { RundeHelp } from '../../client/ui/help-dialog.js';
import '../../client/ui/statement-page.js';
import type { RundeStatement } from '../../client/ui/statement-page.js';
import { expectAccessible } from './a11y.js';

const COMPLETE: AccessibilityStatement = {
  organisation: 'Stadt Musterstadt',
  contact: 'barrierefreiheit@musterstadt.test',
  feedbackUrl: 'https://musterstadt.test/barriere-melden',
  date: '2025-06-30',
  method: 'self',
  status: 'partial',
  limitations: { de: ['Die Anleitung als PDF ist nicht barrierefrei.'] },
  enforcementBody: 'Schlichtungsstelle nach § 16 BGG',
  enforcementUrl: 'https://schlichtung.test/',
};

const statementOf = (el: RundeStatement) => el.shadowRoot!;
const missing = (el: RundeStatement) => [...statementOf(el).querySelectorAll('[data-missing]')].map((p) => p.textContent!.trim());

describe('the accessibility statement', () => {
  after(() => setLanguage('en'));

  for (const lang of ['en', 'de', 'fr'] as Language[]) {
    it(`says plainly what the deployer has not completed yet (${lang}), and passes axe`, async () => {
      await setLanguage(lang);
      const el = await fixture<RundeStatement>(html`<runde-statement .lang=${lang}></runde-statement>`);
      const sentences = missing(el);
      expect(sentences).to.have.length(8);
      const marker = { en: 'Not yet completed', de: 'Noch nicht ausgefüllt', fr: 'Non encore renseigné' }[lang];
      for (const s of sentences) expect(s.startsWith(marker), s).to.equal(true);
      await expectAccessible(el);
    });

    it(`shows a completed statement without placeholders (${lang}), and passes axe`, async () => {
      await setLanguage(lang);
      const el = await fixture<RundeStatement>(html`<runde-statement .lang=${lang} .statement=${COMPLETE}></runde-statement>`);
      expect(missing(el)).to.deep.equal([]);
      const root = statementOf(el);
      expect(root.textContent).to.contain('Stadt Musterstadt');
      expect(root.querySelector('a[href="mailto:barrierefreiheit@musterstadt.test"]')).to.exist;
      expect(root.querySelector('a[href="https://musterstadt.test/barriere-melden"]')).to.exist;
      expect(root.querySelector('a[href="https://schlichtung.test/"]')!.textContent).to.equal('Schlichtungsstelle nach § 16 BGG');
      expect(root.querySelector('time')!.getAttribute('datetime')).to.equal('2025-06-30');
      // The deployer wrote its limitations in German only: marked as German elsewhere.
      const own = [...root.querySelectorAll('ul')].at(-1)!;
      expect(own.textContent).to.contain('PDF');
      expect(own.getAttribute('lang')).to.equal(lang === 'de' ? null : 'de');
      await expectAccessible(el);
    });
  }

  it('writes the date as the language does', async () => {
    await setLanguage('de');
    const el = await fixture<RundeStatement>(html`<runde-statement lang="de" .statement=${{ date: '2025-06-30' }}></runde-statement>`);
    expect(statementOf(el).querySelector('time')!.textContent).to.equal('30. Juni 2025');
  });

  it('tells that the deployer knows of no further limitations when it lists none', async () => {
    await setLanguage('en');
    const el = await fixture<RundeStatement>(html`<runde-statement .statement=${{ limitations: { en: [] } }}></runde-statement>`);
    expect(statementOf(el).textContent).to.contain('The operator knows of no further limitations');
    expect(missing(el)).to.have.length(7);
  });

  it('is linked from the shortcuts dialog, opening beside the call', async () => {
    await setLanguage('fr');
    const el = await fixture<RundeHelp>(html`<runde-help></runde-help>`);
    // Relative, so that it works for an app under a sub-path (/runde/) too.
    const link = el.shadowRoot!.querySelector<HTMLAnchorElement>('a[href^="accessibility.html"]')!;
    expect(link.getAttribute('href')).to.equal('accessibility.html?lang=fr');
    expect(link.target).to.equal('_blank');
    expect(link.textContent).to.contain("Déclaration d'accessibilité");
  });
});
