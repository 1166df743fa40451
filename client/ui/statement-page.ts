/**
 * The accessibility statement (EU directive 2016/2102, BITV 2.0, RGAA): Runde's own part comes
 * from the message catalogs, the deployer's part from `accessibility` in /config.json. Whatever
 * the deployer left out reads as a marked "not yet completed" sentence, never as an empty line.
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { AccessibilityStatement } from '../core/runtime-config.js';
import { language, t, type MessageKey } from '../i18n/index.js';
import { buttonStyles, linkStyles } from './styles.js';

/** Runde's own known limitations, whoever deploys it. */
const OWN_LIMITATIONS: readonly MessageKey[] = ['statement.limitation.captions', 'statement.limitation.content', 'statement.limitation.quality'];

/** A plain e-mail address (then the contact becomes a mailto: link). */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** `YYYY-MM-DD` written the way the current language writes a date. */
function formatDay(day: string): string {
  return new Intl.DateTimeFormat(language(), { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

@customElement('runde-statement')
export class RundeStatement extends LitElement {
  static override styles = [
    buttonStyles,
    linkStyles,
    css`
      :host {
        display: block;
        max-width: 44rem;
        margin: 0 auto;
        padding: 1rem 1rem 3rem;
      }
      h1 {
        font-size: 2rem;
        line-height: 1.2;
        overflow-wrap: break-word;
      }
      h2 {
        font-size: 1.3rem;
        margin-top: 2rem;
      }
      a {
        overflow-wrap: anywhere;
      }
      .placeholder {
        border-left: 4px solid var(--runde-notice-border);
        background: var(--runde-notice-bg);
        padding: 0.25rem 0.75rem;
      }
    `,
  ];

  /** The deployer's statement; undefined when config.json has none. */
  @property({ attribute: false }) statement: AccessibilityStatement | undefined = undefined;
  /** The UI language; setting it renders the page again in that language. */
  @property() override lang = '';

  protected override render() {
    const s = this.statement ?? {};
    return html`
      <h1>${t('statement.title')}</h1>
      ${
        s.organisation
          ? html`<p>${t('statement.intro', { organisation: s.organisation })}</p>`
          : html`<p>${t('statement.intro', { organisation: t('statement.operator') })}</p>${this.#missing('statement.missingOrganisation')}`
      }
      <h2>${t('statement.statusHeading')}</h2>
      ${s.status ? html`<p>${t(`statement.status.${s.status}`)}</p>` : this.#missing('statement.missingStatus')}
      ${this.#renderLimitations(s)}
      <h2>${t('statement.preparationHeading')}</h2>
      ${s.date ? html`<p>${this.#withDate(s.date)}</p>` : this.#missing('statement.missingDate')}
      ${s.method ? html`<p>${t(`statement.method.${s.method}`)}</p>` : this.#missing('statement.missingMethod')}
      <p>${t('statement.tests')}</p>
      ${this.#renderFeedback(s)}
      <h2>${t('statement.enforcementHeading')}</h2>
      <p>${t('statement.enforcementIntro')}</p>
      ${
        s.enforcementBody || s.enforcementUrl
          ? html`<p>${t('statement.enforcementBody')} ${
              s.enforcementUrl ? html`<a href=${s.enforcementUrl} rel="noopener noreferrer">${s.enforcementBody ?? s.enforcementUrl}</a>` : s.enforcementBody
            }</p>`
          : this.#missing('statement.missingEnforcement')
      }
      <p><a href="./">${t('statement.back')}</a></p>
    `;
  }

  #missing(key: MessageKey) {
    return html`<p class="placeholder" data-missing>${t(key)}</p>`;
  }

  /** The dated sentence with the day as a <time> element. */
  #withDate(day: string) {
    const [before, after] = t('statement.date').split('{date}');
    return html`${before}<time datetime=${day}>${formatDay(day)}</time>${after}`;
  }

  #renderLimitations(s: AccessibilityStatement) {
    const lang = language();
    const given = s.limitations;
    // The deployer's own words, in this language if given, else in any language it wrote.
    const source = given ? (given[lang] ? lang : (['en', 'de', 'fr'] as const).find((l) => given[l])) : undefined;
    const list = source ? given![source]! : [];
    return html`<h2>${t('statement.limitationsHeading')}</h2>
      <p>${t('statement.ownLimitations')}</p>
      <ul>${OWN_LIMITATIONS.map((key) => html`<li>${t(key)}</li>`)}</ul>
      ${
        !given
          ? this.#missing('statement.missingLimitations')
          : list.length === 0
            ? html`<p>${t('statement.noLimitations')}</p>`
            : html`<p>${t('statement.deployerLimitations')}</p>
              <ul lang=${source === lang ? nothing : source!}>${list.map((item) => html`<li>${item}</li>`)}</ul>`
      }`;
  }

  #renderFeedback(s: AccessibilityStatement) {
    const contact = s.contact;
    return html`<h2>${t('statement.feedbackHeading')}</h2>
      <p>${t('statement.feedbackIntro')}</p>
      ${
        contact
          ? html`<p>${t('statement.contact')} ${EMAIL.test(contact) ? html`<a href=${`mailto:${contact}`}>${contact}</a>` : contact}</p>`
          : this.#missing('statement.missingContact')
      }
      ${
        s.feedbackUrl
          ? html`<p><a href=${s.feedbackUrl} rel="noopener noreferrer">${t('statement.feedbackLink')}</a></p>`
          : this.#missing('statement.missingFeedback')
      }`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-statement': RundeStatement;
  }
}
