import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { files, filesNamingIceServers, outsideUrls, SHIPPED } from './third-party-rules.js';

test('no outside URL appears in client/ or static/ (no CDN, STUN, font or analytics host)', () => {
  assert.deepEqual(outsideUrls(SHIPPED), []);
});

test('no STUN or TURN server is named in client/ or static/', () => {
  assert.deepEqual(filesNamingIceServers(SHIPPED), []);
});

test('the checks above read every shipped source and static file, but the build output', () => {
  const all = files('static').concat(files('client'));
  for (const file of ['client/core/peer.ts', 'client/ui/app.ts', 'static/index.html', 'static/manifest.webmanifest']) assert.ok(all.includes(file), file);
  assert.deepEqual(
    all.filter((f) => f.startsWith(join('static', 'build'))),
    [],
  );
});

test('the same checks find outside URLs and named STUN servers when there are some (they can fail)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'runde-third-parties-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'ui'));
  writeFileSync(join(dir, 'ice.ts'), "const iceServers = [{ urls: 'stun:stun.l.google.com:19302' }];\n");
  writeFileSync(join(dir, 'ui', 'page.html'), '<link href="https://fonts.example.net/a.css"><svg xmlns="http://www.w3.org/2000/svg"></svg>\n');
  writeFileSync(join(dir, 'load.ts'), "fetch('https://cdn.example.net/x.js'); new WebSocket(`wss://tracker.example.org/ws`);\n");
  assert.deepEqual(outsideUrls([dir]).sort(), [
    `${join(dir, 'load.ts')}: https://cdn.example.net/x.js`,
    `${join(dir, 'load.ts')}: wss://tracker.example.org/ws`,
    `${join(dir, 'ui', 'page.html')}: https://fonts.example.net/a.css`,
  ]);
  assert.deepEqual(filesNamingIceServers([dir]), [join(dir, 'ice.ts')], 'stun: URLs have no slashes: the second rule finds them');
});
