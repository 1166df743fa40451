import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { staticHandler } from '../../signaling/static.js';
import { boxFor } from './helpers.js';

test('the app page may open sockets to the boxes config.json lists, and only to those', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'runde-static-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
  const server = await boxFor(t, { httpHandler: staticHandler(dir) });
  const csp = async () => (await fetch(`${server.url}/`)).headers.get('content-security-policy') ?? '';

  assert.match(await csp(), /connect-src 'self';/, 'without config.json: this origin only');

  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ signalingUrls: ['wss://box-a.example.org/ws', 'wss://box-b.example.org:8443/ws'] }));
  assert.match(await csp(), /connect-src 'self' wss:\/\/box-a\.example\.org wss:\/\/box-b\.example\.org:8443;/);

  writeFileSync(config, '{ not json');
  utimesSync(config, new Date(), new Date(Date.now() + 5_000)); // a new mtime even on coarse clocks
  assert.match(await csp(), /connect-src 'self';/, 'a malformed config.json adds nothing');
});
