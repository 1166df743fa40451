/**
 * The chat side panel: messages with sender names and times, a field where Enter sends
 * (Shift+Enter for a new line), and "save chat" as a text file once there is something to save.
 * Before the first message it says where messages go and how long they last (chat.ts: over the
 * peers' data channels, history handed to newcomers by those present, kept only in the browsers).
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { Chat, ChatEntry } from '../core/chat.js';
import { t } from '../i18n/index.js';
import { formatTime } from './format.js';
import { linkify } from './linkify.js';
import { buttonStyles, panelStyles } from './styles.js';
import { downloadText } from './download.js';

@customElement('runde-chat')
export class RundeChat extends LitElement {
  static override styles = [
    buttonStyles,
    panelStyles,
    css`
      ol {
        list-style: none;
        margin: 0;
        padding: 0 var(--runde-space-3);
        overflow-y: auto;
        flex: 1;
      }
      .empty {
        flex: 1;
        overflow-y: auto;
        padding: var(--runde-space-4) var(--runde-space-3);
        color: var(--runde-on-dark-muted);
        font-size: var(--runde-text-s);
      }
      .empty p {
        margin: 0 0 var(--runde-space-2);
      }
      .empty .title {
        color: var(--runde-on-dark);
        font-size: var(--runde-text-m);
        font-weight: 600;
      }
      li {
        margin: 0.6rem 0;
      }
      .meta {
        font-size: 0.8rem;
        color: var(--runde-on-dark-muted);
      }
      .meta b {
        color: var(--runde-on-dark);
      }
      .text {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      a {
        color: var(--runde-link-on-dark);
      }
      form {
        display: flex;
        gap: var(--runde-space-2);
        padding: var(--runde-space-3) var(--runde-space-3) 0;
      }
      .privacy {
        margin: 0;
        padding: var(--runde-space-1) var(--runde-space-3) var(--runde-space-3);
        color: var(--runde-on-dark-muted);
        font-size: var(--runde-text-xs);
      }
      /* A phone on its side: the messages need the height more than the reminder. */
      @media (max-height: 30rem) {
        .privacy {
          display: none;
        }
      }
      textarea {
        flex: 1;
        font: inherit;
        resize: none;
        min-height: 44px;
        padding: 0.5rem;
        border-radius: 0.4rem;
        border: 1px solid var(--runde-border-on-dark);
      }
    `,
  ];

  @property({ attribute: false }) chat: Chat | null = null;
  @property({ attribute: false }) entries: readonly ChatEntry[] = [];
  /** The own peer id, to label own messages "You". */
  @property() self = '';
  @query('ol') private list!: HTMLOListElement;
  @query('textarea') private field!: HTMLTextAreaElement;

  /** Moves focus into the message field (when the panel opens). */
  override focus(): void {
    this.field?.focus();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('entries')) this.list.scrollTop = this.list.scrollHeight;
  }

  protected override render() {
    const empty = this.entries.length === 0;
    return html`
      <header>
        <h2 id="chat-heading">${t('chat.heading')}</h2>
        <button class="secondary" name="save" ?hidden=${empty} @click=${this.#handleSave}>${t('chat.save')}</button>
      </header>
      <div class="empty" ?hidden=${!empty}>
        <p class="title">${t('chat.emptyHeading')}</p>
        <p>${t('chat.emptyText')}</p>
      </div>
      <ol aria-labelledby="chat-heading" ?hidden=${empty}>
        ${this.entries.map(
          (e) => html`<li>
            <div class="meta"><b>${this.#nameOf(e)}</b> · <time datetime=${new Date(e.at).toISOString()}>${formatTime(e.at)}</time></div>
            <div class="text">${linkify(e.text)}</div>
          </li>`,
        )}
      </ol>
      <form @submit=${this.#handleSubmit}>
        <label class="visually-hidden" for="message">${t('chat.message')}</label>
        <textarea id="message" name="message" rows="1" maxlength="4000" placeholder=${t('chat.placeholder')}
          aria-describedby="chat-privacy" @keydown=${this.#handleKey}></textarea>
        <button class="primary" type="submit">${t('chat.send')}</button>
      </form>
      <!-- Before the first message the note above says this at length. -->
      <p id="chat-privacy" class="privacy" ?hidden=${empty}>${t('chat.privacy')}</p>
    `;
  }

  #nameOf(e: ChatEntry): string {
    return e.from === this.self ? t('call.you') : e.name || t('call.guest');
  }

  #handleKey(e: KeyboardEvent): void {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.#send();
    }
  }

  #handleSubmit(e: Event): void {
    e.preventDefault();
    this.#send();
  }

  #send(): void {
    if (this.chat?.send(this.field.value)) this.field.value = '';
  }

  #handleSave(): void {
    if (!this.chat) return;
    const text = this.chat.transcript(formatTime, (e) => this.#nameOf(e));
    downloadText(text, 'text/plain;charset=utf-8', `${t('chat.fileName')}-${new Date().toISOString().slice(0, 10)}.txt`);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-chat': RundeChat;
  }
}
