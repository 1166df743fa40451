/**
 * One participant's tile: video (or an initial when there is none), name, muted-mic mark.
 * The own view is mirrored, as people expect from a mirror.
 *
 * @fires runde-view-size - detail: { peer, width, height }; a remote camera tile changed size
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { noteFailure } from '../core/diagnostics.js';
import { markJoinStep } from '../core/timing.js';
import { t } from '../i18n/index.js';
import { handIcon, micOffIcon } from './icons.js';
import type { QualityLevel } from '../core/quality.js';

/** Signal bars: three for good, two for fair, one for poor. */
const QUALITY_BARS = { good: '▂▄▆', fair: '▂▄', poor: '▂' } as const;

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
      object-fit: var(--runde-fit, cover);
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
    :host([speaking])::after {
      content: '';
      position: absolute;
      inset: 0;
      border: 3px solid #4cc38a;
      border-radius: 0.75rem;
      pointer-events: none;
    }
    .badges {
      position: absolute;
      top: 0.5rem;
      right: 0.5rem;
      display: flex;
      gap: 0.3rem;
    }
    .badges > span {
      display: inline-flex;
      align-items: center;
      gap: 0.2rem;
      padding: 0.1rem 0.45rem;
      border-radius: 0.4rem;
      background: rgba(0, 0, 0, 0.65);
      font-size: 0.9rem;
    }
    .badges svg {
      width: 1rem;
      height: 1rem;
    }
    .quality-fair {
      color: #ffbf47;
    }
    .quality-poor {
      color: #ff8a80;
    }
    .reaction {
      position: absolute;
      left: 50%;
      top: 50%;
      transform: translate(-50%, -50%);
      font-size: 3.5rem;
      animation: rise 4s ease-out forwards;
    }
    @keyframes rise {
      from {
        opacity: 1;
        transform: translate(-50%, -30%);
      }
      to {
        opacity: 0;
        transform: translate(-50%, -90%);
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .reaction {
        animation: none;
      }
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
  /** The microphone is picking up speech: a green ring. */
  @property({ type: Boolean, reflect: true }) speaking = false;
  /** Position in the queue of raised hands (1 = first), or 0 for none. */
  @property({ type: Number }) hand = 0;
  /** A reaction to show briefly. */
  @property() reaction = '';
  @property() reactionLabel = '';
  @property() quality: QualityLevel | '' = '';
  @property() qualityDetail = '';
  /** The speaker to play through (setSinkId), '' for the default. */
  @property() sinkId = '';
  /** The remote peer shown, for size reports to it (its sender shapes its video to our size). */
  @property() peer = '';
  /** The sender paused its video to us to save bandwidth. */
  @property({ type: Boolean, attribute: 'video-paused' }) videoPaused = false;
  /** The tile's size on the page (CSS pixels), from the ResizeObserver; null until laid out. */
  #size: { width: number; height: number } | null = null;
  #resize = new ResizeObserver(([entry]) => {
    if (!entry) return;
    this.#size = { width: entry.contentRect.width, height: entry.contentRect.height };
    this.#reportView();
  });
  /** Visibility and picture-in-picture change what is seen of the tile: report again. */
  readonly #reportAgain = () => this.#reportView();

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resize.observe(this);
    document.addEventListener('visibilitychange', this.#reportAgain);
  }

  /**
   * Tells the call how large the peer's video is shown here, so that its sender sends about that
   * much. While the page is hidden (another tab in front, the window minimised) nobody sees it:
   * 0×0, and the sender pauses its video to us until the page is back, unless this very video
   * floats in picture-in-picture.
   */
  #reportView(): void {
    if (!this.peer) return;
    const unseen = document.visibilityState === 'hidden' && !this.#inPictureInPicture();
    // A tile made while the page was hidden has no size yet: its first layout reports it.
    if (!unseen && !this.#size) return;
    const { width, height } = unseen ? { width: 0, height: 0 } : this.#size!;
    this.dispatchEvent(new CustomEvent('runde-view-size', { detail: { peer: this.peer, width, height }, bubbles: true, composed: true }));
  }

  @query('video') private video!: HTMLVideoElement;

  /** The document names the shadow host as the picture-in-picture element; the shadow root names the video. */
  #inPictureInPicture(): boolean {
    return !!this.video && (this.renderRoot as ShadowRoot).pictureInPictureElement === this.video;
  }

  /** Shows this tile's video in a floating picture-in-picture window. */
  async pictureInPicture(): Promise<void> {
    if (this.video.readyState >= 1 && !this.#inPictureInPicture()) await this.video.requestPictureInPicture();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('sinkId') && 'setSinkId' in this.video && !this.local) {
      void (this.video as HTMLVideoElement & { setSinkId(id: string): Promise<void> })
        .setSinkId(this.sinkId)
        .catch(noteFailure('speaker-switch-failed', { sinkId: this.sinkId }));
    }
    if (changed.has('stream') && this.video.srcObject !== this.stream) {
      this.video.srcObject = this.stream;
      if (this.stream) this.#play();
      if (this.stream && !this.local) this.video.requestVideoFrameCallback?.(() => markJoinStep('first-frame'));
    }
  }

  /**
   * Starts the video. A browser that allows sound only after a user gesture (Safari, or any
   * browser for a person who joined without camera and microphone) refuses; the next click, tap
   * or key press anywhere on the page starts it then.
   */
  #play(): void {
    this.video.play().catch((err: unknown) => {
      if ((err as { name?: string })?.name !== 'NotAllowedError') return;
      const retry = () => {
        document.removeEventListener('pointerdown', retry, true);
        document.removeEventListener('keydown', retry, true);
        // Through #play again: refused once more, it waits for the next gesture again.
        if (this.isConnected && this.video.srcObject && this.video.paused) this.#play();
      };
      document.addEventListener('pointerdown', retry, true);
      document.addEventListener('keydown', retry, true);
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resize.disconnect();
    document.removeEventListener('visibilitychange', this.#reportAgain);
    if (this.video) this.video.srcObject = null;
  }

  protected override render() {
    const showVideo = Boolean(this.stream) && !this.videoOff && !this.videoPaused;
    return html`
      <video autoplay playsinline .muted=${this.local} ?hidden=${!showVideo} aria-hidden="true"
        @enterpictureinpicture=${this.#reportAgain} @leavepictureinpicture=${this.#reportAgain}></video>
      ${showVideo ? null : html`<div class="avatar" aria-hidden="true"><span>${initial(this.name)}</span></div>`}
      ${this.connecting ? html`<div class="status">${t('call.connecting')}</div>` : null}
      ${this.videoPaused && !this.videoOff ? html`<div class="status">${t('call.videoPaused')}</div>` : null}
      ${this.reaction ? html`<div class="reaction" role="img" aria-label=${this.reactionLabel}>${this.reaction}</div>` : null}
      <div class="badges">
        ${this.hand ? html`<span class="hand" role="img" aria-label=${t('tile.hand', { n: this.hand })}>${handIcon} ${this.hand}</span>` : null}
        ${
          this.quality && this.quality !== 'unknown'
            ? html`<span class="quality quality-${this.quality}" role="img" title=${this.qualityDetail}
              aria-label=${t(`quality.${this.quality}`)}>${QUALITY_BARS[this.quality]}</span>`
            : null
        }
      </div>
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
