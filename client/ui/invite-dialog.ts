/**
 * "Invite people": the participant link, for hosts the host link (marked, never put into the
 * invitation), a ready invitation text in a language of the inviter's choice, and a calendar
 * file (.ics) with a chosen start and duration. Opened from the lobby and from the call.
 */
import { css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { CALENDAR_TYPE } from '../core/calendar.js';
import { en } from '../i18n/en.js';
import { LANGUAGE_NAMES, LANGUAGES, isLanguage, language, loadCatalog, plural, t, translate, type Catalog, type Language } from '../i18n/index.js';
import { copyText } from './clipboard.js';
import { downloadText } from './download.js';
import { invitationCalendar, invitationText, type Invitation } from './invitation.js';
import { ModalElement, dialogStyles } from './modal.js';
import { buttonStyles } from './styles.js';

/** The durations offered for the calendar entry, in minutes. */
export const DURATIONS = [15, 30, 45, 60, 90, 120, 180] as const;
const DEFAULT_MINUTES = 60;

/** The next full hour in local time, as an <input type="datetime-local"> value. */
export function nextFullHour(now = new Date()): string {
  const next = new Date(now);
  next.setHours(now.getHours() + 1, 0, 0, 0);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${next.getFullYear()}-${two(next.getMonth() + 1)}-${two(next.getDate())}T${two(next.getHours())}:00`;
}

@customElement('runde-invite')
export class RundeInvite extends ModalElement {
  static override styles = [
    buttonStyles,
    dialogStyles,
    css`
      dialog {
        width: min(34rem, 92vw);
      }
      label {
        display: block;
        font-weight: 600;
        margin: 0.75rem 0 0.25rem;
      }
      input,
      select,
      textarea {
        font: inherit;
        width: 100%;
        box-sizing: border-box;
        min-height: 44px;
        padding: 0.4rem;
      }
      textarea {
        min-height: 10rem;
        resize: vertical;
      }
      .row {
        display: flex;
        gap: 0.5rem;
        align-items: stretch;
      }
      .row > input {
        flex: 1;
        min-width: 0;
      }
      .pair {
        display: grid;
        grid-template-columns: 1fr 1fr;
        gap: 0 0.75rem;
      }
      .host {
        border-left: 4px solid var(--runde-danger);
        padding-left: 0.75rem;
        margin-top: 0.75rem;
      }
      .hint {
        font-size: 0.9rem;
        margin: 0.25rem 0 0;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin-top: 1rem;
      }
      @media (max-width: 30rem) {
        .pair {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];

  /** The participant link. */
  @property() link = '';
  /** The host link ('' when this person is no host). */
  @property() hostLink = '';

  @state() private language: Language = language();
  @state() private catalog: Catalog | null = null;
  @state() private meetingTitle = '';
  @state() private start = nextFullHour();
  @state() private minutes = DEFAULT_MINUTES;
  /** The last outcome of copy or download, read out by screen readers. */
  @state() private status = '';
  #loading: Language | null = null;
  /** The calendar event's id: one per invitation written here (see invitationCalendar). */
  readonly #uid = crypto.randomUUID();

  override show(): void {
    this.status = '';
    super.show();
  }

  /** The invitation as the form now describes it. */
  get invitation(): Invitation {
    const start = this.start ? new Date(this.start) : null;
    return { link: this.link, title: this.meetingTitle, start: start && Number.isFinite(start.getTime()) ? start : null, minutes: this.minutes };
  }

  /** The invitation text in the chosen language ('' until its catalog has loaded). */
  get text(): string {
    return this.catalog ? invitationText(this.invitation, this.catalog, this.language) : '';
  }

  protected override willUpdate(): void {
    // The chosen language's catalog (a separate chunk), fetched once per choice.
    if (this.#loading === this.language) return;
    const lang = (this.#loading = this.language);
    this.catalog = lang === 'en' ? en : null;
    if (lang !== 'en')
      void loadCatalog(lang).then(
        (c) => this.language === lang && (this.catalog = c),
        () => this.language === lang && (this.catalog = en),
      );
  }

  protected override render() {
    return html`<dialog aria-labelledby="invite-title">
      <h2 id="invite-title">${t('invite.title')}</h2>
      <label for="participant-link">${t('invite.participantLink')}</label>
      <div class="row">
        <input id="participant-link" readonly .value=${this.link} @focus=${selectAll} />
        <button class="secondary" type="button" name="copy-link" @click=${() => this.#copy(this.link, 'lobby.linkCopied', 'invite.linkCopyFailed')}>
          ${t('invite.copyLink')}
        </button>
      </div>
      ${this.hostLink ? this.#hostLink() : nothing}
      <div class="pair">
        <div>
          <label for="invite-language">${t('invite.language')}</label>
          <select id="invite-language" @change=${this.#handleLanguage}>
            ${LANGUAGES.map((l) => html`<option value=${l} lang=${l} ?selected=${l === this.language}>${LANGUAGE_NAMES[l]}</option>`)}
          </select>
        </div>
        <div>
          <label for="invite-name">${t('invite.meetingTitle')}</label>
          <input id="invite-name" .value=${this.meetingTitle} placeholder=${this.#say('invitation.defaultTitle')} maxlength="120" @input=${(e: Event) => (this.meetingTitle = (e.target as HTMLInputElement).value)} />
        </div>
        <div>
          <label for="invite-start">${t('invite.start')}</label>
          <input id="invite-start" type="datetime-local" .value=${this.start} @input=${(e: Event) => (this.start = (e.target as HTMLInputElement).value)} />
        </div>
        <div>
          <label for="invite-duration">${t('invite.duration')}</label>
          <select id="invite-duration" @change=${(e: Event) => (this.minutes = Number((e.target as HTMLSelectElement).value))}>
            ${DURATIONS.map((m) => html`<option value=${m} ?selected=${m === this.minutes}>${plural('invite.minutes', m)}</option>`)}
          </select>
        </div>
      </div>
      <label for="invite-text">${t('invite.text')}</label>
      <textarea id="invite-text" readonly lang=${this.language} .value=${this.text}></textarea>
      <div class="actions">
        <button class="primary" type="button" name="copy-text" ?disabled=${!this.catalog} @click=${() => this.#copy(this.text, 'invite.textCopied', 'invite.textCopyFailed')}>
          ${t('invite.copyText')}
        </button>
        <button class="secondary" type="button" name="calendar" ?disabled=${!this.catalog} @click=${this.#download}>${t('invite.download')}</button>
        <button class="secondary" type="button" name="close" @click=${() => this.close()}>${t('action.close')}</button>
      </div>
      <p role="status" class="hint">${this.status}</p>
    </dialog>`;
  }

  #hostLink() {
    return html`<div class="host">
      <label for="host-link">${t('invite.hostLink')}</label>
      <div class="row">
        <input id="host-link" readonly .value=${this.hostLink} aria-describedby="host-link-hint" @focus=${selectAll} />
        <button class="secondary" type="button" name="copy-host-link" @click=${() => this.#copy(this.hostLink, 'lobby.hostLinkCopied', 'invite.linkCopyFailed')}>
          ${t('invite.copyHostLink')}
        </button>
      </div>
      <p class="hint" id="host-link-hint">${t('invite.hostLinkHint')}</p>
    </div>`;
  }

  /** A sentence of the invitation's language (English until its catalog is here). */
  #say(key: Parameters<typeof translate>[2]): string {
    return translate(this.catalog ?? en, this.catalog ? this.language : 'en', key);
  }

  #handleLanguage(e: Event): void {
    const value = (e.target as HTMLSelectElement).value;
    if (isLanguage(value)) this.language = value;
  }

  async #copy(text: string, done: Parameters<typeof t>[0], failed: Parameters<typeof t>[0]): Promise<void> {
    this.status = (await copyText(text)) ? t(done) : t(failed, { link: text });
  }

  #download(): void {
    const file = this.catalog ? invitationCalendar(this.invitation, this.catalog, this.language, this.#uid) : null;
    if (!file) {
      this.status = t('invite.startMissing');
      this.renderRoot.querySelector<HTMLInputElement>('#invite-start')?.focus();
      return;
    }
    downloadText(file, CALENDAR_TYPE, `${t('invite.fileName')}.ics`);
    this.status = t('invite.downloaded');
  }
}

function selectAll(e: Event): void {
  (e.target as HTMLInputElement).select();
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-invite': RundeInvite;
  }
}
