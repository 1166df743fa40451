import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

/** Every file below `dir` (the shipped app's sources and static files). */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (path === join('static', 'build')) return []; // build output, checked through its sources
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** URLs that name no host to contact: the SVG namespace of icon files. */
const NOT_CONTACTED = new Set(['http://www.w3.org/2000/svg']);

test('no outside URL appears in client/ or static/ (no CDN, STUN, font or analytics host)', () => {
  const found: string[] = [];
  for (const file of [...files('client'), ...files('static')]) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\b(?:https?|wss?|stuns?|turns?):\/\/[^\s'"`)<>]+/g)) {
      if (!NOT_CONTACTED.has(m[0])) found.push(`${file}: ${m[0]}`);
    }
  }
  assert.deepEqual(found, []);
});

test('the check above finds an outside URL when there is one (it can fail)', () => {
  const sample = "const iceServers = [{ urls: 'stun:stun.l.google.com:19302' }]; fetch('https://cdn.example.net/x.js')";
  const hits = [...sample.matchAll(/\b(?:https?|wss?|stuns?|turns?):\/\/[^\s'"`)<>]+/g)].map((m) => m[0]);
  assert.deepEqual(hits, ['https://cdn.example.net/x.js']);
  assert.match(sample, /stun:stun\.l\.google/, 'stun: URLs have no slashes: checked by the next test');
});

test('no STUN or TURN server is named in client/ or static/', () => {
  const found = [...files('client'), ...files('static')].filter((f) => /\b(stun|turn)s?:[a-z0-9.-]+\.[a-z]{2,}/i.test(readFileSync(f, 'utf8')));
  assert.deepEqual(found, []);
});
