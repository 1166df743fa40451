/**
 * The files panel: choose or drop files and send them to everyone or one person; offers to accept
 * or decline; progress, cancel and save. New offers and finished files are announced politely.
 * Calls the core's FileTransfers directly, as the chat panel calls Chat.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
// Keyed: a new offer goes on top, and focus must stay on the button of the file it was on.
import { repeat } from 'lit/directives/repeat.js';
import { isPeerId, type PeerId } from '../../signaling/protocol.js';
import type { FileTransfers, Transfer } from '../core/file-transfer.js';
import { t, type MessageKey } from '../i18n/index.js';
import { formatSize } from './format.js';
import { buttonStyles, panelStyles } from './styles.js';
import { TransfersController } from './transfers-controller.js';

export interface FilePeer {
  id: string;
  name: string;
}

@customElement('runde-files')
export class RundeFiles extends LitElement {
  static override styles = [
    buttonStyles,
    panelStyles,
    css`
      .send {
        padding: 0.75rem;
        border-bottom: 1px solid var(--runde-control);
      }
      .drop {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem;
        padding: 0.75rem;
        border: 2px dashed var(--runde-border-on-dark);
        border-radius: 0.5rem;
      }
      .drop.over {
        border-color: var(--runde-link-on-dark);
        background: var(--runde-info-bg);
      }
      label {
        display: block;
        margin-top: 0.75rem;
        font-weight: 600;
      }
      select {
        font: inherit;
        width: 100%;
        min-height: 44px;
        margin-top: 0.25rem;
        border-radius: 0.4rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0 0.75rem;
        overflow-y: auto;
        flex: 1;
      }
      li {
        padding: 0.75rem 0;
        border-bottom: 1px solid var(--runde-control);
      }
      .name {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      .meta,
      .state {
        font-size: 0.9rem;
        color: var(--runde-on-dark-muted);
      }
      .empty {
        padding: 0 0.75rem;
      }
      .state.failed {
        color: var(--runde-error-on-dark);
      }
      progress {
        width: 100%;
        height: 0.75rem;
      }
      .actions {
        display: flex;
        gap: 0.5rem;
        margin-top: 0.5rem;
      }
      .actions:empty {
        display: none;
      }
      a.save {
        display: inline-flex;
        align-items: center;
        min-height: 44px;
        padding: 0 1rem;
        box-sizing: border-box;
        border-radius: 0.5rem;
        background: var(--runde-accent);
        color: var(--runde-on-dark);
        font-weight: 600;
        text-decoration: none;
      }
      a.save:focus-visible {
        outline: 3px solid var(--runde-focus, #ffbf47);
        outline-offset: 2px;
      }
    `,
  ];

  @property({ attribute: false }) transfers: FileTransfers | null = null;
  /** The others in the meeting, for the recipient picker and the names in the list. */
  @property({ attribute: false }) peers: readonly FilePeer[] = [];
  @state() private to: PeerId | 'everyone' = 'everyone';
  @state() private dragging = false;
  @state() private announcement = '';
  @query('input[type=file]') private picker!: HTMLInputElement;
  readonly #controller = new TransfersController(this, (kind, transfer) => this.#handleChange(kind, transfer));
  /** Names of peers seen, so a transfer still shows who it was with after they left. */
  readonly #names = new Map<string, string>();
  readonly #urls = new Map<string, string>();
  readonly #announced = new Set<string>();

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#revokeUrls();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('transfers')) {
      this.#revokeUrls();
      this.#controller.source = this.transfers;
    }
    if (changed.has('peers')) {
      for (const p of this.peers) this.#names.set(p.id, p.name);
      if (this.to !== 'everyone' && !this.peers.some((p) => p.id === this.to)) this.to = 'everyone';
    }
  }

  protected override render() {
    const list = this.#controller.list;
    return html`
      <header><h2>${t('files.heading')}</h2></header>
      <p role="status" class="visually-hidden">${this.announcement}</p>
      ${this.#renderSend()}
      ${
        list.length === 0
          ? html`<p class="meta empty">${t('files.empty')}</p>`
          : html`<ul aria-label=${t('files.list')}>${repeat(
              list,
              (tr) => tr.id,
              (tr) => this.#renderTransfer(tr),
            )}</ul>`
      }
    `;
  }

  #renderSend() {
    const disabled = !this.transfers || this.peers.length === 0;
    return html`<div class="send">
      <div class="drop ${this.dragging ? 'over' : ''}" @dragover=${this.#handleDragOver} @dragleave=${this.#handleDragLeave}
        @drop=${this.#handleDrop}>
        <button class="primary" name="choose" ?disabled=${disabled} @click=${this.#handleChoose}>${t('files.choose')}</button>
        <span>${t('files.drop')}</span>
        <input type="file" multiple hidden @change=${this.#handlePicked} />
      </div>
      ${
        this.peers.length === 0
          ? html`<p class="meta">${t('files.nobody')}</p>`
          : html`<label for="to">${t('files.to')}</label>
            <select id="to" name="to" .value=${this.to} @change=${this.#handleRecipient}>
              <option value="everyone" ?selected=${this.to === 'everyone'}>${t('files.everyone')}</option>
              ${this.peers.map((p) => html`<option value=${p.id} ?selected=${this.to === p.id}>${this.#nameOf(p.id)}</option>`)}
            </select>`
      }
    </div>`;
  }

  #renderTransfer(tr: Transfer) {
    const who = t(tr.direction === 'send' ? 'files.toPeer' : 'files.fromPeer', { name: this.#nameOf(tr.peer) });
    const running = tr.state === 'active' || tr.state === 'verifying';
    return html`<li data-id=${tr.id}>
      <div class="name">${tr.name}</div>
      <div class="meta">${who} · ${formatSize(tr.size)}</div>
      ${running ? html`<progress max=${tr.size || 1} .value=${tr.size ? tr.bytes : 1} aria-label=${t('files.progress', { file: tr.name })}></progress>` : nothing}
      <div class="state ${tr.state}">${this.#stateText(tr)}</div>
      <div class="actions">${this.#renderActions(tr)}</div>
    </li>`;
  }

  #renderActions(tr: Transfer) {
    const file = tr.name;
    const action = (name: 'accept' | 'decline' | 'cancel', label: MessageKey, text: MessageKey, kind = 'secondary') =>
      html`<button class=${kind} name=${name} data-id=${tr.id} aria-label=${t(label, { file })} @click=${this.#handleAction}>${t(text)}</button>`;
    if (tr.state === 'offered') {
      return [action('accept', 'files.acceptFile', 'files.accept', 'primary'), action('decline', 'files.declineFile', 'files.decline')];
    }
    if (tr.state === 'waiting' || tr.state === 'active' || tr.state === 'verifying') return action('cancel', 'files.cancelFile', 'files.cancel');
    if (tr.state === 'done' && tr.file) {
      return html`<a class="save" href=${this.#urlOf(tr.id, tr.file)} download=${file} aria-label=${t('files.saveFile', { file })}>${t('files.save')}</a>`;
    }
    return nothing;
  }

  #stateText(tr: Transfer): string {
    switch (tr.state) {
      case 'active':
        return t('files.state.active', { done: formatSize(tr.bytes), total: formatSize(tr.size) });
      case 'done':
        return t(tr.direction === 'send' ? 'files.state.done.send' : 'files.state.done.receive');
      case 'failed':
        return t(`files.error.${tr.error ?? 'ERR_CHANNEL'}`);
      default:
        return t(`files.state.${tr.state}`);
    }
  }

  #nameOf(id: string): string {
    return this.#names.get(id) || t('call.guest');
  }

  #urlOf(id: string, file: File): string {
    let url = this.#urls.get(id);
    if (!url) this.#urls.set(id, (url = URL.createObjectURL(file)));
    return url;
  }

  #revokeUrls(): void {
    for (const url of this.#urls.values()) URL.revokeObjectURL(url);
    this.#urls.clear();
  }

  #handleChange(kind: 'offered' | 'updated', tr: Transfer): void {
    const name = this.#nameOf(tr.peer);
    if (kind === 'offered') {
      this.announcement = t('files.announce.offer', { name, file: tr.name, size: formatSize(tr.size) });
    } else if (tr.state === 'done' && !this.#announced.has(tr.id)) {
      this.#announced.add(tr.id);
      this.announcement = t(tr.direction === 'send' ? 'files.announce.sent' : 'files.announce.received', { name, file: tr.name });
    }
  }

  #handleAction(e: Event): void {
    const button = e.currentTarget as HTMLButtonElement;
    const id = button.dataset.id!;
    if (button.name === 'accept') this.transfers?.accept(id);
    else if (button.name === 'decline') this.transfers?.decline(id);
    else if (button.name === 'cancel') this.transfers?.cancel(id);
  }

  #handleChoose(): void {
    this.picker.click();
  }

  #handlePicked(): void {
    this.#send(this.picker.files);
    this.picker.value = ''; // choosing the same file again fires `change` again
  }

  #handleRecipient(e: Event): void {
    const value = (e.target as HTMLSelectElement).value;
    this.to = isPeerId(value) ? value : 'everyone';
  }

  #handleDragOver(e: DragEvent): void {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault(); // allows the drop
    e.dataTransfer.dropEffect = this.transfers && this.peers.length ? 'copy' : 'none';
    this.dragging = true;
  }

  #handleDragLeave(): void {
    this.dragging = false;
  }

  #handleDrop(e: DragEvent): void {
    e.preventDefault();
    this.dragging = false;
    this.#send(e.dataTransfer?.files ?? null);
  }

  #send(files: FileList | null): void {
    if (!this.transfers || this.peers.length === 0) return;
    const to = this.to;
    for (const file of files ?? []) this.transfers.send(file, to);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-files': RundeFiles;
  }
}
