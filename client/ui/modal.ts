/**
 * Base of the call's modal dialogs: a native <dialog> (it traps focus, closes on Escape and
 * returns focus to where it was), opened with show() and closed with close().
 */
import { LitElement, css } from 'lit';
import { query } from 'lit/decorators.js';

export const dialogStyles = css`
  dialog {
    width: min(28rem, 90vw);
    border: none;
    border-radius: 0.75rem;
    padding: 1.25rem;
  }
  dialog::backdrop {
    background: rgba(0, 0, 0, 0.6);
  }
`;

export class ModalElement extends LitElement {
  @query('dialog') protected dialog!: HTMLDialogElement;

  get open(): boolean {
    return this.dialog?.open ?? false;
  }

  show(): void {
    if (!this.dialog.open) this.dialog.showModal();
  }

  close(): void {
    this.dialog.close();
  }
}
