/**
 * The calendar file (RFC 5545) and the invitation text: each file is parsed back by ical.js (the
 * iCalendar library Thunderbird uses), not by our own reading of it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ICAL from 'ical.js';
import { calendarFile, type CalendarEvent } from '../../client/core/calendar.js';
import { loadCatalog } from '../../client/i18n/index.js';
import { invitationCalendar, invitationText, type Invitation } from '../../client/ui/invitation.js';

const LINK = 'https://meet.example.gov/runde/?lang=de#Zx9-abcdefghijklmnopqrstu';

function parse(file: string) {
  const calendar = new ICAL.Component(ICAL.parse(file));
  const vevent = calendar.getFirstSubcomponent('vevent');
  assert.ok(vevent, 'one event');
  return { calendar, vevent, event: new ICAL.Event(vevent) };
}

const event = (over: Partial<CalendarEvent> = {}): CalendarEvent => ({
  uid: 'a1b2c3',
  made: new Date('2026-12-07T08:00:00Z'),
  start: new Date('2026-12-08T09:30:00Z'),
  minutes: 45,
  summary: 'Bauausschuss; Sitzung, öffentlich\\Teil 1',
  description: `Zeile eins, mit Komma; und Semikolon\nZeile zwei: ${LINK}`,
  url: LINK,
  ...over,
});

test('a calendar file parses back with the same start, end, title, description and link', () => {
  const file = calendarFile(event());
  const { calendar, vevent, event: parsed } = parse(file);
  assert.equal(calendar.getFirstPropertyValue('version'), '2.0');
  assert.match(String(calendar.getFirstPropertyValue('prodid')), /Runde/);
  assert.equal(parsed.uid, 'a1b2c3');
  assert.equal(parsed.startDate.toJSDate().toISOString(), '2026-12-08T09:30:00.000Z');
  assert.equal(parsed.endDate.toJSDate().toISOString(), '2026-12-08T10:15:00.000Z');
  assert.equal(parsed.summary, 'Bauausschuss; Sitzung, öffentlich\\Teil 1');
  assert.equal(parsed.description, `Zeile eins, mit Komma; und Semikolon\nZeile zwei: ${LINK}`);
  assert.equal(String(vevent.getFirstPropertyValue('url')), LINK);
  assert.equal(vevent.getFirstPropertyValue('dtstamp')?.toString(), '2026-12-07T08:00:00Z');
  // Nothing about anyone: no organizer, attendees, alarms or vendor fields.
  assert.deepEqual(
    vevent
      .getAllProperties()
      .map((p) => p.name)
      .sort(),
    ['description', 'dtend', 'dtstamp', 'dtstart', 'summary', 'transp', 'uid', 'url'],
  );
  assert.deepEqual(vevent.getAllSubcomponents(), []);
});

test('lines end in CRLF and fold at 75 octets without splitting a character', () => {
  const summary = `Überprüfung der Straßenbeleuchtung 🚦 ${'Ä'.repeat(80)}`;
  const file = calendarFile(event({ summary, description: 'x'.repeat(300) }));
  assert.ok(file.endsWith('\r\n'));
  assert.equal(file.replace(/\r\n/g, '').includes('\n'), false, 'no bare LF');
  const lines = file.split('\r\n').slice(0, -1);
  for (const line of lines) assert.ok(Buffer.byteLength(line, 'utf8') <= 75, `${Buffer.byteLength(line, 'utf8')} octets: ${line}`);
  assert.ok(
    lines.some((l) => l.startsWith(' ')),
    'long lines are folded',
  );
  assert.equal(parse(file).event.summary, summary);
});

test('a title cannot add properties: line breaks stay inside the value, other control characters go', () => {
  const summary = 'Planning\r\nATTENDEE:mailto:eve@example.org\nX-INJECTED:1\u000b\u0000end';
  const file = calendarFile(event({ summary }));
  assert.doesNotMatch(file, /\r\n(ATTENDEE|X-INJECTED)/);
  const { vevent, event: parsed } = parse(file);
  assert.equal(parsed.summary, 'Planning\nATTENDEE:mailto:eve@example.org\nX-INJECTED:1end');
  assert.deepEqual(vevent.getAllProperties('attendee'), []);
  assert.equal(vevent.getFirstProperty('x-injected'), null);
});

test('a calendar event needs a start and a positive duration', () => {
  assert.throws(() => calendarFile(event({ minutes: 0 })), RangeError);
  assert.throws(() => calendarFile(event({ start: new Date('not a date') })), RangeError);
});

test('the invitation is written in its own language and its calendar file carries the same words and the link', async () => {
  const invitation: Invitation = { link: LINK, title: '', start: new Date('2026-12-08T09:30:00Z'), minutes: 60 };
  const texts = new Map<string, string>();
  for (const lang of ['en', 'de', 'fr'] as const) {
    const catalog = await loadCatalog(lang);
    const text = invitationText(invitation, catalog, lang);
    texts.set(lang, text);
    assert.ok(text.includes(LINK), `${lang}: the link`);
    assert.ok(text.includes(catalog['invitation.defaultTitle']), `${lang}: the default title`);
    assert.ok(text.includes(catalog['lobby.join']), `${lang}: the Join button's name`);
    const file = invitationCalendar(invitation, catalog, lang, `uid-${lang}`, new Date('2026-12-07T08:00:00Z'));
    assert.ok(file);
    const { vevent, event: parsed } = parse(file);
    assert.equal(parsed.description, text);
    assert.equal(parsed.summary, catalog['invitation.defaultTitle']);
    assert.equal(String(vevent.getFirstPropertyValue('url')), LINK);
    assert.equal(parsed.duration.toSeconds(), 3600);
    assert.equal(parsed.uid, `uid-${lang}`);
  }
  assert.match(texts.get('de')!, /^Sie sind zu einer Videobesprechung eingeladen/);
  assert.match(texts.get('fr')!, /^Vous êtes invité\(e\) à une réunion vidéo/);
  assert.match(texts.get('en')!, /^You are invited to a video meeting/);
  // The date in the language's own words.
  assert.match(texts.get('de')!, /Dezember 2026/);
  assert.match(texts.get('fr')!, /décembre 2026/);
});

test('without a start the invitation has no date and no calendar file; a title of the inviter is kept', async () => {
  const catalog = await loadCatalog('en');
  const invitation: Invitation = { link: LINK, title: '  Weekly planning ', start: null, minutes: 30 };
  const text = invitationText(invitation, catalog, 'en');
  assert.match(text, /^You are invited to a video meeting: Weekly planning\n\n/);
  assert.equal(invitationCalendar(invitation, catalog, 'en', 'uid'), null);
});
