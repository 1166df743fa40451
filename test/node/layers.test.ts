import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

/** Every .ts file below `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The module specifiers a file imports (static, dynamic and re-exports). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(?\s*['"]([^'"]+)['"]/g)];
  return specs.map((m) => m[1] ?? m[2]);
}

const violations = (files: string[], bad: (spec: string, file: string) => boolean) =>
  files.flatMap((f) =>
    importsOf(f)
      .filter((s) => bad(s, f))
      .map((s) => `${f} imports ${s}`),
  );

test('client/core never imports lit', () => {
  assert.deepEqual(
    violations(sources('client/core'), (s) => s === 'lit' || s.startsWith('lit/')),
    [],
  );
});

test('client/ui never imports simple-peer', () => {
  assert.deepEqual(
    violations(sources('client/ui'), (s) => s.startsWith('simple-peer')),
    [],
  );
});

test('only client/core/peer.ts imports simple-peer, only settings.ts idb-keyval, only background-paint.ts tasks-vision', () => {
  const client = sources('client');
  assert.deepEqual(
    violations(client, (s, f) => s.startsWith('@mediapipe/') && f !== 'client/core/background-paint.ts'),
    [],
  );
  assert.deepEqual(
    violations(client, (s, f) => s.startsWith('simple-peer') && f !== 'client/core/peer.ts'),
    [],
  );
  assert.deepEqual(
    violations(client, (s, f) => s.startsWith('idb-keyval') && f !== 'client/core/settings.ts'),
    [],
  );
});

/** What the client and the box share: pure modules with no Node or browser APIs. */
const SHARED = new Set(['signaling/protocol.js', 'signaling/runtime-config.js']);

test('the client imports nothing from the box but the shared modules (protocol, runtime config)', () => {
  const bad = violations(sources('client'), (s, f) => {
    if (!s.includes('signaling/')) return false;
    return !SHARED.has(relative('.', join(f, '..', s)));
  });
  assert.deepEqual(bad, []);
});

test('the shared modules import nothing but each other', () => {
  const files = [...SHARED].map((f) => f.replace(/\.js$/, '.ts'));
  assert.deepEqual(
    violations(files, (s, f) => !SHARED.has(relative('.', join(f, '..', s)))),
    [],
  );
});

test('the box imports nothing from client/', () => {
  assert.deepEqual(
    violations(sources('signaling'), (s, f) => relative('.', join(f, '..', s)).startsWith('client/')),
    [],
  );
});

/**
 * The call core behind the Meeting facade: the UI reaches the call only through meeting.ts
 * (and the features it hands out: chat, files, speaking), never the parts it composes.
 */
const CALL_INTERNALS = [
  'mesh.ts',
  'mesh-types.ts',
  'peer.ts',
  'signal-channel.ts',
  'signaling-client.ts',
  'admission.ts',
  'admission-control.ts',
  'admission-signals.ts',
  'statements.ts',
  'link-supervisor.ts',
  'local-media.ts',
  'video-shaping.ts',
].map((f) => `client/core/${f}`);

const uiSources = () => [
  ...sources('client/ui'),
  ...readdirSync('client')
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join('client', f)),
];

test('the UI reaches the call only through the Meeting facade', () => {
  for (const internal of CALL_INTERNALS) assert.ok(statSync(internal).isFile(), `${internal} exists`);
  const bad = violations(uiSources(), (s, f) => CALL_INTERNALS.includes(relative('.', join(f, '..', s)).replace(/\.js$/, '.ts')));
  assert.deepEqual(bad, []);
});

test('the UI never asks the Meeting for a connection or its mesh', () => {
  const reaching = uiSources().filter((f) => /\.linkTo\(|\.mesh\b/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(reaching, []);
});

test('the layer check itself sees imports (it can fail)', () => {
  assert.ok(importsOf('client/core/peer.ts').includes('simple-peer'));
  assert.ok(importsOf('client/ui/tile.ts').includes('lit'));
  assert.ok(importsOf('client/core/mesh.ts').includes('../../signaling/protocol.js'));
  assert.ok(importsOf('signaling/static.ts').includes('./runtime-config.js'));
  assert.ok(importsOf('client/core/meeting.ts').includes('./mesh.js'));
  assert.ok(uiSources().includes('client/ui/call.ts') && uiSources().includes('client/main.ts'));
});
