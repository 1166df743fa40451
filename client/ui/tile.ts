/**
 * One participant's tile: video (or an initial when there is none), name, muted-mic mark.
 * The own view is mirrored, as people expect from a mirror.
 *
 * @fires runde-view-size - detail: ViewSize; a remote camera tile changed size or role
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { LARGE_VIEW_HEIGHT, type ViewRole } from '../core/bandwidth.js';
import { noteFailure } from '../core/diagnostics.js';
import { markJoinStep } from '../core/timing.js';
import { t } from '../i18n/index.js';
import { initial } from './format.js';
import { handIcon, micOffIcon } from './icons.js';
import './tokens.js';
import type { QualityLevel } from '../core/quality.js';
import type { PeerId } from '../../signaling/protocol.js';

/** What a remote camera tile reports: its size on the page (CSS pixels) and its role for the sender. */
export interface ViewSize {
  peer: PeerId;
  width: number;
  height: number;
  role: ViewRole;
}

/** Signal bars: three for good, two for fair, one for poor. */
const QUALITY_BARS = { good: '▂▄▆', fair: '▂▄', poor: '▂' } as const;

@customElement('runde-tile')
export class RundeTile extends LitElement {
  static override styles = css`
    :host {
      position: relative;
      display: block;
      background: var(--runde-surface);
      border-radius: var(--runde-radius-m);
      overflow: hidden;
      color: var(--runde-on-dark);
      /* Small tiles (a strip, a phone) drop what does not fit, by their own size. */
      container-type: size;
    }
    video {
      width: 100%;
      height: 100%;
      object-fit: var(--runde-fit, cover);
      display: block;
      background: var(--runde-surface);
    }
    /* display: block above would otherwise keep a hidden video (its frozen last frame) on screen. */
    video[hidden] {
      display: none;
    }
    :host([mirrored]) video {
      transform: scaleX(-1);
    }
    /* No picture (camera off, paused, not connected yet): a calm card with the initial. */
    .placeholder {
      position: absolute;
      inset: 0;
      display: flex;
      flex-direction: column;
      align-items: center;
      justify-content: center;
      gap: var(--runde-space-2);
      padding: var(--runde-space-2);
      text-align: center;
      background: radial-gradient(circle at 50% 40%, var(--runde-surface-raised), var(--runde-surface) 70%);
    }
    .avatar {
      width: min(4.5rem, 40cqmin);
      height: min(4.5rem, 40cqmin);
      border-radius: 50%;
      background: var(--runde-control);
      display: grid;
      place-items: center;
      font-size: min(2.25rem, 20cqmin);
      font-weight: 600;
    }
    .caption {
      margin: 0;
      max-width: 22rem;
      font-size: var(--runde-text-s);
      color: var(--runde-on-dark-muted);
    }
    .caption.warn {
      color: var(--runde-highlight);
    }
    .label {
      box-sizing: border-box;
      position: absolute;
      left: var(--runde-space-2);
      bottom: var(--runde-space-2);
      display: flex;
      align-items: center;
      gap: var(--runde-space-1);
      max-width: calc(100% - 2 * var(--runde-space-2));
      padding: 0.15rem var(--runde-space-2);
      border-radius: var(--runde-radius-s);
      background: rgba(0, 0, 0, 0.65);
      font-size: var(--runde-text-s);
    }
    .name {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      min-width: 0;
    }
    .muted {
      display: inline-flex;
      flex: none;
      color: var(--runde-danger-on-dark);
    }
    .muted svg {
      width: 1.1rem;
      height: 1.1rem;
    }
    .status {
      position: absolute;
      top: var(--runde-space-2);
      left: var(--runde-space-2);
      padding: 0.1rem var(--runde-space-2);
      border-radius: var(--runde-radius-s);
      background: rgba(0, 0, 0, 0.65);
      font-size: var(--runde-text-s);
    }
    :host([speaking])::after {
      content: '';
      position: absolute;
      inset: 0;
      border: 3px solid var(--runde-speaking);
      border-radius: var(--runde-radius-m);
      pointer-events: none;
    }
    /* A raised hand outlines the tile too, so that it is seen from across the room. */
    :host([hand-up])::before {
      content: '';
      position: absolute;
      inset: 0;
      z-index: 1;
      border: 3px solid var(--runde-highlight);
      border-radius: var(--runde-radius-m);
      pointer-events: none;
    }
    .badges {
      position: absolute;
      top: var(--runde-space-2);
      left: var(--runde-space-2);
      right: var(--runde-space-2);
      display: flex;
      justify-content: space-between;
      align-items: flex-start;
      gap: var(--runde-space-1);
      pointer-events: none;
    }
    .badges > span {
      display: inline-flex;
      align-items: center;
      gap: 0.2rem;
      padding: 0.1rem 0.45rem;
      border-radius: var(--runde-radius-s);
      background: rgba(0, 0, 0, 0.65);
      font-size: var(--runde-text-s);
    }
    .badges .hand {
      background: var(--runde-highlight);
      color: var(--runde-on-highlight);
      font-weight: 700;
    }
    .badges .quality {
      margin-inline-start: auto;
    }
    .badges svg {
      width: 1rem;
      height: 1rem;
    }
    .quality-fair {
      color: var(--runde-highlight);
    }
    .quality-poor {
      color: var(--runde-danger-on-dark);
    }
    /* A thumbnail: the caption and the signal bars go; the name and the hand stay. */
    @container (max-width: 11rem) or (max-height: 7rem) {
      .caption,
      .badges > .quality {
        display: none;
      }
      .label {
        left: var(--runde-space-1);
        bottom: var(--runde-space-1);
        max-width: calc(100% - 2 * var(--runde-space-1));
        font-size: var(--runde-text-xs);
      }
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
  /** Connecting for a long while: say that this person cannot be reached yet (and that we keep trying). */
  @property({ type: Boolean }) stuck = false;
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
  /**
   * The speaker layout's main tile or the active speaker's: its sender sends it the full frame
   * rate whatever its size (a smaller tile is a thumbnail and gets fewer frames, bandwidth.ts).
   */
  @property({ type: Boolean }) prominent = false;
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
    const large = this.prominent || this.#inPictureInPicture() || height >= LARGE_VIEW_HEIGHT;
    const detail: ViewSize = { peer: this.peer as PeerId, width, height, role: large ? 'large' : 'thumbnail' };
    this.dispatchEvent(new CustomEvent('runde-view-size', { detail, bubbles: true, composed: true }));
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

  protected override willUpdate(changed: PropertyValues<this>): void {
    // The attribute the outline's CSS (and a test) can see; not a property of its own.
    if (changed.has('hand')) this.toggleAttribute('hand-up', this.hand > 0);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('prominent') && changed.get('prominent') !== undefined) this.#reportView();
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
    const showVideo = Boolean(this.stream) && !this.videoOff && !this.videoPaused && !this.connecting;
    return html`
      <video autoplay playsinline .muted=${this.local} ?hidden=${!showVideo} aria-hidden="true"
        @enterpictureinpicture=${this.#reportAgain} @leavepictureinpicture=${this.#reportAgain}></video>
      ${showVideo ? null : this.#renderPlaceholder()}
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
      ${
        this.name || this.muted
          ? html`<div class="label" title=${this.name}>
              ${this.muted ? html`<span class="muted" role="img" aria-label=${t('call.micOff')}>${micOffIcon}</span>` : null}
              ${this.name ? html`<span class="name">${this.name}</span>` : null}
            </div>`
          : null
      }
    `;
  }

  /**
   * In place of a picture: the initial (none while the name is not known yet) and what is going
   * on, when it is more than "the camera is off".
   */
  #renderPlaceholder() {
    const caption = this.connecting ? (this.stuck ? t('tile.stuck') : t('call.connecting')) : this.videoPaused && !this.videoOff ? t('call.videoPaused') : '';
    return html`<div class="placeholder">
      <span class="avatar" aria-hidden="true">${this.name ? initial(this.name) : ''}</span>
      ${caption ? html`<p class="caption ${this.stuck ? 'warn' : ''}">${caption}</p>` : null}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-tile': RundeTile;
  }
}
