/**
 * The language picker: each language named in itself.
 *
 * @fires runde-language - detail: Language; the person chose another language
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LANGUAGES, LANGUAGE_NAMES, t, type Language } from '../i18n/index.js';
import './tokens.js';

@customElement('runde-language')
export class RundeLanguage extends LitElement {
  static override styles = css`
    :host {
      display: inline-flex;
      gap: 0.5rem;
      align-items: center;
    }
    select {
      font: inherit;
      min-height: 44px;
      padding: 0.3rem 0.5rem;
      border: 1px solid var(--runde-page-muted);
      border-radius: 0.4rem;
    }
    select:focus-visible {
      outline: 3px solid var(--runde-focus, #ffbf47);
      outline-offset: 2px;
    }
  `;

  /** The language in use. */
  @property() current: Language = 'en';

  protected override render() {
    return html`<label for="lang">${t('lang.label')}</label>
      <select id="lang" name="lang" @change=${this.#handleChange}>
        ${LANGUAGES.map((l) => html`<option value=${l} lang=${l} ?selected=${l === this.current}>${LANGUAGE_NAMES[l]}</option>`)}
      </select>`;
  }

  #handleChange(e: Event): void {
    const lang = (e.target as HTMLSelectElement).value as Language;
    this.dispatchEvent(new CustomEvent<Language>('runde-language', { detail: lang, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-language': RundeLanguage;
  }
}
