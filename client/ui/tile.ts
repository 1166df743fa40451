/**
 * One participant's tile: video (or an initial when there is none), name, muted-mic mark.
 * The own view is mirrored, as people expect from a mirror.
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { markJoinStep } from '../core/timing.js';
import { t } from '../i18n/index.js';
import { micOffIcon } from './icons.js';

@customElement('runde-tile')
export class RundeTile extends LitElement {
  static override styles = css`
    :host {
      position: relative;
      display: block;
      background: #1f2933;
      border-radius: 0.75rem;
      overflow: hidden;
      color: #fff;
    }
    video {
      width: 100%;
      height: 100%;
      object-fit: cover;
      display: block;
      background: #1f2933;
    }
    :host([mirrored]) video {
      transform: scaleX(-1);
    }
    .avatar {
      position: absolute;
      inset: 0;
      display: grid;
      place-items: center;
      font-size: 2.5rem;
      font-weight: 600;
    }
    .avatar span {
      width: 4.5rem;
      height: 4.5rem;
      border-radius: 50%;
      background: #3e4c59;
      display: grid;
      place-items: center;
    }
    .label {
      position: absolute;
      left: 0.5rem;
      bottom: 0.5rem;
      display: flex;
      align-items: center;
      gap: 0.25rem;
      max-width: calc(100% - 1rem);
      padding: 0.2rem 0.5rem;
      border-radius: 0.4rem;
      background: rgba(0, 0, 0, 0.65);
      font-size: 0.9rem;
    }
    .name {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .muted {
      display: inline-flex;
      color: #ff8a80;
    }
    .muted svg {
      width: 1.1rem;
      height: 1.1rem;
    }
    .status {
      position: absolute;
      top: 0.5rem;
      left: 0.5rem;
      font-size: 0.85rem;
    }
  `;

  /** The media to show; audio in it plays unless `local` (no echo of oneself). */
  @property({ attribute: false }) stream: MediaStream | null = null;
  @property() name = '';
  /** The microphone is off. */
  @property({ type: Boolean }) muted = false;
  /** The camera is off: show the initial instead of the video. */
  @property({ type: Boolean, attribute: 'video-off' }) videoOff = false;
  @property({ type: Boolean, reflect: true }) mirrored = false;
  @property({ type: Boolean }) local = false;
  @property({ type: Boolean }) connecting = false;

  @query('video') private video!: HTMLVideoElement;

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('stream') && this.video.srcObject !== this.stream) {
      this.video.srcObject = this.stream;
      if (this.stream) void this.video.play().catch(() => {});
      if (this.stream && !this.local) this.video.requestVideoFrameCallback?.(() => markJoinStep('first-frame'));
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.video) this.video.srcObject = null;
  }

  protected override render() {
    const showVideo = Boolean(this.stream) && !this.videoOff;
    return html`
      <video autoplay playsinline .muted=${this.local} ?hidden=${!showVideo} aria-hidden="true"></video>
      ${showVideo ? null : html`<div class="avatar" aria-hidden="true"><span>${initial(this.name)}</span></div>`}
      ${this.connecting ? html`<div class="status">${t('call.connecting')}</div>` : null}
      <div class="label">
        ${this.muted ? html`<span class="muted" role="img" aria-label=${t('call.micOff')}>${micOffIcon}</span>` : null}
        <span class="name">${this.name}</span>
      </div>
    `;
  }
}

function initial(name: string): string {
  return [...name.trim()][0]?.toUpperCase() ?? '?';
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-tile': RundeTile;
  }
}
