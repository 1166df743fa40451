/**
 * Entry point of static/accessibility.html: the accessibility statement, in the language chosen
 * by `?lang=`, the saved choice or the browser, with the deployer's part from /config.json.
 */
import { html, render } from 'lit';
import { loadRuntimeConfig, type RuntimeConfig } from './core/runtime-config.js';
import { loadSettings, saveSettings } from './core/settings.js';
import { language, pickLanguage, setLanguage, t, type Language } from './i18n/index.js';
import './ui/language-picker.js';
import './ui/statement-page.js';

const root = document.querySelector<HTMLElement>('#statement')!;

function draw(config: RuntimeConfig): void {
  document.title = `${t('statement.title')} – ${t('app.name')}`;
  const choose = async (e: CustomEvent<Language>) => {
    await setLanguage(e.detail);
    await saveSettings({ lang: e.detail });
    draw(config);
  };
  render(
    html`<header><runde-language .current=${language()} @runde-language=${choose}></runde-language></header>
      <main><runde-statement .lang=${language()} .statement=${config.accessibility}></runde-statement></main>`,
    root,
  );
}

async function start(): Promise<void> {
  const [settings, config] = await Promise.all([loadSettings(), loadRuntimeConfig(location)]);
  await setLanguage(pickLanguage(new URLSearchParams(location.search).get('lang'), settings.lang, navigator.languages ?? []));
  draw(config);
}

void start();
