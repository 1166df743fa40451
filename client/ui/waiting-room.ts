/**
 * What a newcomer sees before it is in: while it asks the others whether the meeting is locked,
 * and while it waits at the lock for a host. Own preview, own name, where things stand (in a live
 * region) and a way out; no call controls, since nothing is sent to anyone yet.
 *
 * @fires runde-leave - the person gave up waiting
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { t } from '../i18n/index.js';
import { buttonStyles, previewStyles } from './styles.js';

@customElement('runde-waiting')
export class RundeWaiting extends LitElement {
  static override styles = [
    buttonStyles,
    previewStyles,
    css`
      :host {
        display: block;
        overflow-y: auto;
        color: var(--runde-on-dark);
      }
      .box {
        max-width: 32rem;
        margin: 0 auto;
        padding: 1.5rem 1rem;
        display: flex;
        flex-direction: column;
        gap: 1rem;
      }
      h1 {
        font-size: 1.5rem;
        margin: 0;
      }
      /* Room for the status and Cancel below it on a short or zoomed screen. */
      .preview {
        max-height: 45vh;
      }
      .status {
        font-size: 1.15rem;
        margin: 0;
      }
      .status.warn {
        padding: 0.5rem 0.75rem;
        border-radius: 0.4rem;
        background: var(--runde-warn-bg);
      }
      p {
        margin: 0;
      }
      .secondary {
        align-self: flex-start;
        color: var(--runde-on-dark);
      }
    `,
  ];

  /** The own camera and microphone, as the meeting will send them. */
  @property({ attribute: false }) stream: MediaStream | null = null;
  /** The own name, as the others will see it. */
  @property() name = '';
  /** The camera is on (and there is one). */
  @property({ type: Boolean }) video = false;
  /** The camera is chosen but still starting (Join did not wait for it). */
  @property({ type: Boolean, attribute: 'camera-starting' }) cameraStarting = false;
  /** Waiting at the lock (else still asking the others whether there is one). */
  @property({ type: Boolean }) locked = false;
  /** Where things stand: said by screen readers when it changes. */
  @property() message = '';
  /** The message is a problem (the meeting server cannot be reached). */
  @property({ type: Boolean }) warn = false;
  @query('h1') private heading!: HTMLHeadingElement;
  @query('video') private preview?: HTMLVideoElement;

  protected override firstUpdated(): void {
    // The screen replaces what had the focus: the heading takes it, so that a screen reader says
    // where the person is and Tab starts at the top.
    this.heading.focus();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('stream') && this.preview) this.preview.srcObject = this.stream;
  }

  protected override render() {
    return html`<div class="box">
      <h1 tabindex="-1">${this.locked ? t('waiting.headingLocked') : t('waiting.headingChecking')}</h1>
      <div class="preview" role="img" aria-label=${t('lobby.preview')}>
        <video autoplay playsinline muted ?hidden=${!this.video}></video>
        ${this.video ? nothing : html`<p>${t(this.cameraStarting ? 'lobby.cameraStarting' : 'lobby.cameraOff')}</p>`}
      </div>
      <p>${t('waiting.as', { name: this.name || t('call.guest') })}</p>
      <p class="status ${this.warn ? 'warn' : ''}" role="status">${this.message}</p>
      <button class="secondary" name="cancel" @click=${this.#handleCancel}>${t('waiting.cancel')}</button>
    </div>`;
  }

  #handleCancel(): void {
    this.dispatchEvent(new CustomEvent('runde-leave', { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-waiting': RundeWaiting;
  }
}
