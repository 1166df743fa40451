/**
 * The call's control bar. Every button asks the call to do something; the call decides. The lock
 * and the host link are offered only to hosts.
 *
 * @fires runde-control - detail: ControlRequest
 */
import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { REACTIONS, type Reaction } from '../core/peer-messages.js';
import { t, type MessageKey } from '../i18n/index.js';
import * as icons from './icons.js';
import { buttonStyles } from './styles.js';

export type ControlAction =
  | 'mic'
  | 'cam'
  | 'screen'
  | 'hand'
  | 'react'
  | 'chat'
  | 'people'
  | 'files'
  | 'layout'
  | 'pip'
  | 'devices'
  | 'help'
  | 'copy'
  | 'copy-host'
  | 'lock'
  | 'leave';

export interface ControlRequest {
  action: ControlAction;
  emoji?: Reaction;
}

export type Panel = 'chat' | 'people' | 'files' | null;

/** Spoken names of the reactions (screen readers announce the emoji poorly). */
export const REACTION_LABELS: Record<Reaction, MessageKey> = {
  '👍': 'reaction.thumbsUp',
  '👏': 'reaction.clap',
  '😂': 'reaction.laugh',
  '❤️': 'reaction.heart',
  '🎉': 'reaction.party',
  '😮': 'reaction.surprised',
};

@customElement('runde-controls')
export class RundeControls extends LitElement {
  static override styles = [
    buttonStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        justify-content: center;
        gap: 0.5rem;
        padding: 0.5rem;
        position: relative;
      }
      button {
        position: relative;
        display: inline-grid;
        place-items: center;
        border-radius: 50%;
        width: 3rem;
        height: 3rem;
        padding: 0;
        background: #3e4c59;
        color: #fff;
      }
      button.off {
        background: #b3261e;
      }
      button.on {
        background: #0b5cad;
      }
      button:disabled {
        opacity: 0.5;
        cursor: not-allowed;
      }
      button[name='leave'] {
        background: #b3261e;
        width: 4.5rem;
        border-radius: 1.5rem;
      }
      .badge {
        position: absolute;
        top: -0.25rem;
        right: -0.25rem;
        min-width: 1.25rem;
        padding: 0 0.3rem;
        border-radius: 0.65rem;
        background: #ffbf47;
        color: #1f2933;
        font-size: 0.75rem;
        font-weight: 700;
        line-height: 1.25rem;
      }
      .reactions {
        position: absolute;
        bottom: 100%;
        display: flex;
        gap: 0.25rem;
        padding: 0.4rem;
        border-radius: 0.75rem;
        background: #1f2933;
      }
      .reactions button {
        background: transparent;
        font-size: 1.5rem;
      }
      /* Wide screens show every button in the bar; the "more" group is just part of it. */
      .more {
        display: contents;
      }
      button[name='more'] {
        display: none;
      }
      /*
       * On a phone (upright or on its side) the bar keeps one row: microphone, camera, (screen,)
       * chat, "more" and leave; the rest opens above it from "more" (a disclosure: Tab walks
       * through it; Escape, a tap outside or the focus moving on closes it).
       */
      @media (max-width: 40rem), (max-height: 30rem) {
        :host {
          gap: 0.375rem;
        }
        button[name='more'] {
          display: inline-grid;
        }
        .more {
          display: none;
          position: absolute;
          bottom: 100%;
          right: 0.5rem;
          left: 0.5rem;
          grid-template-columns: repeat(auto-fill, 3rem);
          justify-content: center;
          gap: 0.5rem;
          padding: 0.5rem;
          border-radius: 0.75rem;
          background: #1f2933;
        }
        .more.open {
          display: grid;
        }
        /* The reactions row spans the group instead of running off the screen's edge. */
        .more .reactions {
          left: 0;
          right: 0;
          justify-content: center;
          flex-wrap: wrap;
        }
      }
    `,
  ];

  @property({ type: Boolean }) audio = false;
  @property({ type: Boolean }) video = false;
  @property({ type: Boolean, attribute: 'has-audio' }) hasAudio = false;
  @property({ type: Boolean, attribute: 'has-video' }) hasVideo = false;
  @property({ type: Boolean }) sharing = false;
  @property({ type: Boolean, attribute: 'can-share' }) canShare = false;
  @property({ type: Boolean }) hand = false;
  @property() panel: Panel = null;
  @property({ type: Number }) unread = 0;
  @property() layout: 'grid' | 'speaker' = 'grid';
  @property({ type: Boolean }) locked = false;
  /** We hold the host key: the lock and "copy host link" are shown. */
  @property({ type: Boolean }) host = false;
  @state() private reactionsOpen = false;
  /** The "more" group is open (it only matters on narrow screens, where it is hidden otherwise). */
  @state() private moreOpen = false;
  /** A tap or click anywhere outside the bar closes the "more" group, as it would a menu. */
  readonly #onPointerOutside = (e: PointerEvent) => {
    if (!e.composedPath().includes(this)) this.#closeMore();
  };

  constructor() {
    super();
    // On the host, so that Escape closes the group from its "more" button too, not only inside it.
    this.addEventListener('keydown', (e) => this.#handleMoreKey(e));
  }

  protected override firstUpdated(): void {
    this.renderRoot.addEventListener('focusout', (e) => this.#handleFocusOut(e as FocusEvent));
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('moreOpen' as keyof RundeControls)) return;
    if (this.moreOpen) document.addEventListener('pointerdown', this.#onPointerOutside, true);
    else document.removeEventListener('pointerdown', this.#onPointerOutside, true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#closeMore();
    document.removeEventListener('pointerdown', this.#onPointerOutside, true);
  }

  #closeMore(): void {
    this.moreOpen = false;
    this.reactionsOpen = false; // not open again by itself the next time
  }

  /**
   * Tab (or Shift+Tab) out of the group closes it. Focus that goes nowhere (a tap on no control;
   * Safari does not focus tapped buttons at all) leaves the group to the pointer listener.
   */
  #handleFocusOut(e: FocusEvent): void {
    const to = e.relatedTarget as Node | null;
    if (!this.moreOpen || !to) return;
    const inGroup = this.renderRoot.querySelector('.more')?.contains(to) || to === this.#moreButton();
    if (!inGroup) this.#closeMore();
  }

  protected override render() {
    const micKey: MessageKey = !this.hasAudio ? 'controls.noMic' : this.audio ? 'controls.micOff' : 'controls.micOn';
    const camKey: MessageKey = !this.hasVideo ? 'controls.noCam' : this.video ? 'controls.camOff' : 'controls.camOn';
    const onMic = this.hasAudio && this.audio;
    const onCam = this.hasVideo && this.video;
    return html`
      ${this.#button('mic', micKey, onMic ? icons.micIcon : icons.micOffIcon, { pressed: onMic, off: !onMic, disabled: !this.hasAudio })}
      ${this.#button('cam', camKey, onCam ? icons.camIcon : icons.camOffIcon, { pressed: onCam, off: !onCam, disabled: !this.hasVideo })}
      ${
        this.canShare
          ? this.#button('screen', this.sharing ? 'controls.stopShare' : 'controls.share', icons.screenIcon, { pressed: this.sharing, on: this.sharing })
          : nothing
      }
      ${this.#button('chat', 'controls.chat', icons.chatIcon, { pressed: this.panel === 'chat', on: this.panel === 'chat', badge: this.unread })}
      ${this.#button('more', 'controls.more', icons.moreIcon, { expanded: this.moreOpen, controls: 'more', on: this.moreOpen || this.#foldedOn() })}
      <div id="more" class="more ${this.moreOpen ? 'open' : ''}">
        ${this.#button('hand', this.hand ? 'controls.lowerHand' : 'controls.raiseHand', icons.handIcon, { pressed: this.hand, on: this.hand })}
        <span>
          ${this.#button('react', 'controls.react', icons.smileIcon, { expanded: this.reactionsOpen })}
          ${this.reactionsOpen ? this.#renderReactions() : nothing}
        </span>
        ${this.#button('people', 'controls.people', icons.peopleIcon, { pressed: this.panel === 'people', on: this.panel === 'people' })}
        ${this.#button('files', 'controls.files', icons.fileIcon, { pressed: this.panel === 'files', on: this.panel === 'files' })}
        ${this.#button('layout', this.layout === 'grid' ? 'controls.speakerLayout' : 'controls.gridLayout', this.layout === 'grid' ? icons.speakerLayoutIcon : icons.layoutIcon)}
        ${'pictureInPictureEnabled' in document && document.pictureInPictureEnabled ? this.#button('pip', 'controls.pip', icons.pipIcon) : nothing}
        ${this.#button('devices', 'controls.devices', icons.settingsIcon)}
        ${this.#button('help', 'controls.help', icons.helpIcon)}
        ${
          this.host
            ? this.#button('lock', this.locked ? 'controls.unlock' : 'controls.lock', this.locked ? icons.lockIcon : icons.unlockIcon, {
                pressed: this.locked,
                on: this.locked,
              })
            : nothing
        }
        ${this.#button('copy', 'controls.copyLink', icons.linkIcon)}
        ${this.host ? this.#button('copy-host', 'controls.copyHostLink', icons.keyIcon) : nothing}
      </div>
      ${this.#button('leave', 'controls.leave', icons.leaveIcon)}
    `;
  }

  /** A toggle in the "more" group is on (raised hand, lock, its panel open): "more" shows it. */
  #foldedOn(): boolean {
    return this.hand || (this.host && this.locked) || this.panel === 'people' || this.panel === 'files';
  }

  /** Puts the focus on `action`'s button, or on "more" while that button is folded away in it. */
  focusButton(action: ControlAction): void {
    const button = this.renderRoot.querySelector<HTMLButtonElement>(`button[name=${action}]`);
    const shown = !!button && button.getClientRects().length > 0;
    (shown ? button : this.#moreButton())?.focus();
  }

  #moreButton(): HTMLButtonElement | null {
    return this.renderRoot.querySelector<HTMLButtonElement>('button[name=more]');
  }

  #button(
    action: ControlAction | 'more',
    label: MessageKey,
    icon: TemplateResult,
    o: { pressed?: boolean; expanded?: boolean; controls?: string; on?: boolean; off?: boolean; disabled?: boolean; badge?: number } = {},
  ) {
    const text = t(label);
    // With a badge, the name is the button's own text, so that the visible count is part of it.
    const badge = o.badge
      ? html`<span class="visually-hidden">${text}, </span><span class="badge">${o.badge > 99 ? '99+' : o.badge}</span><span class="visually-hidden"> ${t('controls.unreadSuffix')}</span>`
      : nothing;
    return html`<button
      name=${action}
      class=${o.on ? 'on' : o.off ? 'off' : ''}
      aria-label=${o.badge ? nothing : text}
      title=${text}
      aria-pressed=${o.pressed === undefined ? nothing : String(o.pressed)}
      aria-expanded=${o.expanded === undefined ? nothing : String(o.expanded)}
      aria-controls=${o.controls ?? nothing}
      ?disabled=${o.disabled ?? false}
      @click=${() => this.#handleClick(action)}
    >
      ${icon}${badge}
    </button>`;
  }

  #renderReactions() {
    return html`<div class="reactions" role="group" aria-label=${t('controls.react')} @keydown=${this.#handleReactionsKey}>
      ${REACTIONS.map((emoji) => html`<button name="reaction" aria-label=${t(REACTION_LABELS[emoji])} @click=${() => this.#react(emoji)}>${emoji}</button>`)}
    </div>`;
  }

  #handleClick(action: ControlAction | 'more'): void {
    if (action === 'more') {
      if (this.moreOpen) return this.#closeMore();
      this.moreOpen = true;
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('.more button')?.focus());
      return;
    }
    if (action === 'react') {
      this.reactionsOpen = !this.reactionsOpen;
      if (this.reactionsOpen) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('button[name=reaction]')?.focus());
      return;
    }
    if (this.moreOpen && this.renderRoot.querySelector(`.more button[name=${action}]`)) {
      // Chosen from the open group of a narrow screen: the group closes, and the focus goes to
      // "more" first, so that a dialog or panel opened now gives it back to a button on screen.
      this.#closeMore();
      this.#moreButton()?.focus();
    }
    this.#fire({ action });
  }

  /** Escape closes the "more" group (an open reactions row first) and gives the focus back to its button. */
  #handleMoreKey(e: KeyboardEvent): void {
    if (e.key !== 'Escape' || e.defaultPrevented || !this.moreOpen) return;
    e.preventDefault(); // one Escape closes one thing: not the side panel too
    this.#closeMore();
    void this.updateComplete.then(() => this.#moreButton()?.focus());
  }

  #handleReactionsKey(e: KeyboardEvent): void {
    if (e.key !== 'Escape') return;
    e.preventDefault(); // one Escape closes one thing
    this.reactionsOpen = false;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('button[name=react]')?.focus());
  }

  #react(emoji: Reaction): void {
    this.#closeMore();
    this.#fire({ action: 'react', emoji });
    // The chosen reaction's button is gone: the focus goes back to "react" (or to "more").
    void this.updateComplete.then(() => this.focusButton('react'));
  }

  #fire(detail: ControlRequest): void {
    this.dispatchEvent(new CustomEvent<ControlRequest>('runde-control', { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-controls': RundeControls;
  }
}
