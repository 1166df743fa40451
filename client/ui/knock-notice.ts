/**
 * For hosts: who is waiting at the lock, one row each with Let in and Decline, and Let all in
 * when several wait. A compact block of its own height (the call gives it a row that is never
 * squeezed); it grows with the list up to a limit and then scrolls.
 *
 * @fires runde-admission - detail: AdmissionRequest; a host let people in or declined them
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { PeerId } from '../../signaling/protocol.js';
import { t } from '../i18n/index.js';
import { buttonStyles } from './styles.js';

export interface Knock {
  id: PeerId;
  name: string;
}

export interface AdmissionRequest {
  action: 'admit' | 'decline';
  ids: PeerId[];
}

@customElement('runde-knocks')
export class RundeKnocks extends LitElement {
  static override styles = [
    buttonStyles,
    css`
      :host {
        display: block;
      }
      section {
        max-width: 40rem;
        max-height: 40vh;
        overflow-y: auto;
        margin: 0 auto;
        padding: 0.5rem 1rem;
        background: var(--runde-info-bg);
        color: var(--runde-on-dark);
        border-bottom: 3px solid var(--runde-highlight);
      }
      h2 {
        font-size: 1rem;
        margin: 0;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.25rem 0.5rem;
        padding: 0.25rem 0;
      }
      li + li {
        border-top: 1px solid var(--runde-control);
      }
      .who {
        flex: 1 1 12rem;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      /* The two buttons stay together: on a narrow screen they go below the name as a pair. */
      .actions {
        display: flex;
        gap: 0.5rem;
        margin-inline-start: auto;
      }
      .secondary {
        color: var(--runde-on-dark);
      }
      .all {
        display: flex;
        justify-content: flex-end;
        padding-top: 0.25rem;
      }
    `,
  ];

  @property({ attribute: false }) knocks: readonly Knock[] = [];
  /** The focus was on one of the rows' buttons (it is kept in the list when a row goes). */
  #hadFocus = false;

  constructor() {
    super();
    this.addEventListener('focusin', () => (this.#hadFocus = true));
    this.addEventListener('focusout', (e) => {
      const to = e.relatedTarget as Node | null;
      if (to && !this.contains(to) && !this.renderRoot.contains(to)) this.#hadFocus = false;
    });
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('knocks') || !this.#hadFocus || this.renderRoot.querySelector(':focus')) return;
    // The row with the focus went (let in, declined, or gone): the next row's Let in takes it.
    const before = (changed.get('knocks') ?? []) as readonly Knock[];
    const gone = before.findIndex((k) => !this.knocks.some((n) => n.id === k.id));
    const buttons = this.renderRoot.querySelectorAll<HTMLButtonElement>('button[name=admit]');
    buttons[Math.min(Math.max(gone, 0), buttons.length - 1)]?.focus();
  }

  protected override render() {
    if (this.knocks.length === 0) return nothing;
    return html`<section aria-labelledby="knocks-heading">
      <h2 id="knocks-heading">${t('knocks.heading')}</h2>
      <ul>
        ${this.knocks.map(
          (k) => html`<li data-peer=${k.id}>
            <span class="who" id=${`knock-${k.id}`}>${t('lock.knock', { name: k.name || t('call.guest') })}</span>
            <span class="actions">
              <button class="primary" name="admit" aria-describedby=${`knock-${k.id}`} @click=${() => this.#fire('admit', [k.id])}>${t('lock.admit')}</button>
              <button class="secondary" name="decline" aria-describedby=${`knock-${k.id}`} @click=${() => this.#fire('decline', [k.id])}>${t('lock.decline')}</button>
            </span>
          </li>`,
        )}
      </ul>
      ${
        this.knocks.length >= 2
          ? html`<div class="all"><button class="secondary" name="admit-all" @click=${() =>
              this.#fire(
                'admit',
                this.knocks.map((k) => k.id),
              )}>${t('lock.admitAll')}</button></div>`
          : nothing
      }
    </section>`;
  }

  #fire(action: AdmissionRequest['action'], ids: PeerId[]): void {
    const detail: AdmissionRequest = { action, ids };
    this.dispatchEvent(new CustomEvent<AdmissionRequest>('runde-admission', { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-knocks': RundeKnocks;
  }
}
