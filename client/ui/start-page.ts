/**
 * The start page: start a new meeting, or go to one from a pasted link.
 *
 * @fires runde-create - start a new meeting
 * @fires runde-open-link - detail: the pasted text
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { t } from '../i18n/index.js';
import { buttonStyles } from './styles.js';

@customElement('runde-start')
export class RundeStart extends LitElement {
  static override styles = [
    buttonStyles,
    css`
      :host {
        display: block;
        max-width: 40rem;
        margin: 0 auto;
        padding: 2rem 1rem;
      }
      h1 {
        font-size: 2rem;
        line-height: 1.2;
      }
      .create {
        font-size: 1.15rem;
        padding: 0.8rem 1.5rem;
      }
      form {
        margin-top: 2.5rem;
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
      }
      label {
        flex-basis: 100%;
      }
      input {
        flex: 1 1 16rem;
        font: inherit;
        padding: 0.5rem;
        min-height: 44px;
        border: 1px solid #52606d;
        border-radius: 0.4rem;
      }
      .error {
        color: #b3261e;
        font-weight: 600;
      }
    `,
  ];

  /** The UI language; setting it renders the page again in that language. */
  @property() override lang = '';
  /** A sentence to show under the link field (an invalid link). */
  @property() error = '';

  protected override render() {
    return html`
      <h1>${t('start.heading')}</h1>
      <p>${t('start.intro')}</p>
      <button class="primary create" name="create" @click=${this.#handleCreate}>${t('start.create')}</button>
      <form @submit=${this.#handleOpen}>
        <label for="link">${t('start.joinLabel')}</label>
        <input id="link" name="link" type="text" autocomplete="off" spellcheck="false"
          aria-describedby="link-error" aria-invalid=${this.error ? 'true' : 'false'} />
        <button class="secondary" type="submit">${t('start.joinButton')}</button>
        <p id="link-error" class="error" role="alert">${this.error}</p>
      </form>
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
