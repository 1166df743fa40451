/**
 * A host's actions on one person, behind a "more actions" button: ask to mute (while their
 * microphone is on), lower their hand (while it is up), ask to stop recording (while they
 * record), remove. A menu button as WAI-ARIA
 * describes it: Enter, Space or a click opens it with the focus on the first item; arrow keys,
 * Home and End move; Escape closes it and gives the focus back to the button; Tab or a click
 * elsewhere closes it. It opens below the button, in the flow, so a narrow or zoomed panel
 * never cuts it off.
 *
 * @fires runde-host-action - detail: HostAction; the host chose an action
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { PeerId } from '../../signaling/protocol.js';
import { t } from '../i18n/index.js';
import { moreIcon } from './icons.js';
import { buttonStyles } from './styles.js';

export type HostActionKind = 'mute' | 'lower-hand' | 'stop-recording' | 'remove';

/** What a host asks for: on one person, or ('mute' only) on everyone else (`*`). */
export interface HostAction {
  action: HostActionKind;
  id: PeerId | '*';
  name: string;
}

@customElement('runde-person-menu')
export class RundePersonMenu extends LitElement {
  static override styles = [
    buttonStyles,
    css`
      :host {
        display: contents;
      }
      button.toggle {
        display: inline-grid;
        place-items: center;
        padding: 0;
        background: transparent;
        color: var(--runde-on-dark);
        border-color: var(--runde-border-on-dark);
      }
      button.toggle[aria-expanded='true'] {
        background: var(--runde-control);
      }
      [role='menu'] {
        flex-basis: 100%;
        list-style: none;
        margin: 0.25rem 0 0;
        padding: 0.25rem;
        border: 1px solid var(--runde-border-on-dark);
        border-radius: 0.5rem;
        background: var(--runde-call-bg);
      }
      [role='menuitem'] {
        display: block;
        width: 100%;
        text-align: start;
        background: transparent;
        color: var(--runde-on-dark);
      }
      [role='menuitem']:hover,
      [role='menuitem']:focus {
        background: var(--runde-control);
      }
    `,
  ];

  @property() peer = '' as PeerId;
  @property() name = '';
  /** Their microphone is on: "ask to mute" is offered. */
  @property({ type: Boolean }) audio = false;
  /** Their hand is up: "lower hand" is offered. */
  @property({ type: Boolean }) hand = false;
  /** They record: "ask to stop recording" is offered. */
  @property({ type: Boolean }) recording = false;
  @state() private open = false;
  readonly #onPointerOutside = (e: PointerEvent) => {
    if (!e.composedPath().includes(this)) this.open = false;
  };

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('pointerdown', this.#onPointerOutside, true);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('open' as keyof RundePersonMenu)) return;
    if (this.open) document.addEventListener('pointerdown', this.#onPointerOutside, true);
    else document.removeEventListener('pointerdown', this.#onPointerOutside, true);
  }

  protected override render() {
    const items: Array<[HostActionKind, string]> = [
      ...(this.audio ? [['mute', t('people.askToMute', { name: this.name })] as [HostActionKind, string]] : []),
      ...(this.hand ? [['lower-hand', t('people.lowerHand', { name: this.name })] as [HostActionKind, string]] : []),
      ...(this.recording ? [['stop-recording', t('people.askToStopRecording', { name: this.name })] as [HostActionKind, string]] : []),
      ['remove', t('people.remove', { name: this.name })],
    ];
    const label = t('people.moreActions', { name: this.name });
    return html`<button
        class="toggle"
        name="actions"
        aria-label=${label}
        title=${label}
        aria-haspopup="menu"
        aria-expanded=${String(this.open)}
        aria-controls=${this.open ? 'menu' : nothing}
        @click=${this.#handleToggle}
        @keydown=${this.#handleToggleKey}
      >
        ${moreIcon}
      </button>
      ${
        this.open
          ? html`<ul id="menu" role="menu" aria-label=${t('people.actionsFor', { name: this.name })}
              @keydown=${this.#handleMenuKey} @focusout=${this.#handleFocusOut}>
              ${items.map(
                ([action, text]) =>
                  html`<li role="none"><button role="menuitem" tabindex="-1" name=${action} @click=${() => this.#choose(action)}>${text}</button></li>`,
              )}
            </ul>`
          : nothing
      }`;
  }

  #items(): HTMLButtonElement[] {
    return [...this.renderRoot.querySelectorAll<HTMLButtonElement>('[role=menuitem]')];
  }

  #toggle(): HTMLButtonElement | null {
    return this.renderRoot.querySelector<HTMLButtonElement>('button.toggle');
  }

  async #openAt(index: 'first' | 'last'): Promise<void> {
    this.open = true;
    await this.updateComplete;
    const items = this.#items();
    (index === 'first' ? items[0] : items.at(-1))?.focus();
  }

  #close(focusToggle: boolean): void {
    this.open = false;
    if (focusToggle) this.#toggle()?.focus();
  }

  #handleToggle(): void {
    if (this.open) this.#close(false);
    else void this.#openAt('first');
  }

  #handleToggleKey(e: KeyboardEvent): void {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      void this.#openAt(e.key === 'ArrowDown' ? 'first' : 'last');
    } else if (e.key === 'Escape' && this.open) {
      e.preventDefault(); // one Escape closes one thing: not the side panel too
      this.#close(true);
    }
  }

  #handleMenuKey(e: KeyboardEvent): void {
    const items = this.#items();
    const at = items.indexOf(this.renderRoot.querySelector(':focus') as HTMLButtonElement);
    const to = ({ ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 } as Record<string, number | undefined>)[e.key];
    if (to !== undefined) {
      e.preventDefault();
      items[(to + items.length) % items.length]?.focus();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      this.#close(true);
    } else if (e.key === 'Tab') {
      this.#close(false); // the focus moves on as Tab takes it
    }
  }

  #handleFocusOut(e: FocusEvent): void {
    const to = e.relatedTarget as Node | null;
    if (to && !this.renderRoot.contains(to)) this.#close(false);
  }

  #choose(action: HostActionKind): void {
    this.#close(true);
    const detail: HostAction = { action, id: this.peer, name: this.name };
    this.dispatchEvent(new CustomEvent<HostAction>('runde-host-action', { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-person-menu': RundePersonMenu;
  }
}
