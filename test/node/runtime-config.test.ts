/**
 * The deployment's config.json as the app and the box read it (parseRuntimeConfig and
 * parseStatement and parseBrand in signaling/runtime-config.ts), as table tests in node. Limits come from the
 * module's exported constants.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BRAND_LOGO_MAX,
  BRAND_MIN_CONTRAST,
  BRAND_NAME_MAX,
  MAX_SIGNALING_URLS,
  STATEMENT_LIMITATIONS_MAX,
  STATEMENT_TEXT_MAX,
  UPLOAD_KBPS_RANGE,
  contrastWithWhite,
  parseBrand,
  parseRuntimeConfig,
  parseStatement,
} from '../../signaling/runtime-config.js';

const BASE = 'https://meet.example.org/';
const BOXES = ['wss://a.example.org/ws', 'wss://b.example.org/ws'];
const STATEMENT = {
  organisation: 'Stadt Musterstadt',
  contact: 'barrierefreiheit@musterstadt.test',
  feedbackUrl: 'mailto:barrierefreiheit@musterstadt.test',
  date: '2024-02-29',
  method: 'third-party',
  status: 'none',
  limitations: { de: ['Videos ohne Untertitel'], fr: [] },
  enforcementBody: 'Défenseur des droits',
  enforcementUrl: 'https://defenseur.test/saisir',
};

test('an empty config gives the defaults, and each part is read on its own', () => {
  assert.deepEqual(parseRuntimeConfig({}, BASE), {});
  assert.deepEqual(parseRuntimeConfig({ signalingUrls: BOXES }, BASE), { signalingUrls: BOXES });
  assert.deepEqual(parseRuntimeConfig({ uploadKbps: 1200 }, BASE), { uploadKbps: 1200 });
  assert.deepEqual(parseRuntimeConfig({ accessibility: STATEMENT }, BASE), { accessibility: STATEMENT });
  assert.deepEqual(parseRuntimeConfig({ signalingUrls: BOXES, uploadKbps: 1200, accessibility: {} }, BASE), {
    signalingUrls: BOXES,
    uploadKbps: 1200,
    accessibility: {},
  });
});

test('anything but an object is malformed', () => {
  for (const bad of [null, undefined, [], [BOXES], 'x', 42, true]) assert.equal(parseRuntimeConfig(bad, BASE), null, JSON.stringify(bad));
});

test('box URLs are normalised WebSocket URLs, up to MAX_SIGNALING_URLS of them', () => {
  assert.deepEqual(parseRuntimeConfig({ signalingUrls: ['WSS://A.Example.org/ws', 'ws://127.0.0.1:8080'] }, BASE), {
    signalingUrls: ['wss://a.example.org/ws', 'ws://127.0.0.1:8080/'],
  });
  const most = Array.from({ length: MAX_SIGNALING_URLS }, (_, i) => `wss://box${i}.example.org/ws`);
  assert.deepEqual(parseRuntimeConfig({ signalingUrls: most }, BASE), { signalingUrls: most }, 'at the limit');
  assert.equal(parseRuntimeConfig({ signalingUrls: [...most, 'wss://one-more.example.org/ws'] }, BASE), null, 'one past it');
});

test('refuses what is not a list of WebSocket URLs', () => {
  const bad: [string, unknown][] = [
    ['an empty list', []],
    ['a single URL, not in a list', 'wss://a.example.org/ws'],
    ['an https URL', ['https://a.example.org/']],
    ["a relative path (it resolves to the page's https: origin)", ['/ws']],
    ['a number', [42]],
    ['null in the list', [BOXES[0], null]],
    ['no URL at all', ['not a url']],
    ['a javascript: URL', ['javascript:alert(1)']],
  ];
  for (const [what, signalingUrls] of bad) assert.equal(parseRuntimeConfig({ signalingUrls }, BASE), null, what);
});

test('an upload budget is read within its range, both ends included', () => {
  for (const uploadKbps of [UPLOAD_KBPS_RANGE.min, 1200, UPLOAD_KBPS_RANGE.max, 1500.5]) {
    assert.deepEqual(parseRuntimeConfig({ uploadKbps }, BASE), { uploadKbps }, String(uploadKbps));
  }
  for (const uploadKbps of [UPLOAD_KBPS_RANGE.min - 1, UPLOAD_KBPS_RANGE.max + 1, 0, -1, '1200', Number.NaN, Number.POSITIVE_INFINITY, null, [1200]]) {
    assert.equal(parseRuntimeConfig({ uploadKbps, signalingUrls: BOXES }, BASE), null, String(uploadKbps));
  }
});

test('a statement is read with its texts trimmed, and an empty one is a statement not yet completed', () => {
  assert.deepEqual(parseStatement({ ...STATEMENT, organisation: ' Stadt Musterstadt ', limitations: { en: ['  No captions '] } }), {
    ...STATEMENT,
    limitations: { en: ['No captions'] },
  });
  assert.deepEqual(parseStatement({}), {});
  for (const method of ['self', 'third-party']) assert.equal(parseStatement({ method })?.method, method);
  for (const status of ['full', 'partial', 'none']) assert.equal(parseStatement({ status })?.status, status);
  for (const feedbackUrl of ['https://x.test/f', 'http://x.test/f', 'mailto:a@b.test']) assert.equal(parseStatement({ feedbackUrl })?.feedbackUrl, feedbackUrl);
});

test('statement texts and lists are read exactly at their limits and refused one past them', () => {
  for (const key of ['organisation', 'contact', 'enforcementBody']) {
    assert.equal(parseStatement({ [key]: 'x'.repeat(STATEMENT_TEXT_MAX) })?.[key as 'contact'], 'x'.repeat(STATEMENT_TEXT_MAX), `${key} at the limit`);
    assert.equal(parseStatement({ [key]: 'x'.repeat(STATEMENT_TEXT_MAX + 1) }), null, `${key} one past it`);
  }
  const limitations = (n: number) => ({ limitations: { de: Array.from({ length: n }, (_, i) => `Grenze ${i}`) } });
  assert.equal(parseStatement(limitations(STATEMENT_LIMITATIONS_MAX))?.limitations?.de?.length, STATEMENT_LIMITATIONS_MAX);
  assert.equal(parseStatement(limitations(STATEMENT_LIMITATIONS_MAX + 1)), null);
  assert.ok(parseStatement({ limitations: { fr: ['x'.repeat(STATEMENT_TEXT_MAX)] } }), 'a limitation at the text limit');
  assert.equal(parseStatement({ limitations: { fr: ['x'.repeat(STATEMENT_TEXT_MAX + 1)] } }), null, 'one past it');
});

test('refuses a statement with an unknown field, a wrong type, an impossible date or a foreign URL scheme, and with it the whole config', () => {
  const bad: unknown[] = [
    'x',
    [],
    null,
    { contactt: 'a@b.test' },
    { contact: '' },
    { contact: '   ' },
    { contact: 42 },
    { feedbackUrl: 'javascript:alert(1)' },
    { feedbackUrl: '/relative' },
    { feedbackUrl: '' },
    { enforcementUrl: 'mailto:a@b.test' },
    { enforcementUrl: 'ftp://x.test/' },
    { date: '2025-02-29' },
    { date: '2025-02-30' },
    { date: '2025-13-01' },
    { date: '30.06.2025' },
    { date: '2025-6-30' },
    { date: '2025-06-30T00:00:00Z' },
    { date: 20250630 },
    { method: 'audit' },
    { status: 'mostly' },
    { status: 'FULL' },
    { limitations: ['not per language'] },
    { limitations: { it: ['x'] } },
    { limitations: { de: 'x' } },
    { limitations: { de: [''] } },
    { limitations: { de: [1] } },
  ];
  for (const accessibility of bad) {
    assert.equal(parseStatement(accessibility), null, JSON.stringify(accessibility));
    assert.equal(parseRuntimeConfig({ accessibility, signalingUrls: BOXES }, BASE), null, `config with ${JSON.stringify(accessibility)}`);
  }
});

/** Parses `{ brand, signalingUrls }` and collects the warnings. */
function withBrand(brand: unknown) {
  const warnings: string[] = [];
  const config = parseRuntimeConfig({ brand, signalingUrls: BOXES }, BASE, (m) => warnings.push(m));
  return { config, warnings };
}

test('a brand is read with its name trimmed and its colour in lower case, without a warning', () => {
  const { config, warnings } = withBrand({ name: '  Stadt Musterstadt ', logo: 'brand/logo.svg', colour: '#7A1F5C' });
  assert.deepEqual(config, { signalingUrls: BOXES, brand: { name: 'Stadt Musterstadt', logo: 'brand/logo.svg', colour: '#7a1f5c' } });
  assert.deepEqual(warnings, []);
  assert.deepEqual(parseBrand({ name: 'Mairie de Villeneuve' }), { name: 'Mairie de Villeneuve' }, 'each field is optional');
  assert.deepEqual(parseRuntimeConfig({}, BASE), {}, 'no brand, no brand field');
});

test('drops each invalid brand field alone, names it in a warning, and keeps the rest of the config', () => {
  const good = { name: 'Stadt Musterstadt', logo: 'logo.png', colour: '#0b5cad' };
  const bad: [keyof typeof good, unknown][] = [
    ['name', ''],
    ['name', '   '],
    ['name', 42],
    ['name', 'x'.repeat(BRAND_NAME_MAX + 1)],
    ['name', 'Stadt\u0007Musterstadt'],
    ['name', 'Stadt\nMusterstadt'],
    ['name', 'Stadt \u202eMusterstadt'],
    ['logo', 'https://cdn.example/logo.svg'],
    ['logo', '//cdn.example/logo.svg'],
    ['logo', 'brand//logo.svg'],
    ['logo', '/logo.svg'],
    ['logo', '../logo.svg'],
    ['logo', 'brand/../../logo.svg'],
    ['logo', 'brand\\logo.svg'],
    ['logo', '\\\\cdn.example\\logo.svg'],
    ['logo', '%2e%2e/logo.svg'],
    ['logo', 'javascript:alert(1)//.svg'],
    ['logo', 'data:image/svg+xml,<svg/>.svg'],
    ['logo', 'logo.svg?v=2'],
    ['logo', 'logo.gif'],
    ['logo', 'logo'],
    ['logo', `${'a'.repeat(BRAND_LOGO_MAX)}.svg`],
    ['logo', ['logo.svg']],
    ['colour', '#ffff00'],
    ['colour', '#777777'],
    ['colour', '#fff'],
    ['colour', 'navy'],
    ['colour', '#0b5cad80'],
    ['colour', 'rgb(11, 92, 173)'],
    ['colour', 0x0b5cad],
  ];
  for (const [field, value] of bad) {
    const what = `${field}: ${JSON.stringify(value)}`;
    const { config, warnings } = withBrand({ ...good, [field]: value });
    const rest = Object.fromEntries(Object.entries(good).filter(([k]) => k !== field));
    assert.deepEqual(config, { signalingUrls: BOXES, brand: rest }, what);
    assert.equal(warnings.length, 1, what);
    assert.match(warnings[0], new RegExp(`"brand\\.${field}"`), what);
  }
});

test('brand limits: a name of BRAND_NAME_MAX characters and a colour at 4.5:1 with white are read', () => {
  assert.equal(parseBrand({ name: 'ä'.repeat(BRAND_NAME_MAX) })?.name, 'ä'.repeat(BRAND_NAME_MAX));
  assert.equal(parseBrand({ name: '🏛'.repeat(BRAND_NAME_MAX) })?.name?.length, BRAND_NAME_MAX * 2, 'characters, not UTF-16 units');
  assert.equal(parseBrand({ logo: `${'a'.repeat(BRAND_LOGO_MAX - 4)}.svg` })?.logo?.length, BRAND_LOGO_MAX);
  for (const logo of ['logo.svg', 'brand/logo.PNG', 'a/b-c/d_e.webp', 'brand/logo.v2.svg']) assert.deepEqual(parseBrand({ logo }), { logo }, logo);
  // #767676 is the lightest grey with 4.5:1 on white; #777777 just misses it.
  assert.ok(contrastWithWhite('#767676') >= BRAND_MIN_CONTRAST && contrastWithWhite('#777777') < BRAND_MIN_CONTRAST);
  assert.deepEqual(parseBrand({ colour: '#767676' }), { colour: '#767676' });
  assert.equal(contrastWithWhite('#ffffff'), 1);
  assert.equal(Math.round(contrastWithWhite('#000000')), 21);
});

test('a brand that is not an object, or has an unknown field, is warned about and the config still counts', () => {
  for (const brand of ['Stadt Musterstadt', [], null, 42]) {
    const { config, warnings } = withBrand(brand);
    assert.deepEqual(config, { signalingUrls: BOXES }, JSON.stringify(brand));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /"brand"/);
  }
  const { config, warnings } = withBrand({ name: 'Stadt Musterstadt', color: '#0b5cad' });
  assert.deepEqual(config, { signalingUrls: BOXES, brand: { name: 'Stadt Musterstadt' } });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /"brand\.color"/);
  assert.deepEqual(withBrand({ colour: '#ffff00' }).config, { signalingUrls: BOXES }, 'nothing usable left: no brand');
});

test('a malformed strict part still makes the whole config count for nothing, brand included', () => {
  assert.equal(parseRuntimeConfig({ brand: { name: 'Stadt Musterstadt' }, uploadKbps: 1 }, BASE), null);
});
