/** The box runs with the same Node.js flags wherever it is started for real (signaling/node-flags.ts). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BOX_NODE_FLAGS } from '../../signaling/node-flags.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

test('npm start runs the box with its flags', () => {
  const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start!;
  assert.match(start, new RegExp(`node ${BOX_NODE_FLAGS.join(' ')} dist/server\\.mjs`));
});

test('the systemd unit runs the box with its flags', () => {
  const exec = /^ExecStart=(.*)$/m.exec(read('deploy/systemd/runde-box.service'))?.[1];
  assert.equal(exec, `/usr/bin/node ${BOX_NODE_FLAGS.join(' ')} /usr/lib/runde/runde-box.mjs`);
});

test('the signaling benchmark starts Runde with its flags', () => {
  assert.match(read('scripts/bench/servers.ts'), /target\.protocol === RUNDE_PROTOCOL \? BOX_NODE_FLAGS : \[\]/);
});
