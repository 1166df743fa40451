/**
 * Base of the call's modal dialogs: a native <dialog> (it closes on Escape and returns focus to
 * where it was), opened with show() and closed with close(). Tab and Shift+Tab cycle within it.
 */
import { LitElement, css } from 'lit';
import { query } from 'lit/decorators.js';

export const dialogStyles = css`
  dialog {
    width: min(28rem, 90vw);
    max-height: calc(100dvh - 2rem);
    overflow-y: auto;
    border: none;
    border-radius: 0.75rem;
    padding: 1.25rem;
    --runde-focus: var(--runde-page-fg);
  }
  dialog::backdrop {
    background: rgba(0, 0, 0, 0.6);
  }
`;

/** What Tab can reach inside a dialog. */
const TABBABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

export class ModalElement extends LitElement {
  @query('dialog') protected dialog!: HTMLDialogElement;

  constructor() {
    super();
    // Keyboard events from inside the shadow root reach the host, retargeted.
    this.addEventListener('keydown', (e) => this.#handleKeyDown(e));
  }

  get open(): boolean {
    return this.dialog?.open ?? false;
  }

  show(): void {
    if (!this.dialog.open) this.dialog.showModal();
  }

  close(): void {
    this.dialog.close();
  }

  /**
   * A modal <dialog> makes the page inert but lets Tab leave for the browser's own controls
   * (Chromium moves focus to the document itself after the last control): wrap around instead.
   */
  #handleKeyDown(e: KeyboardEvent): void {
    if (e.key !== 'Tab' || !this.open) return;
    const items = [...this.dialog.querySelectorAll<HTMLElement>(TABBABLE)].filter((el) => el.getClientRects().length > 0);
    if (items.length === 0) return;
    const current = this.shadowRoot?.activeElement as HTMLElement | null;
    const at = current ? items.indexOf(current) : -1;
    if (e.shiftKey && at <= 0) {
      e.preventDefault();
      items.at(-1)!.focus();
    } else if (!e.shiftKey && (at === -1 || at === items.length - 1)) {
      e.preventDefault();
      items[0]?.focus();
    }
  }
}
