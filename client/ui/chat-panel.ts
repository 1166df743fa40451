/**
 * The chat side panel: messages with sender names and times, a field where Enter sends
 * (Shift+Enter for a new line), and "save chat" as a text file.
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { Chat, ChatEntry } from '../core/chat.js';
import { t } from '../i18n/index.js';
import { formatTime } from './format.js';
import { linkify } from './linkify.js';
import { buttonStyles, panelStyles } from './styles.js';

@customElement('runde-chat')
export class RundeChat extends LitElement {
  static override styles = [
    buttonStyles,
    panelStyles,
    css`
      ol {
        list-style: none;
        margin: 0;
        padding: 0 0.75rem;
        overflow-y: auto;
        flex: 1;
      }
      li {
        margin: 0.6rem 0;
      }
      .meta {
        font-size: 0.8rem;
        color: #cbd2d9;
      }
      .meta b {
        color: #fff;
      }
      .text {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      a {
        color: #9fd4ff;
      }
      form {
        display: flex;
        gap: 0.5rem;
        padding: 0.75rem;
      }
      textarea {
        flex: 1;
        font: inherit;
        resize: none;
        min-height: 44px;
        padding: 0.5rem;
        border-radius: 0.4rem;
        border: 1px solid #7b8794;
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
    return html`
      <header>
        <h2 id="chat-heading">${t('chat.heading')}</h2>
        <button class="secondary" name="save" ?disabled=${this.entries.length === 0} @click=${this.#handleSave}>${t('chat.save')}</button>
      </header>
      <ol aria-labelledby="chat-heading">
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
          @keydown=${this.#handleKey}></textarea>
        <button class="primary" type="submit">${t('chat.send')}</button>
      </form>
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
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${t('chat.fileName')}-${new Date().toISOString().slice(0, 10)}.txt`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-chat': RundeChat;
  }
}
