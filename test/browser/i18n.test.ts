import { expect } from '@open-wc/testing';
import { de } from '../../client/i18n/de.js';
import { en } from '../../client/i18n/en.js';
import { fr } from '../../client/i18n/fr.js';
import { LANGUAGES, loadCatalog, pickLanguage, plural, setLanguage, t } from '../../client/i18n/index.js';

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

  it('leaves no sentence untranslated (but for words that are the same in both languages)', () => {
    const SAME: Record<string, string[]> = {
      de: ['app.name', 'controls.chat', 'controls.short.hand', 'controls.short.chat', 'chat.heading', 'chat.fileName'],
      fr: ['app.name', 'lobby.microphone', 'invite.minutes.one', 'invite.minutes.other', 'recording.pause'],
    };
    for (const [lang, catalog] of Object.entries({ de, fr })) {
      const same = Object.keys(en).filter((k) => (catalog as Record<string, string>)[k] === (en as Record<string, string>)[k]);
      expect(same, lang).to.deep.equal(SAME[lang]);
    }
  });

  it('chooses plural forms and writes numbers as each language does', async () => {
    await setLanguage('en');
    expect(plural('call.participants', 1)).to.equal('1 person in the meeting');
    expect(plural('call.participants', 3)).to.equal('3 people in the meeting');
    await setLanguage('fr');
    expect(plural('call.participants', 0)).to.equal('0 personne dans la réunion');
    expect(plural('call.participants', 2)).to.equal('2 personnes dans la réunion');
    await setLanguage('de');
    expect(t('device.unnamed', { n: 12345 })).to.equal('Gerät 12.345');
    await setLanguage('en');
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
