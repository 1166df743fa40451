/**
 * The browser's signaling client against a real box, run in node with `ws` standing in for the
 * browser's WebSocket (same events, same close codes).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { BUSY_BASE_MS, SignalingClient } from '../../client/core/signaling-client.js';
import type { PeerId } from '../../signaling/protocol.js';
import { boxFor, newPeerId, newRoomId, TestClient } from './helpers.js';

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

test('a box that is full is tried again later, and the client says it is busy, not gone', async (t) => {
  const server = await boxFor(t, { maxRooms: 1 });
  const squatter = await TestClient.open(server.wsUrl);
  await squatter.join(newRoomId());
  const client = new SignalingClient(server.wsUrl, newRoomId(), newPeerId() as PeerId);
  t.after(() => client.leave());
  const states: string[] = [];
  const welcomed = new Promise<void>((resolve) => client.on('welcome', () => resolve()));
  let failed = false;
  client.on('failed', () => (failed = true));
  const reconnecting = new Promise<void>((resolve) =>
    client.on('state', (s) => {
      states.push(s);
      if (s === 'reconnecting') resolve();
    }),
  );
  client.connect();
  await reconnecting;
  assert.equal(client.busy, true);
  assert.ok(client.retryAt - Date.now() >= BUSY_BASE_MS / 2 - 100, 'waits at least half the busy base');
  squatter.close(1000); // a room is free now: the next try gets in
  await welcomed;
  assert.equal(client.busy, false);
  assert.equal(failed, false);
  assert.deepEqual(states, ['reconnecting', 'open']);
});
