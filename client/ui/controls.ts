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
  | 'invite'
  | 'record'
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

/** Primary buttons: their visible short label (the spoken name says what a press will do). */
const SHORT: Partial<Record<ControlAction | 'more', MessageKey>> = {
  mic: 'controls.short.mic',
  cam: 'controls.short.cam',
  hand: 'controls.short.hand',
  chat: 'controls.short.chat',
  people: 'controls.short.people',
  more: 'controls.short.more',
  leave: 'controls.short.leave',
};

/**
 * The primary controls in one row, each an icon with a short label under it, the way Meet, Teams
 * and Jitsi lay them out (the same row on a phone). Everything else is a list of text items with
 * icons in the "more" menu: a disclosure that opens above its button (Tab and the arrow keys walk
 * through it; Escape, a tap outside or the focus moving on closes it).
 */
@customElement('runde-controls')
export class RundeControls extends LitElement {
  static override styles = [
    buttonStyles,
    css`
      :host {
        display: flex;
        justify-content: center;
        align-items: flex-end;
        gap: var(--runde-space-2);
        padding: var(--runde-space-2) var(--runde-space-3) var(--runde-space-3);
        position: relative;
        background: var(--runde-call-bg);
      }
      :host > button {
        position: relative;
        display: inline-flex;
        flex-direction: column;
        align-items: center;
        gap: 0.15rem;
        min-width: 4rem;
        padding: 0.35rem 0.5rem 0.25rem;
        border-radius: var(--runde-radius-m);
        background: transparent;
        color: var(--runde-on-dark);
      }
      .icon {
        display: inline-grid;
        place-items: center;
        width: 2.75rem;
        height: 2.25rem;
        border-radius: var(--runde-radius-pill);
        background: var(--runde-control);
      }
      .short {
        font-size: var(--runde-text-xs);
        line-height: 1.2;
        white-space: nowrap;
        color: var(--runde-on-dark-muted);
      }
      @media (hover: hover) {
        :host > button:hover .icon {
          background: var(--runde-control-hover);
        }
      }
      /* Microphone or camera off: red, readable at a glance. */
      button.off .icon {
        background: var(--runde-danger);
      }
      /* A toggle that is on (a raised hand, an open panel, sharing): the accent. */
      button.on .icon {
        background: var(--runde-accent);
      }
      button.on .short,
      button.off .short {
        color: var(--runde-on-dark);
      }
      button:disabled {
        opacity: 0.5;
        cursor: not-allowed;
      }
      button[name='leave'] .icon {
        background: var(--runde-danger);
        width: 3.5rem;
      }
      .spacer {
        flex: 0 0 var(--runde-space-4);
      }
      .badge {
        position: absolute;
        top: 0;
        right: 0.35rem;
        min-width: 1.25rem;
        padding: 0 0.3rem;
        border-radius: 0.65rem;
        background: var(--runde-highlight);
        color: var(--runde-on-highlight);
        font-size: var(--runde-text-xs);
        font-weight: 700;
        line-height: 1.25rem;
      }
      .menu {
        position: absolute;
        bottom: calc(100% - var(--runde-space-2));
        right: var(--runde-space-3);
        z-index: 2;
        width: min(20rem, calc(100vw - 2 * var(--runde-space-3)));
        /* Up to the top of the screen less a margin: above the bar, never scrolled on a phone. */
        max-height: calc(100vh - 6.5rem);
        overflow-y: auto;
        padding: var(--runde-space-2) 0;
        border-radius: var(--runde-radius-m);
        background: var(--runde-surface-raised);
        box-shadow: 0 0.5rem 1.5rem rgba(0, 0, 0, 0.5);
      }
      .menu > button {
        display: flex;
        align-items: center;
        gap: var(--runde-space-3);
        width: 100%;
        padding: var(--runde-space-2) var(--runde-space-4);
        border-radius: 0;
        background: transparent;
        color: var(--runde-on-dark);
        text-align: start;
      }
      .menu > button:hover {
        background: var(--runde-control);
      }
      .menu > button[aria-pressed='true'] {
        font-weight: 600;
      }
      .menu > button svg {
        flex: none;
      }
      .menu hr {
        border: none;
        border-top: 1px solid var(--runde-control);
        margin: var(--runde-space-2) 0;
      }
      .reactions {
        display: flex;
        flex-wrap: wrap;
        justify-content: space-between;
        gap: var(--runde-space-1);
        padding: 0 var(--runde-space-3);
      }
      .reactions button {
        padding: 0;
        background: transparent;
        font-size: 1.5rem;
        line-height: 1;
      }
      .reactions button:hover {
        background: var(--runde-control);
      }
      /* Sharing sits in the bar on wide screens and in the menu on phones (the hand takes its slot). */
      .menu > .phone-only {
        display: none;
      }
      .group-label {
        margin: 0;
        padding: var(--runde-space-1) var(--runde-space-4);
        font-size: var(--runde-text-s);
        color: var(--runde-on-dark-muted);
      }
      /* A phone: the same row, narrower buttons; the gap to "leave" goes. */
      @media (max-width: 40rem) {
        :host {
          gap: 0;
          justify-content: space-between;
          padding: var(--runde-space-1) var(--runde-space-1) var(--runde-space-2);
        }
        /* Each takes what its label needs, the spare room shared out. */
        :host > button {
          min-width: 0;
          flex: 1 1 auto;
          padding: 0.25rem 0.1rem;
        }
        .icon {
          width: 2.5rem;
        }
        button[name='leave'] .icon {
          width: 2.75rem;
        }
        .short {
          font-size: 0.6875rem;
        }
        .spacer {
          display: none;
        }
        :host > button[name='screen'] {
          display: none;
        }
        .menu > .phone-only {
          display: flex;
        }
      }
      /* Very low screens (a phone on its side): the labels go; the names stay for screen readers
         and the tooltips. */
      @media (max-height: 30rem) {
        .short {
          display: none;
        }
        /* Three columns of items and no group heading (the group keeps its name), so that the
           menu fits above the bar without scrolling. */
        .menu {
          width: min(48rem, calc(100vw - 2 * var(--runde-space-3)));
          display: grid;
          grid-template-columns: repeat(3, 1fr);
          padding: var(--runde-space-1) 0;
        }
        .group-label {
          display: none;
        }
        .menu > p,
        .menu > .reactions,
        .menu > hr {
          grid-column: 1 / -1;
        }
        .menu > button {
          padding: var(--runde-space-1) var(--runde-space-3);
        }
        .menu hr {
          margin: var(--runde-space-1) 0;
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
  /** This browser can record the meeting; `recording`: we do now. */
  @property({ type: Boolean, attribute: 'can-record' }) canRecord = false;
  @property({ type: Boolean }) recording = false;
  /** The "more" menu is open. */
  @state() private moreOpen = false;
  /** A tap or click anywhere outside the bar closes the menu. */
  readonly #onPointerOutside = (e: PointerEvent) => {
    if (!e.composedPath().includes(this)) this.#closeMore();
  };

  constructor() {
    super();
    // On the host, so that Escape closes the menu from its "more" button too, not only inside it.
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
  }

  /**
   * Tab (or Shift+Tab) out of the menu closes it. Focus that goes nowhere (a tap on no control;
   * Safari does not focus tapped buttons at all) leaves the menu to the pointer listener.
   */
  #handleFocusOut(e: FocusEvent): void {
    const to = e.relatedTarget as Node | null;
    if (!this.moreOpen || !to) return;
    const inMenu = this.renderRoot.querySelector('.menu')?.contains(to) || to === this.#moreButton();
    if (!inMenu) this.#closeMore();
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
          ? this.#button('screen', this.sharing ? 'controls.stopShare' : 'controls.share', icons.screenIcon, {
              pressed: this.sharing,
              on: this.sharing,
              short: this.sharing ? 'controls.short.stopShare' : 'controls.short.share',
            })
          : nothing
      }
      ${this.#button('hand', this.hand ? 'controls.lowerHand' : 'controls.raiseHand', icons.handIcon, { pressed: this.hand, on: this.hand })}
      ${this.#button('chat', 'controls.chat', icons.chatIcon, { pressed: this.panel === 'chat', on: this.panel === 'chat', badge: this.unread })}
      ${this.#button('people', 'controls.people', icons.peopleIcon, { pressed: this.panel === 'people', on: this.panel === 'people' })}
      ${this.#button('more', 'controls.more', icons.moreIcon, { expanded: this.moreOpen, controls: 'more', on: this.moreOpen })}
      ${this.moreOpen ? this.#renderMenu() : nothing}
      <span class="spacer"></span>
      ${this.#button('leave', 'controls.leave', icons.leaveIcon)}
    `;
  }

  /** The "more" menu: reactions first, then text items with icons. Right after its button, so that Tab goes on to "leave". */
  #renderMenu() {
    const pip = 'pictureInPictureEnabled' in document && document.pictureInPictureEnabled;
    return html`<div id="more" class="menu" @keydown=${this.#handleMenuKey}>
      <p class="group-label" aria-hidden="true">${t('controls.reactions')}</p>
      <div class="reactions" role="group" aria-label=${t('controls.reactions')}>
        ${REACTIONS.map((emoji) => html`<button name="reaction" aria-label=${t(REACTION_LABELS[emoji])} title=${t(REACTION_LABELS[emoji])} @click=${() => this.#react(emoji)}>${emoji}</button>`)}
      </div>
      <hr />
      ${this.canShare ? this.#item('screen', this.sharing ? 'controls.stopShare' : 'controls.share', icons.screenIcon, this.sharing, 'phone-only') : nothing}
      ${this.#item('files', 'controls.files', icons.fileIcon, this.panel === 'files')}
      ${this.#item('layout', this.layout === 'grid' ? 'controls.speakerLayout' : 'controls.gridLayout', this.layout === 'grid' ? icons.speakerLayoutIcon : icons.layoutIcon)}
      ${pip ? this.#item('pip', 'controls.pip', icons.pipIcon) : nothing}
      ${this.#item('devices', 'controls.devices', icons.settingsIcon)}
      ${this.#item('help', 'controls.help', icons.helpIcon)}
      <hr />
      ${this.canRecord ? this.#item('record', this.recording ? 'controls.stopRecording' : 'controls.record', icons.recordIcon, this.recording) : nothing}
      ${this.#item('invite', 'invite.open', icons.inviteIcon)}
      ${this.host ? this.#item('lock', this.locked ? 'controls.unlock' : 'controls.lock', this.locked ? icons.lockIcon : icons.unlockIcon, this.locked) : nothing}
    </div>`;
  }

  /** A text item of the menu, named by its text; `pressed` for the toggles (a panel, the lock). */
  #item(action: ControlAction, label: MessageKey, icon: TemplateResult, pressed?: boolean, cls = '') {
    return html`<button name=${action} class=${cls} aria-pressed=${pressed === undefined ? nothing : String(pressed)} @click=${() => this.#handleClick(action)}>
      ${icon}<span>${t(label)}</span>
    </button>`;
  }

  /** Puts the focus on `action`'s button, or on "more" when that action lives in the menu. */
  focusButton(action: ControlAction): void {
    const button = this.renderRoot.querySelector<HTMLButtonElement>(`button[name=${action}]`);
    (button ?? this.#moreButton())?.focus();
  }

  #moreButton(): HTMLButtonElement | null {
    return this.renderRoot.querySelector<HTMLButtonElement>('button[name=more]');
  }

  #button(
    action: ControlAction | 'more',
    label: MessageKey,
    icon: TemplateResult,
    o: { pressed?: boolean; expanded?: boolean; controls?: string; on?: boolean; off?: boolean; disabled?: boolean; badge?: number; short?: MessageKey } = {},
  ) {
    const text = t(label);
    const shortKey = o.short ?? SHORT[action];
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
      aria-controls=${o.controls && o.expanded ? o.controls : nothing}
      ?disabled=${o.disabled ?? false}
      @click=${() => this.#handleClick(action)}
    >
      <span class="icon">${icon}</span>${shortKey ? html`<span class="short" aria-hidden="true">${t(shortKey)}</span>` : nothing}${badge}
    </button>`;
  }

  #handleClick(action: ControlAction | 'more'): void {
    if (action === 'more') {
      if (this.moreOpen) return this.#closeMore();
      this.moreOpen = true;
      void this.updateComplete.then(() => this.#menuButtons()[0]?.focus());
      return;
    }
    if (this.moreOpen && this.renderRoot.querySelector(`.menu button[name=${action}]`)) {
      // Chosen from the menu: it closes, and the focus goes to "more" first, so that a dialog or
      // panel opened now gives it back to a button on screen.
      this.#closeMore();
      this.#moreButton()?.focus();
    }
    this.#fire({ action });
  }

  #menuButtons(): HTMLButtonElement[] {
    return [...this.renderRoot.querySelectorAll<HTMLButtonElement>('.menu button')];
  }

  /** The arrow keys, Home and End move through the menu's items, as in any menu. */
  #handleMenuKey(e: KeyboardEvent): void {
    const items = this.#menuButtons();
    const at = items.indexOf(this.renderRoot.querySelector<HTMLButtonElement>('.menu button:focus') ?? items[0]!);
    const next: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 };
    const to = next[e.key];
    if (to === undefined) return;
    e.preventDefault();
    items[(to + items.length) % items.length]?.focus();
  }

  /** Escape closes the menu and gives the focus back to its button. */
  #handleMoreKey(e: KeyboardEvent): void {
    if (e.key !== 'Escape' || e.defaultPrevented || !this.moreOpen) return;
    e.preventDefault(); // one Escape closes one thing: not the side panel too
    this.#closeMore();
    void this.updateComplete.then(() => this.#moreButton()?.focus());
  }

  #react(emoji: Reaction): void {
    this.#closeMore();
    this.#fire({ action: 'react', emoji });
    void this.updateComplete.then(() => this.#moreButton()?.focus());
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
