/**
 * The box under pressure from clients without a meeting link (test/attacks.ts): memory stays
 * bounded, one address cannot take the box's rooms, slow HTTP clients are cut, and two other
 * people can still meet afterwards.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { test } from 'node:test';
import { CloseCode, type ErrorMessage, type WelcomeMessage } from '../../signaling/protocol.js';
import type { Health } from '../../signaling/server.js';
import { BYSTANDER, bystandersMeet, slowConsumer, slowHeaders, squatRooms } from '../attacks.js';
import { boxFor, joinAll, newRoomId, rssBytes, spawnBox, TestClient, waitFor } from './helpers.js';

const MIB = 1024 * 1024;

async function health(url: string): Promise<Health> {
  return (await fetch(`${url}/healthz`)).json() as Promise<Health>;
}

test('a reader that stops reading is cut: the box holds a bounded amount for it, whatever is sent', async (t) => {
  // The honest rate is 50 signals/s; a faster one gets the same attack done in less time.
  const { child, wsUrl, url } = await spawnBox(t, { RATE_PER_SECOND: '400', RATE_BURST: '400' });
  const pid = child.pid!;
  const before = rssBytes(pid);
  let peak = before;
  const attack = await slowConsumer({
    wsUrl,
    senders: 3,
    frameBytes: 60_000,
    perSecond: 400,
    totalBytes: 96 * MIB, // without a bound the box would hold about all of it
    sample: () => (peak = Math.max(peak, rssBytes(pid))),
  });
  peak = Math.max(peak, rssBytes(pid));
  const queued = (await health(url)).queuedBytes;
  assert.equal(attack.readerCut, true, 'the box closed the reader');
  assert.ok(queued <= 1 * MIB + 256 * 1024, `queued ${queued} B: at most one socket's limit and one peer's queue`);
  assert.ok(peak - before < 48 * MIB, `RSS grew by ${((peak - before) / MIB).toFixed(1)} MiB while ${(attack.sentBytes / MIB).toFixed(0)} MiB were sent`);
  assert.ok((attack.errors.ERR_PEER_UNREACHABLE ?? 0) > 0, 'senders learn that the reader cannot take more');
  assert.equal(attack.errors.ERR_ABUSE ?? 0, 0, 'senders are not punished for the slow reader');
  const code = await attack.end();
  assert.ok(code === CloseCode.TOO_SLOW || code === 1006, `reader closed with ${code}`);
  assert.deepEqual(await bystandersMeet(wsUrl), { joined: true, signalled: true });
});

test('a socket that sends frames but never answers pings is terminated by the heartbeat', async (t) => {
  const server = await boxFor(t, { heartbeatMs: 150 });
  const c = await TestClient.open(server.wsUrl, {}, { autoPong: false });
  await c.join(newRoomId());
  const looksAlive = setInterval(() => c.send({ type: 'ping' }), 50);
  t.after(() => clearInterval(looksAlive));
  assert.equal((await c.closed).code, 1006);
});

test('a resumed peer gets its queued signals even when a second resume replaces the first socket', async (t) => {
  const server = await boxFor(t, { graceMs: 30_000 });
  const room = newRoomId();
  const [a, b] = await joinAll(server, room, 2);
  const token = b.welcome!.resumeToken;
  b.ws.terminate();
  await b.closed;
  a.send({ type: 'signal', to: b.id, data: 'while away' });
  // The first resume never reads past its welcome (it answers no ping), the second replaces it.
  const first = await TestClient.open(server.wsUrl, {}, { autoPong: false });
  first.id = b.id;
  assert.equal((await first.join(room, { resume: token })).type, 'welcome');
  assert.deepEqual(await first.next(), { type: 'signal', from: a.id, data: 'while away' });
  const second = await TestClient.open(server.wsUrl);
  second.id = b.id;
  const welcome = (await second.join(room, { resume: token })) as WelcomeMessage;
  assert.equal(welcome.resumed, true);
  assert.deepEqual(await second.next(), { type: 'signal', from: a.id, data: 'while away' });
  assert.equal((await first.closed).code, CloseCode.REPLACED);
  // The second socket answers the box's ping: the queue is done with, a third resume gets nothing.
  a.send({ type: 'ping' });
  assert.equal((await a.next()).type, 'pong');
  await waitFor(async () => (await health(server.url)).queuedBytes === 0, 'the box to drop the queue for the resumed peer');
  const third = await TestClient.open(server.wsUrl);
  third.id = b.id;
  assert.equal((await third.join(room, { resume: token })).type, 'welcome');
  assert.equal(await third.frameBeforePong(), null);
});

test('away peers count against their address: one address cannot take the box by dropping sockets', async (t) => {
  const server = await boxFor(t, { maxConnectionsPerIp: 20, maxRooms: 200, graceMs: 60_000 });
  const squat = await squatRooms(server.wsUrl, 400);
  assert.equal(squat.rooms, 20);
  assert.deepEqual(squat.refusal, { code: 'ERR_ADDRESS_FULL', close: CloseCode.ADDRESS_FULL });
  const h = await health(server.url);
  assert.equal(h.rooms, 20);
  assert.equal(h.awayPeers, 20);
  assert.deepEqual(await bystandersMeet(server.wsUrl), { joined: true, signalled: true });
});

test("failed WebSocket handshakes do not use up their address's share", async (t) => {
  const server = await boxFor(t, { maxConnectionsPerIp: 3 });
  const { port } = new URL(server.url);
  // ws answers 400 to a key that is not 16 bytes of base64 and never hands the socket over.
  for (let i = 0; i < 6; i++) {
    const answer = await rawUpgrade(Number(port), 'not-a-key');
    assert.match(answer, /^HTTP\/1\.1 400 /, `handshake ${i} refused by ws`);
  }
  assert.deepEqual(await bystandersMeet(server.wsUrl, '127.0.0.1'), { joined: true, signalled: true });
});

test('an away peer can still resume when its address holds its whole share', async (t) => {
  const server = await boxFor(t, { maxConnectionsPerIp: 2, graceMs: 60_000 });
  const room = newRoomId();
  const [a, b] = await joinAll(server, room, 2);
  const token = b.welcome!.resumeToken;
  b.ws.terminate();
  await b.closed;
  // Two sockets open: one live peer, one that resumes; the share of 2 is full.
  const again = await TestClient.open(server.wsUrl);
  again.id = b.id;
  assert.equal(((await again.join(room, { resume: token })) as WelcomeMessage).resumed, true);
  a.close();
  again.close();
});

test('signals for away peers share one box-wide budget with what slow sockets hold', async (t) => {
  const server = await boxFor(t, { maxQueuedBytes: 1 * MIB, maxPendingBytes: 600_000, graceMs: 60_000, maxBufferedBytes: 2 * MIB });
  const room = newRoomId();
  const [sender, x, y] = await joinAll(server, room, 3);
  for (const c of [x, y]) {
    c.ws.terminate();
    await c.closed;
  }
  const data = 'q'.repeat(60_000);
  /** Sends 20 signals of 60 kB to `to` and counts how many the box could not keep. */
  const refused = async (to: TestClient) => {
    for (let i = 0; i < 20; i++) sender.send({ type: 'signal', to: to.id, data });
    sender.send({ type: 'ping' });
    let n = 0;
    for (let m = await sender.next(); m.type !== 'pong'; m = await sender.next()) {
      if (m.type === 'error' && (m as ErrorMessage).code === 'ERR_PEER_UNREACHABLE') n++;
    }
    return n;
  };
  const keptForX = 20 - (await refused(x)); // x's own queue of 600 kB fills first
  const keptForY = 20 - (await refused(y));
  assert.ok(keptForX > 0 && keptForX < 20);
  assert.ok(keptForY < keptForX, `y got ${keptForY} frames, less than its own queue would hold (${keptForX}): the budget was spent`);
  const queued = (await health(server.url)).queuedBytes;
  assert.ok(queued <= 1 * MIB, `queued ${queued} B within the budget of 1 MiB`);
});

test('slow HTTP clients are cut after the headers timeout and /healthz answers others meanwhile', async (t) => {
  const server = await boxFor(t, { httpHeadersTimeoutMs: 500, httpRequestTimeoutMs: 500, maxHttpConnectionsPerIp: 20 });
  const attack = await slowHeaders(server.url, 100, 100);
  t.after(() => attack.stop());
  // The address's share is 20: the rest is closed at once.
  await waitFor(() => attack.open() <= 20, "the box to close the connections past the address's share");
  const answer = await new Promise<number>((resolve, reject) => {
    const req = request(`${server.url}/healthz`, { localAddress: BYSTANDER, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
  assert.equal(answer, 200);
  assert.ok(attack.open() > 0, 'some slow clients were still held when /healthz answered');
  await attack.allClosed;
  assert.deepEqual(await bystandersMeet(server.wsUrl), { joined: true, signalled: true });
});

test('/metrics answers only on loopback unless a token is set', async (t) => {
  const open = await boxFor(t);
  assert.equal((await fetch(`${open.url}/metrics`)).status, 200);
  const proxied = await fetch(`${open.url}/metrics`, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
  assert.equal(proxied.status, 403, 'a request a proxy relays for someone else is not from this machine');
  const guarded = await boxFor(t, { metricsToken: 'secret-token' });
  assert.equal((await fetch(`${guarded.url}/metrics`)).status, 401);
  const scraped = await fetch(`${guarded.url}/metrics`, { headers: { Authorization: 'Bearer secret-token', 'X-Forwarded-For': '203.0.113.9' } });
  assert.equal(scraped.status, 200);
  assert.match(await scraped.text(), /runde_queued_bytes \d+/);
});

/** Sends one raw HTTP upgrade request with `key` and returns what the box answered before closing. */
function rawUpgrade(port: number, key: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n\r\n`,
      );
    });
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}
