import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { CloseCode } from '../../signaling/protocol.js';
import { joinAll, newRoomId, spawnBox } from './helpers.js';

test('npm run signaling: the box starts from the environment and stops on SIGTERM with 1001', async (t) => {
  const { child, wsUrl } = await spawnBox(t);
  const [a, b] = await joinAll({ wsUrl } as never, newRoomId(), 2);
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  assert.equal((await a.closed).code, CloseCode.GOING_AWAY);
  assert.equal((await b.closed).code, CloseCode.GOING_AWAY);
  const [code] = await exited;
  assert.equal(code, 0);
});

test('refuses to start with an invalid setting and says which', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/main.ts'], {
    env: { ...process.env, PORT: '0', MAX_PEERS_PER_ROOM: 'lots' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'exit');
  assert.equal(code, 2);
  assert.match(stderr, /MAX_PEERS_PER_ROOM must be a whole number/);
});
