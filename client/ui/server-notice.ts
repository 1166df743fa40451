/**
 * The lobby's notice while the app's server does not answer (the browser is online, so this is
 * not "offline"): when the next try is, counting down, and a button to try at once. The app
 * owns the checks; this only shows them.
 *
 * @fires runde-retry-server - the person wants the server checked now
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { t } from '../i18n/index.js';
import { buttonStyles } from './styles.js';

/** How often the countdown redraws. */
const TICK_MS = 1_000;

@customElement('runde-server-notice')
export class RundeServerNotice extends LitElement {
  static override styles = [
    buttonStyles,
    css`
      :host {
        display: block;
      }
      .notice {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--runde-space-2) var(--runde-space-3);
        background: var(--runde-card-bg);
        border: 1px solid var(--runde-border);
        border-left: var(--runde-space-1) solid var(--runde-warn-bg);
        border-radius: var(--runde-radius-s);
        padding: var(--runde-space-3) var(--runde-space-4);
        margin: 0 0 var(--runde-space-4);
      }
      p {
        margin: 0;
        flex: 1 1 20rem;
      }
      .hint {
        color: var(--runde-page-muted);
      }
    `,
  ];

  /** When the next check starts (ms since epoch); 0 while the server answers (nothing shown). */
  @property({ type: Number }) retryAt = 0;
  /** Join was pressed: it happens as soon as the server answers. */
  @property({ type: Boolean, attribute: 'join-pending' }) joinPending = false;
  @state() private now = Date.now();
  #ticker: ReturnType<typeof setInterval> | null = null;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopTicker();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('retryAt')) return;
    this.now = Date.now();
    if (this.retryAt && !this.#ticker) this.#ticker = setInterval(() => (this.now = Date.now()), TICK_MS);
    if (!this.retryAt) this.#stopTicker();
  }

  #stopTicker(): void {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = null;
  }

  protected override render() {
    if (!this.retryAt) return nothing;
    const seconds = Math.max(0, Math.ceil((this.retryAt - this.now) / 1000));
    return html`<div class="notice">
      <p role="status">${t('lobby.serverDown', { seconds })}</p>
      <button class="secondary" type="button" name="try-now" @click=${this.#handleTryNow}>${t('lobby.tryNow')}</button>
      <p class="hint">${this.joinPending ? t('lobby.joinPending') : t('lobby.serverDownHint')}</p>
    </div>`;
  }

  #handleTryNow(): void {
    this.dispatchEvent(new CustomEvent('runde-retry-server', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-server-notice': RundeServerNotice;
  }
}
