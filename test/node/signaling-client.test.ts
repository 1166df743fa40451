/**
 * The browser's signaling client against a real box, run in node with `ws` standing in for the
 * browser's WebSocket (same events, same close codes).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { BUSY_BASE_MS, originRefused, SignalingClient } from '../../client/core/signaling-client.js';
import type { RundeError } from '../../client/core/errors.js';
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

/** A browser's WebSocket as a page from `origin` opens it: with that Origin header. */
function webSocketFrom(origin: string): new (url: string) => WebSocket {
  return class extends WebSocket {
    constructor(url: string) {
      super(url, { origin });
      this.on('error', () => {}); // a browser reports a refused handshake only as a close (1006)
    }
  };
}

test("a box that refuses this page's origin: the client stops and says the site is not allowed, not to check the network", { timeout: 20_000 }, async (t) => {
  const server = await boxFor(t, { allowedOrigins: ['https://meet.example.org'] });
  const origin = 'https://www.example.org';
  const before = globalThis.WebSocket;
  (globalThis as { WebSocket?: unknown }).WebSocket = webSocketFrom(origin);
  t.after(() => ((globalThis as { WebSocket?: unknown }).WebSocket = before));
  const client = new SignalingClient(server.wsUrl, newRoomId(), newPeerId() as PeerId, origin);
  t.after(() => client.leave());
  const failed = new Promise<RundeError>((resolve) => client.on('failed', resolve));
  client.connect();
  assert.equal((await failed).code, 'ERR_ORIGIN_REFUSED');
  assert.equal(client.state, 'closed');
});

test('whether a box refuses an origin: yes only when it says so; an allowed origin or no answer is no', async (t) => {
  const server = await boxFor(t, { allowedOrigins: ['https://meet.example.org'] });
  assert.equal(await originRefused(server.wsUrl, 'https://www.example.org'), true);
  assert.equal(await originRefused(server.wsUrl, 'https://meet.example.org'), false);
  const open = await boxFor(t); // no list: its own origin and localhost
  assert.equal(await originRefused(open.wsUrl, 'http://localhost:8080'), false);
  await open.close();
  assert.equal(await originRefused(open.wsUrl, 'https://www.example.org'), false, 'nothing listens: the network, not the origin');
});
