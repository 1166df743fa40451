/**
 * The protocol documents and the validators in code cannot drift apart: every message type a
 * validator accepts is documented and every documented type is accepted, and every example in the
 * documents passes its validator (signaling/PROTOCOL.md, signaling/PEERS.md).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ADMISSION_SIGNAL_KINDS, parseAdmissionSignal } from '../../client/core/admission-control.js';
import { asLinkSignal } from '../../client/core/mesh.js';
import { PEER_MESSAGE_TYPES, parsePeerMessage } from '../../client/core/peer-messages.js';
import { CLIENT_MESSAGE_TYPES, SERVER_MESSAGE_TYPES, parseClientMessage, parseServerMessage } from '../../signaling/protocol.js';

const PROTOCOL = readFileSync(new URL('../../signaling/PROTOCOL.md', import.meta.url), 'utf8');
const PEERS = readFileSync(new URL('../../signaling/PEERS.md', import.meta.url), 'utf8');

/** The text of a document between a heading and the next heading of the same or a higher level. */
function section(doc: string, heading: string): string {
  const start = doc.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `heading "${heading}" exists`);
  const level = heading.split(' ')[0]!;
  const rest = doc.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`\\n#{1,${level.length}} `));
  return next < 0 ? rest : rest.slice(0, next);
}

/** The code blocks fenced as ```json <tag>. */
function examples(doc: string, tag: string): string[] {
  const fence = new RegExp(`\`\`\`json ${tag}\\n([\\s\\S]*?)\\n\`\`\``, 'g');
  return [...doc.matchAll(fence)].map((m) => m[1]!);
}

/** The first column of a markdown table's rows: `type` in backticks. */
function tableTypes(text: string): string[] {
  return [...text.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]!);
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

test('PROTOCOL.md §3 lists exactly the message types the box and the client accept', () => {
  const messages = section(PROTOCOL, '## 3. Messages');
  assert.deepEqual(sorted(tableTypes(section(messages, '### Client → box'))), sorted(CLIENT_MESSAGE_TYPES));
  assert.deepEqual(sorted(tableTypes(section(messages, '### Box → client'))), sorted(SERVER_MESSAGE_TYPES));
});

test("PROTOCOL.md §9's complete example messages pass the box's and the client's validators", () => {
  const lines = section(PROTOCOL, '## 9. Example: two peers')
    .split('\n')
    .filter((l) => /^\w+ [→←] \{/.test(l) && !l.includes('…'));
  assert.ok(lines.length >= 6, `complete example lines found: ${lines.length}`);
  for (const line of lines) {
    const json = line.slice(line.indexOf('{'));
    const parsed = line.includes('→') ? parseClientMessage(json) : parseServerMessage(json);
    assert.ok(parsed, line);
  }
});

test('PEERS.md documents every data-channel message type, and nothing else', () => {
  const documented = [...section(PEERS, '## 4. Data-channel messages').matchAll(/^### (.+)$/gm)].flatMap((m) =>
    [...m[1]!.matchAll(/`([a-z-]+)`/g)].map((x) => x[1]!),
  );
  assert.deepEqual(sorted(documented), sorted(PEER_MESSAGE_TYPES));
  const exampled = examples(PEERS, 'peer').map((e) => (JSON.parse(e) as { type: string }).type);
  assert.deepEqual(sorted(exampled), sorted(PEER_MESSAGE_TYPES), 'an example of each type');
});

test('every data-channel example in PEERS.md passes parsePeerMessage, unchanged', () => {
  for (const text of examples(PEERS, 'peer')) {
    const parsed = parsePeerMessage(text);
    assert.ok(parsed, text);
    const { v: _v, ...fields } = JSON.parse(text) as Record<string, unknown>;
    assert.deepEqual(parsed, fields, 'nothing in the example is dropped or changed by the check');
  }
});

test('PEERS.md §1 lists every sealed payload kind, and each example passes its validator', () => {
  const table = section(PEERS, '## 1. Sealed payloads');
  const kinds = [...table.matchAll(/^\| `\{"runde":"([a-z]+)"/gm)].map((m) => m[1]!);
  assert.deepEqual(sorted(kinds), sorted(ADMISSION_SIGNAL_KINDS));
  assert.match(table, /^\| `\{"g":…,"s":…\}` \| `asLinkSignal`/m, 'negotiation is listed with its validator');
  const found = new Set<string>();
  for (const text of examples(PEERS, 'sealed')) {
    const payload = JSON.parse(text) as unknown;
    const admission = parseAdmissionSignal(payload);
    const link = asLinkSignal(payload);
    assert.ok(admission ?? link, text);
    found.add(admission ? admission.runde : 'negotiation');
  }
  assert.deepEqual(sorted(found), sorted([...ADMISSION_SIGNAL_KINDS, 'negotiation']), 'an example of each kind');
});
