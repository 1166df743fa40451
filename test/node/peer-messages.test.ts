/**
 * What peers say over their data channel (parsePeerMessage in client/core/peer-messages.ts), as
 * table tests: for every message type one valid example, then each field in turn missing, of
 * every wrong JSON type, out of range or too long, and at its limits (exactly at, one past).
 * The limits come from the module's exported constants, never from copies.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIRST_FILE_CHANNEL, LAST_FILE_CHANNEL } from '../../client/core/file-channel.js';
import {
  MAX_CHAT_CHARS,
  MAX_FILE_NAME_CHARS,
  MAX_HISTORY,
  MAX_MIME_CHARS,
  MAX_NAME_CHARS,
  MAX_PEER_MESSAGE_CHARS,
  MAX_RECEIVED_NAME_CHARS,
  MAX_SCREEN_ID_CHARS,
  MAX_VIEW_PX,
  MESSAGE_ID_CHARS,
  OFFER_CHANNEL_IDS,
  PEER_PROTOCOL_VERSION,
  REACTIONS,
  encodePeerMessage,
  parsePeerMessage,
  randomMessageId,
  type PeerMessage,
} from '../../client/core/peer-messages.js';
import { MAX_STATEMENT_CHARS } from '../../client/core/statements.js';
import { newPeerId } from './helpers.js';

/** A value written into the JSON text as it is (JSON.stringify cannot write 1e400 or 2^53 + 1). */
class Raw {
  constructor(readonly json: string) {}
}
type Fields = Record<string, unknown>;

/** The text of `{v, ...fields}`, with Raw values spliced in. */
function wire(fields: Fields, v: unknown = PEER_PROTOCOL_VERSION): string {
  const raws: string[] = [];
  const text = JSON.stringify({ v, ...fields }, (_key, value: unknown) => (value instanceof Raw ? `@@raw${raws.push(value.json) - 1}@@` : value));
  return text.replace(/"@@raw(\d+)@@"/g, (_m, i: string) => raws[Number(i)]);
}

const ID = randomMessageId();
const PEER = newPeerId();
const SHA = 'ab'.repeat(32);
const id = (length: number) => 'i'.repeat(length);
const entry = (over: Fields = {}): Fields => ({ id: randomMessageId(), from: newPeerId(), name: 'Ada', text: 'hi', at: 1_700_000_000_000, ...over });

/**
 * One field's rules. `valid`: accepted values, with what the parser makes of them when that
 * differs; `invalid`: refused values of the right JSON type (wrong types are tried for every
 * field anyway); `nullable`: null is a valid value.
 */
interface FieldRules {
  valid?: [what: string, value: unknown, parsed?: unknown][];
  invalid?: [what: string, value: unknown][];
  nullable?: boolean;
}
interface MessageCase {
  /** A valid message, without `v`. */
  example: Fields;
  /** What the parser returns for the example, when it is not the example itself. */
  parsed?: Fields;
  /** Every field of the example but `type`. */
  fields: Record<string, FieldRules>;
}

const ID_RULES: FieldRules = {
  valid: [
    ['at the shortest', id(MESSAGE_ID_CHARS.min)],
    ['at the longest', id(MESSAGE_ID_CHARS.max)],
    ['every base64url character', 'azAZ09-_'],
  ],
  invalid: [
    ['one too short', id(MESSAGE_ID_CHARS.min - 1)],
    ['one too long', id(MESSAGE_ID_CHARS.max + 1)],
    ['empty', ''],
    ['standard base64', 'abc+/def'],
    ['padded', 'abcdefgh=='],
    ['a blank', 'abcd efgh'],
    ['non-ASCII', 'abcdéfgh'],
  ],
};
const TIME_RULES: FieldRules = {
  valid: [
    ['0', 0],
    ['a fraction', 1.5],
    ['the largest safe integer', Number.MAX_SAFE_INTEGER],
  ],
  invalid: [
    ['negative', -1],
    ['just below 0', -0.001],
    ['infinite', new Raw('1e400')],
  ],
};
/** The shape of a signed statement (whether a host signed it is statements.test.ts's business). */
const SIGNED = { st: '{"kind":"state"}', key: `${'K'.repeat(42)}A`, sig: `${'S'.repeat(85)}w` };
const VIEW_SIDE_RULES: FieldRules = {
  valid: [
    ['0', 0],
    ['at the limit', MAX_VIEW_PX],
    ['a fraction, rounded down', 100.4, 100],
    ['a fraction, rounded up', 100.6, 101],
  ],
  invalid: [
    ['one past the limit', MAX_VIEW_PX + 1],
    ['negative', -1],
    ['infinite', new Raw('1e400')],
  ],
};
const onlyIdCase = (type: string): MessageCase => ({ example: { type, id: ID }, fields: { id: ID_RULES } });
const booleanCase = (type: string, field: string): MessageCase => ({ example: { type, [field]: true }, fields: { [field]: {} } });

const CASES: Record<PeerMessage['type'], MessageCase> = {
  state: {
    // `recording` is optional (older clients send none): its own test below.
    example: { type: 'state', name: 'Ada', audio: true, video: false, hand: 3, screen: 'screen-stream' },
    parsed: { type: 'state', name: 'Ada', audio: true, video: false, hand: 3, screen: 'screen-stream', recording: false },
    fields: {
      name: {
        valid: [
          ['at the limit', 'n'.repeat(MAX_NAME_CHARS)],
          ['one past the limit, trimmed', 'n'.repeat(MAX_NAME_CHARS + 1), 'n'.repeat(MAX_NAME_CHARS)],
          ['very long, trimmed', 'n'.repeat(10 * MAX_NAME_CHARS), 'n'.repeat(MAX_NAME_CHARS)],
          ['control and bidi characters, removed', 'A\u0000d\u202ea\u2066', 'Ada'],
          ['runs of blanks, collapsed', '  Ada \t\n Lovelace ', 'Ada Lovelace'],
          ['empty', ''],
        ],
      },
      audio: {},
      video: {},
      hand: {
        nullable: true,
        valid: [
          ['the first', 1],
          ['the largest safe integer', Number.MAX_SAFE_INTEGER],
        ],
        invalid: [
          ['0', 0],
          ['negative', -1],
          ['a fraction', 1.5],
          ['past safe integers', new Raw('9007199254740993')],
        ],
      },
      screen: {
        nullable: true,
        valid: [
          ['at the limit', 's'.repeat(MAX_SCREEN_ID_CHARS)],
          ['empty', ''],
        ],
        invalid: [['one past the limit', 's'.repeat(MAX_SCREEN_ID_CHARS + 1)]],
      },
    },
  },
  chat: {
    example: { type: 'chat', id: ID, text: 'Hello, everyone', at: 1_700_000_000_000 },
    fields: {
      id: ID_RULES,
      text: {
        valid: [
          ['at the limit', 'x'.repeat(MAX_CHAT_CHARS)],
          ['with surrounding blanks, trimmed', '  hi  ', 'hi'],
          ['with newlines and tabs, kept', 'one\n\ttwo', 'one\n\ttwo'],
          ['with control characters, removed', 'bell\u0007 and \u202eoverride', 'bell and override'],
        ],
        invalid: [
          ['one past the limit', 'x'.repeat(MAX_CHAT_CHARS + 1)],
          ['empty', ''],
          ['blanks only', ' \n\t '],
          ['control characters only', '\u0000\u202e'],
        ],
      },
      at: TIME_RULES,
    },
  },
  history: {
    example: { type: 'history', messages: [entry({ id: ID, from: PEER })] },
    fields: {
      messages: {
        valid: [
          ['empty', []],
          ['at the limit', Array.from({ length: MAX_HISTORY }, () => entry())],
        ],
        invalid: [
          ['one past the limit', Array.from({ length: MAX_HISTORY + 1 }, () => entry())],
          ['a null entry', [null]],
          ['a string entry', ['hi']],
          ['a list entry', [[ID, PEER, 'Ada', 'hi', 0]]],
          ['a valid entry followed by an invalid one', [entry(), entry({ from: 'nobody' })]],
        ],
      },
    },
  },
  reaction: {
    example: { type: 'reaction', emoji: REACTIONS[0] },
    fields: {
      emoji: {
        valid: REACTIONS.map((e): [string, unknown] => [`${e}`, e]),
        invalid: [
          ['another emoji', '👎'],
          ['empty', ''],
          ['two of them', `${REACTIONS[0]}${REACTIONS[0]}`],
          ['with a blank', ` ${REACTIONS[0]}`],
          ['a heart without its variation selector', '❤'],
          ['text', 'thumbs up'],
        ],
      },
    },
  },
  'file-offer': {
    example: { type: 'file-offer', id: ID, name: 'minutes.pdf', size: 123_456, mime: 'application/pdf', channel: 4 },
    fields: {
      id: ID_RULES,
      name: {
        valid: [
          ['at the limit', 'f'.repeat(MAX_FILE_NAME_CHARS)],
          ['one past the limit, trimmed', 'f'.repeat(MAX_FILE_NAME_CHARS + 1), 'f'.repeat(MAX_FILE_NAME_CHARS)],
          ['a path, flattened', '../../etc/passwd', '.._.._etc_passwd'],
          ['a Windows path, flattened', 'C:\\Users\\x.txt', 'C:_Users_x.txt'],
          ['a bidi override hiding the extension, removed', 'invoice\u202efdp.exe', 'invoicefdp.exe'],
          ['empty, named "file"', '', 'file'],
          ['"..", named "file"', '..', 'file'],
          ['".", named "file"', '.', 'file'],
        ],
      },
      size: {
        valid: [
          ['0', 0],
          ['the largest safe integer', Number.MAX_SAFE_INTEGER],
        ],
        invalid: [
          ['negative', -1],
          ['a fraction', 1.5],
          ['past safe integers', new Raw('9007199254740993')],
          ['infinite', new Raw('1e400')],
        ],
      },
      mime: {
        valid: [
          ['empty', ''],
          ['at the limit', 'm'.repeat(MAX_MIME_CHARS)],
        ],
        invalid: [['one past the limit', 'm'.repeat(MAX_MIME_CHARS + 1)]],
      },
      channel: {
        valid: [
          ['the lowest', OFFER_CHANNEL_IDS.min],
          ['the highest', OFFER_CHANNEL_IDS.max],
        ],
        invalid: [
          ['one below', OFFER_CHANNEL_IDS.min - 1],
          ['one above', OFFER_CHANNEL_IDS.max + 1],
          ['a fraction', 2.5],
          ['negative', -2],
        ],
      },
    },
  },
  view: {
    // `role` is optional (older clients send none): its own test below.
    example: { type: 'view', width: 640, height: 360 },
    parsed: { type: 'view', width: 640, height: 360, role: 'large' },
    fields: { width: VIEW_SIDE_RULES, height: VIEW_SIDE_RULES },
  },
  'video-paused': booleanCase('video-paused', 'paused'),
  host: {
    example: { type: 'host', st: SIGNED },
    fields: {
      st: {
        valid: [['a statement at the length limit', { ...SIGNED, st: 'x'.repeat(MAX_STATEMENT_CHARS) }]],
        invalid: [
          ['a statement past the length limit', { ...SIGNED, st: 'x'.repeat(MAX_STATEMENT_CHARS + 1) }],
          ['a statement that is not text', { ...SIGNED, st: { kind: 'state' } }],
          ['a key one character short', { ...SIGNED, key: SIGNED.key.slice(1) }],
          ['a key not in base64url', { ...SIGNED, key: `${SIGNED.key.slice(1)}+` }],
          ['a signature one character long', { ...SIGNED, sig: `${SIGNED.sig}A` }],
          ['a signature spelled with spare bits set (not canonical)', { ...SIGNED, sig: `${SIGNED.sig.slice(0, -1)}x` }],
          ['no signature', { st: SIGNED.st, key: SIGNED.key }],
          ['text instead of an object', 'signed'],
        ],
      },
    },
  },
  'file-accept': onlyIdCase('file-accept'),
  'file-decline': onlyIdCase('file-decline'),
  'file-cancel': onlyIdCase('file-cancel'),
  'file-done': {
    example: { type: 'file-done', id: ID, sha256: SHA },
    fields: {
      id: ID_RULES,
      sha256: {
        valid: [['all hex digits', '0123456789abcdef'.repeat(4)]],
        invalid: [
          ['upper case', SHA.toUpperCase()],
          ['one digit short', SHA.slice(1)],
          ['one digit long', `${SHA}a`],
          ['not hex', `${SHA.slice(1)}g`],
          ['empty', ''],
        ],
      },
    },
  },
  'file-result': {
    example: { type: 'file-result', id: ID, ok: true },
    fields: { id: ID_RULES, ok: {} },
  },
};

const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
/** One value of every JSON type, and the valid value's text (a parser must not coerce it). */
function wrongTypes(valid: unknown, nullable: boolean): unknown[] {
  const all: unknown[] = [null, true, 1, 'x', [], {}];
  const wrong = all.filter((w) => kind(w) !== kind(valid) && !(nullable && w === null));
  if (typeof valid === 'number' || typeof valid === 'boolean') wrong.push(String(valid));
  return wrong;
}

const parse = (fields: Fields) => parsePeerMessage(wire(fields));

for (const [type, c] of Object.entries(CASES)) {
  const expected = c.parsed ?? c.example;
  const fieldNames = Object.keys(c.example).filter((f) => f !== 'type');

  test(`${type}: the valid example is read as it was sent`, () => {
    assert.deepEqual(Object.keys(c.fields).sort(), [...fieldNames].sort(), 'the table has rules for every field');
    assert.deepEqual(parse(c.example), expected);
    assert.deepEqual(parsePeerMessage(encodePeerMessage(expected as unknown as PeerMessage)), expected, 'encodePeerMessage writes what the parser reads');
  });

  test(`${type}: each field missing, or of any other JSON type, is refused`, () => {
    for (const field of fieldNames) {
      const { [field]: _dropped, ...without } = c.example;
      assert.equal(parse(without), null, `${field} missing`);
      for (const wrong of wrongTypes(c.example[field], c.fields[field].nullable ?? false)) {
        assert.equal(parse({ ...c.example, [field]: wrong }), null, `${field}: ${JSON.stringify(wrong)}`);
      }
    }
  });

  const invalid = fieldNames.flatMap((f) => (c.fields[f].invalid ?? []).map(([what, value]) => [f, what, value] as const));
  if (invalid.length > 0) {
    test(`${type}: values out of range, too long or malformed are refused`, () => {
      for (const [field, what, value] of invalid) assert.equal(parse({ ...c.example, [field]: value }), null, `${field} ${what}`);
    });
  }

  const valid = fieldNames.flatMap((f) => [
    ...(c.fields[f].valid ?? []).map(([what, value, parsed]) => [f, what, value, parsed === undefined ? value : parsed] as const),
    ...(c.fields[f].nullable ? [[f, 'null', null, null] as const] : []),
  ]);
  if (valid.length > 0) {
    test(`${type}: values at the limits are accepted, cleaned where the protocol says so`, () => {
      for (const [field, what, value, parsed] of valid) {
        assert.deepEqual(parse({ ...c.example, [field]: value }), { ...expected, [field]: parsed }, `${field} ${what}`);
      }
    });
  }
}

test('a view says its role: thumbnail or large; absent or unknown (a later version) counts as large, a role that is no text is refused', () => {
  const view = { type: 'view', width: 426, height: 240 };
  assert.deepEqual(parse({ ...view, role: 'thumbnail' }), { ...view, role: 'thumbnail' });
  assert.deepEqual(parse({ ...view, role: 'large' }), { ...view, role: 'large' });
  assert.deepEqual(parse(view), { ...view, role: 'large' });
  assert.deepEqual(parse({ ...view, role: 'filmstrip' }), { ...view, role: 'large' });
  for (const wrong of [null, true, 1, [], {}]) assert.equal(parse({ ...view, role: wrong }), null, JSON.stringify(wrong));
});

test('a state says whether its sender records: absent counts as not recording, anything but a boolean is refused', () => {
  const state = { type: 'state', name: 'Ada', audio: true, video: true, hand: null, screen: null };
  assert.deepEqual(parse({ ...state, recording: true }), { ...state, recording: true });
  assert.deepEqual(parse({ ...state, recording: false }), { ...state, recording: false });
  assert.deepEqual(parse(state), { ...state, recording: false });
  for (const wrong of [null, 'yes', 1, [], {}]) assert.equal(parse({ ...state, recording: wrong }), null, JSON.stringify(wrong));
});

test('a history entry with any field missing, mistyped or out of range spoils the whole history', () => {
  const good = entry();
  const bad: [string, unknown][] = [
    ...Object.keys(good).map((f): [string, unknown] => {
      const { [f]: _dropped, ...without } = good;
      return [`${f} missing`, without];
    }),
    ['an id one too short', entry({ id: id(MESSAGE_ID_CHARS.min - 1) })],
    ['an id one too long', entry({ id: id(MESSAGE_ID_CHARS.max + 1) })],
    ['a sender that is no peer id', entry({ from: PEER.slice(1) })],
    ['a name one past the received limit', entry({ name: 'n'.repeat(MAX_RECEIVED_NAME_CHARS + 1) })],
    ['a name that is a number', entry({ name: 1 })],
    ['a text one past the limit', entry({ text: 'x'.repeat(MAX_CHAT_CHARS + 1) })],
    ['a text that is null', entry({ text: null })],
    ['a negative time', entry({ at: -1 })],
    ['a time as a string', entry({ at: '1700000000000' })],
  ];
  for (const [what, e] of bad) assert.equal(parse({ type: 'history', messages: [good, e] }), null, what);
});

test('a history entry is cleaned like a live one: names trimmed from the received limit, control characters removed', () => {
  const e = entry({ name: ` ${'n'.repeat(MAX_RECEIVED_NAME_CHARS - 1)}`, text: ' hi\u0000 there ' });
  const parsed = parse({ type: 'history', messages: [e] });
  assert.ok(parsed?.type === 'history');
  assert.deepEqual(parsed.messages, [{ ...e, name: 'n'.repeat(MAX_NAME_CHARS), text: 'hi there' }]);
});

test('a file offer may name every channel a sender picks (file-channel.ts), and file-transfer.ts checks the rest', () => {
  assert.ok(OFFER_CHANNEL_IDS.min <= FIRST_FILE_CHANNEL && LAST_FILE_CHANNEL <= OFFER_CHANNEL_IDS.max);
  for (const channel of [FIRST_FILE_CHANNEL, FIRST_FILE_CHANNEL + 1, LAST_FILE_CHANNEL - 1, LAST_FILE_CHANNEL]) {
    assert.equal(parse({ ...CASES['file-offer'].example, channel })?.type, 'file-offer', `channel ${channel}`);
  }
});

test('randomMessageId makes ids the parser accepts, all different', () => {
  const ids = Array.from({ length: 200 }, randomMessageId);
  assert.equal(new Set(ids).size, ids.length);
  for (const i of ids) assert.deepEqual(parse({ type: 'file-accept', id: i }), { type: 'file-accept', id: i });
});

test('a message is built afresh: fields the protocol does not know are dropped', () => {
  const text = wire({ ...CASES.state.example, admin: true, constructor: 'x' }).replace('{', '{"__proto__":{"polluted":true},');
  assert.ok(Object.hasOwn(JSON.parse(text), '__proto__'), 'the text really has its own __proto__ key');
  const parsed = parsePeerMessage(text);
  assert.deepEqual(parsed, CASES.state.parsed);
  assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
  assert.equal(({} as { polluted?: boolean }).polluted, undefined);
});

test('another protocol version, or none, is refused', () => {
  for (const v of [undefined, null, 0, PEER_PROTOCOL_VERSION + 1, String(PEER_PROTOCOL_VERSION), [PEER_PROTOCOL_VERSION]]) {
    const text = v === undefined ? JSON.stringify(CASES['video-paused'].example) : wire(CASES['video-paused'].example, v);
    assert.equal(parsePeerMessage(text), null, `v ${JSON.stringify(v)}`);
  }
});

test('an unknown type is refused, also one named like a property every object has', () => {
  for (const type of [
    'nope',
    '',
    'STATE',
    'state ',
    'toString',
    '__proto__',
    'constructor',
    'hasOwnProperty',
    'valueOf',
    1,
    null,
    ['state'],
    { state: true },
  ]) {
    assert.equal(parse({ ...CASES.state.example, type }), null, JSON.stringify(type));
  }
  assert.equal(parsePeerMessage(JSON.stringify({ v: PEER_PROTOCOL_VERSION, locked: true })), null, 'no type');
});

test('text that is not JSON, or JSON that is not an object, is refused without throwing', () => {
  const texts = [
    '',
    ' ',
    'not json',
    '{',
    '{"v":1,',
    "{'v':1,'type':'lock','locked':true}",
    'undefined',
    'NaN',
    'null',
    '1',
    '"lock"',
    'true',
    '[]',
    `[${wire(CASES['video-paused'].example)}]`,
  ];
  for (const text of texts) assert.equal(parsePeerMessage(text), null, JSON.stringify(text));
});

test('deeply nested JSON within the size limit is refused without throwing', () => {
  const depth = Math.floor(MAX_PEER_MESSAGE_CHARS / 2) - 100;
  assert.equal(parsePeerMessage(`${'['.repeat(depth)}${']'.repeat(depth)}`), null);
  const nested = wire({ ...CASES.state.example, screen: new Raw(`${'['.repeat(depth - 100)}${']'.repeat(depth - 100)}`) });
  assert.ok(nested.length <= MAX_PEER_MESSAGE_CHARS);
  assert.equal(parsePeerMessage(nested), null);
});

test('a message of exactly MAX_PEER_MESSAGE_CHARS is read, one more character and it is refused', () => {
  const text = wire(CASES.chat.example);
  const atLimit = text + ' '.repeat(MAX_PEER_MESSAGE_CHARS - text.length);
  assert.equal(atLimit.length, MAX_PEER_MESSAGE_CHARS);
  assert.deepEqual(parsePeerMessage(atLimit), CASES.chat.example);
  assert.equal(parsePeerMessage(`${atLimit} `), null);
  assert.equal(parsePeerMessage(`${atLimit}x`.repeat(4)), null, 'far past the limit');
});

test('lengths count UTF-16 code units: a character outside the BMP counts twice', () => {
  const emoji = '😀';
  assert.equal(emoji.length, 2);
  const history = (name: string) => parse({ type: 'history', messages: [entry({ name })] });
  assert.equal(history(emoji.repeat(MAX_RECEIVED_NAME_CHARS / 2))?.type, 'history', 'a name of emoji exactly at the limit');
  assert.equal(history(`${emoji.repeat(MAX_RECEIVED_NAME_CHARS / 2)}x`), null, 'one unit past it');
  const text = wire({ type: 'history', messages: Array.from({ length: 20 }, () => entry({ text: emoji.repeat(MAX_CHAT_CHARS / 2 - 500) })) });
  const atLimit = text + ' '.repeat(MAX_PEER_MESSAGE_CHARS - text.length);
  assert.ok([...atLimit].length < MAX_PEER_MESSAGE_CHARS * 0.6, 'far fewer characters than code units');
  assert.equal(parsePeerMessage(atLimit)?.type, 'history', 'at the limit in code units');
  assert.equal(parsePeerMessage(`${atLimit} `), null, 'one code unit past it');
});
