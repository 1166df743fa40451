/**
 * An invitation to a meeting, in a language of its own (the page may speak another): the text
 * people paste into an email or a chat, and the calendar file with the same words.
 */
import { calendarFile } from '../core/calendar.js';
import { translate, type Catalog, type Language } from '../i18n/index.js';

export interface Invitation {
  /** The participant link; never the host link, which would hand out host rights. */
  link: string;
  /** The meeting's title as the inviter typed it; blank for the language's "Video meeting". */
  title: string;
  /** When it starts, if the inviter chose a time. */
  start: Date | null;
  minutes: number;
}

/** The title to show: the inviter's, or "Video meeting" in the invitation's language. */
export function titleOf(invitation: Invitation, catalog: Catalog, lang: Language): string {
  return invitation.title.trim() || translate(catalog, lang, 'invitation.defaultTitle');
}

/** The date and time in the invitation's language, with its time zone (readers may live elsewhere). */
export function whenText(start: Date, lang: Language): string {
  return new Intl.DateTimeFormat(lang, {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(start);
}

/** The invitation as plain text, paragraphs separated by blank lines. */
export function invitationText(invitation: Invitation, catalog: Catalog, lang: Language): string {
  const say = (key: Parameters<typeof translate>[2], params: Record<string, string> = {}) => translate(catalog, lang, key, params);
  const head = [say('invitation.intro', { title: titleOf(invitation, catalog, lang) })];
  if (invitation.start) head.push(say('invitation.when', { when: whenText(invitation.start, lang) }));
  return [head.join('\n'), say('invitation.join', { link: invitation.link }), say('invitation.how', { join: say('lobby.join') }), say('invitation.key')].join(
    '\n\n',
  );
}

/**
 * The invitation as an iCalendar file (null without a start: a calendar needs one). `uid` names
 * the event: the same for each file of one invitation, so that a corrected time updates the entry.
 */
export function invitationCalendar(invitation: Invitation, catalog: Catalog, lang: Language, uid: string, made = new Date()): string | null {
  if (!invitation.start) return null;
  return calendarFile({
    uid,
    made,
    start: invitation.start,
    minutes: invitation.minutes,
    summary: titleOf(invitation, catalog, lang),
    description: invitationText(invitation, catalog, lang),
    url: invitation.link,
  });
}
