/**
 * The call's control bar: microphone, camera, copy link, leave.
 *
 * @fires runde-toggle-mic - the microphone button was pressed
 * @fires runde-toggle-cam - the camera button was pressed
 * @fires runde-copy-link - the copy-link button was pressed
 * @fires runde-leave - the leave button was pressed
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { t } from '../i18n/index.js';
import { camIcon, camOffIcon, leaveIcon, linkIcon, micIcon, micOffIcon } from './icons.js';
import { buttonStyles } from './styles.js';

@customElement('runde-controls')
export class RundeControls extends LitElement {
  static override styles = [
    buttonStyles,
    css`
      :host {
        display: flex;
        justify-content: center;
        gap: 0.75rem;
        padding: 0.75rem;
      }
      button {
        display: inline-grid;
        place-items: center;
        border-radius: 50%;
        width: 3.25rem;
        height: 3.25rem;
        padding: 0;
        background: #3e4c59;
        color: #fff;
      }
      button[aria-pressed='false'] {
        background: #b3261e;
      }
      button:disabled {
        opacity: 0.5;
        cursor: not-allowed;
      }
      button[name='leave'] {
        background: #b3261e;
        width: 4.5rem;
        border-radius: 1.625rem;
      }
    `,
  ];

  @property({ type: Boolean }) audio = false;
  @property({ type: Boolean }) video = false;
  @property({ type: Boolean, attribute: 'has-audio' }) hasAudio = false;
  @property({ type: Boolean, attribute: 'has-video' }) hasVideo = false;

  protected override render() {
    const micLabel = !this.hasAudio ? t('controls.noMic') : this.audio ? t('controls.micOff') : t('controls.micOn');
    const camLabel = !this.hasVideo ? t('controls.noCam') : this.video ? t('controls.camOff') : t('controls.camOn');
    return html`
      <button
        name="mic"
        aria-pressed=${this.hasAudio && this.audio ? 'true' : 'false'}
        aria-label=${micLabel}
        title=${micLabel}
        ?disabled=${!this.hasAudio}
        @click=${() => this.#fire('runde-toggle-mic')}
      >
        ${this.hasAudio && this.audio ? micIcon : micOffIcon}
      </button>
      <button
        name="cam"
        aria-pressed=${this.hasVideo && this.video ? 'true' : 'false'}
        aria-label=${camLabel}
        title=${camLabel}
        ?disabled=${!this.hasVideo}
        @click=${() => this.#fire('runde-toggle-cam')}
      >
        ${this.hasVideo && this.video ? camIcon : camOffIcon}
      </button>
      <button name="copy" aria-label=${t('controls.copyLink')} title=${t('controls.copyLink')} @click=${() => this.#fire('runde-copy-link')}>
        ${linkIcon}
      </button>
      <button name="leave" aria-label=${t('controls.leave')} title=${t('controls.leave')} @click=${() => this.#fire('runde-leave')}>
        ${leaveIcon}
      </button>
    `;
  }

  #fire(type: string): void {
    this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-controls': RundeControls;
  }
}
