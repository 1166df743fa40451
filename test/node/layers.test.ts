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
  files.flatMap((f) => importsOf(f).filter((s) => bad(s, f)).map((s) => `${f} imports ${s}`));

test('client/core never imports lit', () => {
  assert.deepEqual(violations(sources('client/core'), (s) => s === 'lit' || s.startsWith('lit/')), []);
});

test('client/ui never imports simple-peer', () => {
  assert.deepEqual(violations(sources('client/ui'), (s) => s.startsWith('simple-peer')), []);
});

test('only client/core/peer.ts imports simple-peer and only settings.ts imports idb-keyval', () => {
  const client = sources('client');
  assert.deepEqual(violations(client, (s, f) => s.startsWith('simple-peer') && f !== 'client/core/peer.ts'), []);
  assert.deepEqual(violations(client, (s, f) => s.startsWith('idb-keyval') && f !== 'client/core/settings.ts'), []);
});

test('the client imports nothing from the box but signaling/protocol.ts', () => {
  const bad = violations(sources('client'), (s, f) => {
    if (!s.includes('signaling/')) return false;
    return relative('.', join(f, '..', s)) !== 'signaling/protocol.js';
  });
  assert.deepEqual(bad, []);
});

test('the layer check itself sees imports (it can fail)', () => {
  assert.ok(importsOf('client/core/peer.ts').includes('simple-peer'));
  assert.ok(importsOf('client/ui/tile.ts').includes('lit'));
  assert.ok(importsOf('client/core/mesh.ts').includes('../../signaling/protocol.js'));
});
