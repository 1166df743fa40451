/**
 * The start page: the product's name (and the deploying office's, from config.json), what it is
 * in one line, then a card to start a new meeting or go to one from a pasted link or code.
 *
 * @fires runde-create - start a new meeting
 * @fires runde-open-link - detail: the pasted text
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Brand } from '../core/runtime-config.js';
import { t } from '../i18n/index.js';
import { buttonStyles } from './styles.js';

/** This app's own address (with its sub-path), which every meeting link here starts with. */
function appAddress(): string {
  return new URL('./', location.href).href;
}

@customElement('runde-start')
export class RundeStart extends LitElement {
  static override styles = [
    buttonStyles,
    css`
      :host {
        display: block;
        /* As wide as app.ts's footer, so the card lines up with the link under it. */
        max-width: 40rem;
        margin: 0 auto;
        padding: var(--runde-space-5) var(--runde-space-4) var(--runde-space-6);
        color: var(--runde-page-fg);
      }
      .masthead {
        display: flex;
        align-items: center;
        flex-wrap: wrap;
        gap: var(--runde-space-3);
      }
      .masthead img {
        height: 2.5rem;
        width: auto;
        max-width: 10rem;
      }
      h1 {
        font-size: var(--runde-text-xxl);
        line-height: 1.2;
        margin: 0;
        overflow-wrap: anywhere;
      }
      .tagline {
        font-size: var(--runde-text-l);
        color: var(--runde-page-muted);
        margin: var(--runde-space-2) 0 var(--runde-space-5);
      }
      .card {
        background: var(--runde-card-bg);
        border: 1px solid var(--runde-border);
        border-radius: var(--runde-radius-l);
        padding: var(--runde-space-5);
        box-shadow: 0 1px 3px rgb(31 41 51 / 8%);
      }
      .card > p {
        margin: 0 0 var(--runde-space-4);
      }
      .create {
        font-size: var(--runde-text-l);
        padding: var(--runde-space-3) var(--runde-space-5);
      }
      form {
        margin-top: var(--runde-space-5);
        padding-top: var(--runde-space-5);
        border-top: 1px solid var(--runde-border);
      }
      label {
        display: block;
        margin-bottom: var(--runde-space-2);
      }
      .row {
        display: flex;
        gap: var(--runde-space-2);
        align-items: stretch;
      }
      input {
        flex: 1;
        min-width: 0;
        box-sizing: border-box;
        font: inherit;
        padding: var(--runde-space-2) var(--runde-space-3);
        min-height: 44px;
        color: var(--runde-page-fg);
        background: var(--runde-card-bg);
        border: 1px solid var(--runde-page-muted);
        border-radius: var(--runde-radius-s);
      }
      input::placeholder {
        color: var(--runde-page-muted);
      }
      .error {
        color: var(--runde-danger);
        font-weight: 600;
        margin: var(--runde-space-2) 0 0;
      }
      .error:empty {
        margin: 0;
      }
      /* A phone (390 px): the link field and its button stack, each the full width. */
      @media (max-width: 32rem) {
        :host {
          padding-inline: var(--runde-space-3);
        }
        .card {
          padding: var(--runde-space-4);
        }
        .create {
          width: 100%;
        }
        .row {
          flex-direction: column;
        }
      }
    `,
  ];

  /** The UI language; setting it renders the page again in that language. */
  @property() override lang = '';
  /** A sentence to show under the link field (an invalid link). */
  @property() error = '';
  /** The deploying office's name and logo (config.json); its colour is applied app-wide (brand.ts). */
  @property({ attribute: false }) brand: Brand | null = null;

  protected override render() {
    const office = this.brand?.name;
    return html`
      <header class="masthead">
        ${this.brand?.logo ? html`<img class="logo" src=${this.brand.logo} alt="" />` : nothing}
        <img class="mark" src="icon.svg" alt="" width="40" height="40" />
        <h1>${office ? html`${office} <span aria-hidden="true">·</span> ` : nothing}${t('app.name')}</h1>
      </header>
      <p class="tagline">${t('start.tagline')}</p>
      <div class="card">
        <p>${t('start.intro')}</p>
        <button class="primary create" name="create" @click=${this.#handleCreate}>${t('start.create')}</button>
        <form @submit=${this.#handleOpen}>
          <label for="link">${t('start.joinLabel')}</label>
          <div class="row">
            <input id="link" name="link" type="text" autocomplete="off" spellcheck="false" placeholder=${t('start.linkPlaceholder', { address: appAddress() })}
              aria-describedby="link-error" aria-invalid=${this.error ? 'true' : 'false'} />
            <button class="secondary" type="submit">${t('start.joinButton')}</button>
          </div>
          <p id="link-error" class="error" role="alert">${this.error}</p>
        </form>
      </div>
    `;
  }

  #handleCreate(): void {
    this.dispatchEvent(new CustomEvent('runde-create', { bubbles: true, composed: true }));
  }

  #handleOpen(e: Event): void {
    e.preventDefault();
    const input = this.renderRoot.querySelector<HTMLInputElement>('#link')!;
    this.dispatchEvent(new CustomEvent<string>('runde-open-link', { detail: input.value, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-start': RundeStart;
  }
}
