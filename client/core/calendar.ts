/**
 * A calendar file (RFC 5545 iCalendar) for one meeting, for Outlook, Thunderbird and phone
 * calendars: one VEVENT with the link in URL and in the description, a start and an end in UTC,
 * and nothing else: no organizer, no attendees' addresses, no vendor fields, no alarms.
 */

export interface CalendarEvent {
  /** Globally unique; a calendar updates the event it already holds with the same UID (the same invitation saved again). */
  uid: string;
  /** When the file was made (DTSTAMP). */
  made: Date;
  start: Date;
  minutes: number;
  summary: string;
  description: string;
  url: string;
}

/** The file's media type (RFC 5545 section 8.1). */
export const CALENDAR_TYPE = 'text/calendar;charset=utf-8';

/** The meeting as an iCalendar file: CRLF line ends, lines folded at 75 octets. */
export function calendarFile(event: CalendarEvent): string {
  if (!(event.minutes > 0) || !Number.isFinite(event.start.getTime())) throw new RangeError('a calendar event needs a start and a positive duration');
  const end = new Date(event.start.getTime() + event.minutes * 60_000);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Runde//Runde meeting//EN',
    // No METHOD: that would make it a scheduling message (RFC 5546), which needs an organizer.
    'CALSCALE:GREGORIAN',
    'BEGIN:VEVENT',
    `UID:${text(event.uid)}`,
    `DTSTAMP:${utc(event.made)}`,
    `DTSTART:${utc(event.start)}`,
    `DTEND:${utc(end)}`,
    `SUMMARY:${text(event.summary)}`,
    `DESCRIPTION:${text(event.description)}`,
    // A URI value is written as it is (no TEXT escaping); a link has no line breaks to fold away.
    `URL:${event.url.replace(/[\r\n]/g, '')}`,
    'TRANSP:OPAQUE',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.map(fold).join('\r\n')}\r\n`;
}

/** A DATE-TIME in UTC: 20261207T090000Z. */
function utc(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * A TEXT value: backslash, semicolon and comma escaped, line breaks as \n (RFC 5545 3.3.11), and
 * the control characters TEXT does not allow removed.
 */
function text(value: string): string {
  return value
    .split(/\r\n|\r|\n/)
    .map((line) =>
      line
        .replace(/\p{Cc}/gu, '')
        .replace(/\\/g, '\\\\')
        .replace(/;/g, '\\;')
        .replace(/,/g, '\\,'),
    )
    .join('\\n');
}

const encoder = new TextEncoder();

/**
 * Folds a content line into pieces of at most 75 octets, each further piece starting with a
 * space (RFC 5545 3.1). Splits between characters, never inside one's UTF-8 bytes.
 */
function fold(line: string): string {
  const pieces: string[] = [];
  let piece = '';
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    // The first piece may have 75 octets; the others 74 after their leading space.
    if (octets + size > (pieces.length === 0 ? 75 : 74)) {
      pieces.push(piece);
      piece = '';
      octets = 0;
    }
    piece += char;
    octets += size;
  }
  pieces.push(piece);
  return pieces.join('\r\n ');
}
