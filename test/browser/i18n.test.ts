import { expect } from '@open-wc/testing';
import { de } from '../../client/i18n/de.js';
import { en } from '../../client/i18n/en.js';
import { fr } from '../../client/i18n/fr.js';
import { LANGUAGES, loadCatalog, pickLanguage, setLanguage, t } from '../../client/i18n/index.js';

const CATALOGS = { en, de, fr };

describe('messages', () => {
  it('has the same keys in every catalog and no empty sentence', () => {
    const keys = Object.keys(CATALOGS.en).sort();
    for (const [lang, catalog] of Object.entries(CATALOGS)) {
      expect(Object.keys(catalog).sort(), lang).to.deep.equal(keys);
      for (const [key, text] of Object.entries(catalog)) expect(text.trim(), `${lang} ${key}`).not.to.equal('');
    }
  });

  it('keeps every placeholder of the English sentence in each translation', () => {
    for (const [key, text] of Object.entries(CATALOGS.en)) {
      const params = (text.match(/\{\w+\}/g) ?? []).sort();
      for (const [lang, catalog] of Object.entries(CATALOGS)) {
        const translated = (catalog as Record<string, string>)[key];
        expect((translated.match(/\{\w+\}/g) ?? []).sort(), `${lang} ${key}`).to.deep.equal(params);
      }
    }
  });

  it('picks ?lang= first, then the saved choice, then the browser, then English', () => {
    expect(pickLanguage('de', 'fr', ['en'])).to.equal('de');
    expect(pickLanguage(null, 'fr', ['de'])).to.equal('fr');
    expect(pickLanguage(null, null, ['it', 'de-AT', 'en'])).to.equal('de');
    expect(pickLanguage('xx', null, ['it'])).to.equal('en');
  });

  it('loads every language it offers', async () => {
    for (const lang of LANGUAGES) expect(await loadCatalog(lang)).to.equal(CATALOGS[lang]);
  });

  it('fills in placeholders', async () => {
    await setLanguage('de');
    expect(t('status.reconnecting', { seconds: 4 })).to.contain('in 4 s');
    await setLanguage('en');
    expect(t('call.youNamed', { name: 'Ada' })).to.equal('Ada (you)');
  });
});
