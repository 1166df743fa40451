/**
 * The keyboard shortcuts, in a modal dialog (the browser's <dialog> traps focus, closes on
 * Escape and returns focus to where it was).
 */
import { css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { language, t, type MessageKey } from '../i18n/index.js';
import { ModalElement, dialogStyles } from './modal.js';
import { buttonStyles, linkStyles } from './styles.js';

const ROWS: ReadonlyArray<[string, MessageKey]> = [
  ['M', 'help.mic'],
  ['V', 'help.cam'],
  ['Space', 'help.talk'],
  ['H', 'help.hand'],
  ['C', 'help.chat'],
  ['?', 'help.help'],
];

@customElement('runde-help')
export class RundeHelp extends ModalElement {
  static override styles = [
    buttonStyles,
    linkStyles,
    dialogStyles,
    css`
      table {
        border-collapse: collapse;
        width: 100%;
        margin-bottom: 1rem;
      }
      th,
      td {
        text-align: left;
        padding: 0.35rem 0.5rem;
        border-bottom: 1px solid var(--runde-border);
      }
      kbd {
        font-family: inherit;
        font-weight: 700;
        padding: 0.1rem 0.4rem;
        border: 1px solid var(--runde-border-on-dark);
        border-radius: 0.3rem;
      }
    `,
  ];

  protected override render() {
    return html`<dialog aria-labelledby="help-title">
      <h2 id="help-title">${t('help.title')}</h2>
      <table>
        <thead><tr><th scope="col">${t('help.key')}</th><th scope="col">${t('help.action')}</th></tr></thead>
        <tbody>${ROWS.map(([key, label]) => html`<tr><td><kbd>${key === 'Space' ? t('help.space') : key}</kbd></td><td>${t(label)}</td></tr>`)}</tbody>
      </table>
      <p>${t('help.typing')}</p>
      <p><a href=${`accessibility.html?lang=${language()}`} target="_blank" rel="noopener">${t('statement.linkNewTab')}</a></p>
      <button class="primary" name="close" @click=${() => this.close()}>${t('action.close')}</button>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-help': RundeHelp;
  }
}
