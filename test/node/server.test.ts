import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { CloseCode, PROTOCOL_VERSION, type ErrorMessage, type WelcomeMessage } from '../../signaling/protocol.js';
import { boxFor, joinAll, logLines, newPeerId, newRoomId, TestClient, waitFor } from './helpers.js';

test('welcomes a newcomer with version, peers, ICE servers, limits and a resume token', async (t) => {
  const server = await boxFor(t, { maxPeersPerRoom: 5, iceServers: [{ urls: 'stun:stun.example.org' }] });
  const room = newRoomId();
  const [a] = await joinAll(server, room, 1);
  assert.equal(a.welcome!.version, PROTOCOL_VERSION);
  assert.deepEqual(a.welcome!.peers, []);
  assert.equal(a.welcome!.resumed, false);
  assert.match(a.welcome!.resumeToken, /^[A-Za-z0-9_-]{22}$/);
  const b = await TestClient.open(server.wsUrl);
  const welcome = (await b.join(room)) as WelcomeMessage;
  assert.equal(welcome.type, 'welcome');
  assert.equal(welcome.peer, b.id);
  assert.deepEqual(welcome.peers, [a.id]);
  assert.deepEqual(welcome.iceServers, [{ urls: 'stun:stun.example.org' }]);
  assert.equal(welcome.limits.maxPeersPerRoom, 5);
  assert.equal(welcome.limits.maxMessageBytes, 64 * 1024);
  assert.deepEqual(await a.next(), { type: 'peer-joined', peer: b.id });
});

test('lists earlier peers in join order', async (t) => {
  const server = await boxFor(t);
  const room = newRoomId();
  const [a, b, c] = await joinAll(server, room, 3);
  assert.deepEqual(c.welcome!.peers, [a.id, b.id]);
});

test('relays a signal only to the addressed peer', async (t) => {
  const server = await boxFor(t);
  const [a, b, c] = await joinAll(server, newRoomId(), 3);
  a.send({ type: 'signal', to: b.id, data: { n: 1, sdp: 'v=0' } });
  assert.deepEqual(await b.next(), { type: 'signal', from: a.id, data: { n: 1, sdp: 'v=0' } });
  assert.equal(await c.frameBeforePong(), null);
  assert.equal(await a.frameBeforePong(), null);
});

test('stamps from itself and ignores a from written by the sender', async (t) => {
  const server = await boxFor(t);
  const [a, b, c] = await joinAll(server, newRoomId(), 3);
  a.send({ type: 'signal', to: b.id, from: c.id, data: 'hello' });
  assert.deepEqual(await b.next(), { type: 'signal', from: a.id, data: 'hello' });
});

test('never relays across rooms: a peer in another room is unknown', async (t) => {
  const server = await boxFor(t);
  const [a] = await joinAll(server, newRoomId(), 1);
  const [x] = await joinAll(server, newRoomId(), 1);
  a.send({ type: 'signal', to: x.id, data: 1 });
  const reply = await a.next<ErrorMessage>();
  assert.equal(reply.code, 'ERR_UNKNOWN_PEER');
  assert.equal(reply.peer, x.id);
  assert.equal(await x.frameBeforePong(), null);
});

test('refuses signals before joining', async (t) => {
  const server = await boxFor(t);
  const a = await TestClient.open(server.wsUrl);
  a.send({ type: 'signal', to: newPeerId(), data: 1 });
  assert.equal((await a.next<ErrorMessage>()).code, 'ERR_NOT_JOINED');
});

test('refuses a second join on the same socket', async (t) => {
  const server = await boxFor(t);
  const [a] = await joinAll(server, newRoomId(), 1);
  a.send({ type: 'join', room: newRoomId(), peer: newPeerId() });
  assert.equal((await a.next<ErrorMessage>()).code, 'ERR_ALREADY_JOINED');
});

test('refuses a newcomer when the room is full and closes with 4403', async (t) => {
  const server = await boxFor(t, { maxPeersPerRoom: 2 });
  const room = newRoomId();
  await joinAll(server, room, 2);
  const c = await TestClient.open(server.wsUrl);
  assert.equal(((await c.join(room)) as ErrorMessage).code, 'ERR_ROOM_FULL');
  assert.equal((await c.closed).code, CloseCode.ROOM_FULL);
});

test('refuses joins past the total room and peer limits with 4503', async (t) => {
  const server = await boxFor(t, { maxRooms: 1, maxPeers: 2 });
  await joinAll(server, newRoomId(), 1);
  const other = await TestClient.open(server.wsUrl);
  assert.equal(((await other.join(newRoomId())) as ErrorMessage).code, 'ERR_SERVER_FULL');
  assert.equal((await other.closed).code, CloseCode.SERVER_FULL);
});

test('refuses a second live connection with the same peer id', async (t) => {
  const server = await boxFor(t);
  const room = newRoomId();
  const [a] = await joinAll(server, room, 1);
  const impostor = await TestClient.open(server.wsUrl);
  impostor.id = a.id;
  assert.equal(((await impostor.join(room)) as ErrorMessage).code, 'ERR_PEER_ID_TAKEN');
  assert.equal((await impostor.closed).code, CloseCode.PEER_ID_TAKEN);
  await waitFor(() => server.health().connections === 1, "the box to see the impostor's socket close");
  assert.equal(await a.frameBeforePong(), null);
});

test('a holder of the resume token replaces the old socket without anyone seeing a leave', async (t) => {
  const server = await boxFor(t);
  const room = newRoomId();
  const [a, b] = await joinAll(server, room, 2);
  const again = await TestClient.open(server.wsUrl);
  again.id = a.id;
  const welcome = (await again.join(room, { resume: a.welcome!.resumeToken })) as WelcomeMessage;
  assert.equal(welcome.resumed, true);
  assert.deepEqual(welcome.peers, [b.id]);
  assert.equal((await a.next<ErrorMessage>()).code, 'ERR_REPLACED');
  assert.equal((await a.closed).code, CloseCode.REPLACED);
  await waitFor(() => server.health().connections === 2, 'the box to see the replaced socket close');
  assert.equal(await b.frameBeforePong(), null);
  b.send({ type: 'signal', to: a.id, data: 'still there?' });
  assert.deepEqual(await again.next(), { type: 'signal', from: b.id, data: 'still there?' });
});

test('resumes within the grace period: nobody sees the peer leave, queued signals arrive', async (t) => {
  const server = await boxFor(t, { graceMs: 2_000 });
  const room = newRoomId();
  const [a, b] = await joinAll(server, room, 2);
  a.ws.terminate(); // abrupt: no close frame
  await a.closed;
  await waitFor(() => server.health().awayPeers === 1, 'the box to hold the dropped peer as away');
  b.send({ type: 'signal', to: a.id, data: 'while you were away' });
  const back = await TestClient.open(server.wsUrl);
  back.id = a.id;
  const welcome = (await back.join(room, { resume: a.welcome!.resumeToken })) as WelcomeMessage;
  assert.equal(welcome.resumed, true);
  assert.equal(welcome.resumeToken, a.welcome!.resumeToken);
  assert.deepEqual(await back.next(), { type: 'signal', from: b.id, data: 'while you were away' });
  assert.equal(server.health().awayPeers, 0, 'no longer away: no leave is pending');
  assert.equal(await b.frameBeforePong(), null);
});

test('after the grace period the others learn that the peer was lost', async (t) => {
  const server = await boxFor(t, { graceMs: 150 });
  const room = newRoomId();
  const [a, b] = await joinAll(server, room, 2);
  a.ws.terminate();
  assert.deepEqual(await b.next(), { type: 'peer-left', peer: a.id, reason: 'lost' });
  const late = await TestClient.open(server.wsUrl);
  late.id = a.id;
  const welcome = (await late.join(room, { resume: a.welcome!.resumeToken })) as WelcomeMessage;
  assert.equal(welcome.resumed, false, 'a late resume is a fresh join');
  assert.deepEqual(await b.next(), { type: 'peer-joined', peer: a.id });
});

test('an explicit leave is announced at once and the box closes with 1000', async (t) => {
  const server = await boxFor(t, { graceMs: 60_000 });
  const [a, b] = await joinAll(server, newRoomId(), 2);
  a.send({ type: 'leave' });
  assert.deepEqual(await b.next(), { type: 'peer-left', peer: a.id, reason: 'left' });
  assert.equal((await a.closed).code, CloseCode.NORMAL);
  assert.equal(server.health().peers, 1);
});

test('a clean close (1000) counts as leaving at once', async (t) => {
  const server = await boxFor(t, { graceMs: 60_000 });
  const [a, b] = await joinAll(server, newRoomId(), 2);
  a.close(1000);
  assert.deepEqual(await b.next(), { type: 'peer-left', peer: a.id, reason: 'left' });
});

test('terminates a socket that misses its heartbeat pong', async (t) => {
  const server = await boxFor(t, { heartbeatMs: 100, graceMs: 0 });
  const [a, b] = await joinAll(server, newRoomId(), 2);
  // HACK(test): stop the client's automatic pong replies to simulate a dead peer.
  (a.ws as unknown as { pong: () => void }).pong = () => {};
  a.ws.removeAllListeners('ping');
  const receiverPong = (a.ws as unknown as { _receiver: { removeAllListeners(e: string): void } })._receiver;
  receiverPong.removeAllListeners('ping');
  assert.deepEqual(await b.next(), { type: 'peer-left', peer: a.id, reason: 'lost' });
  assert.equal((await a.closed).code, 1006);
});

test('answers a ping with a pong', async (t) => {
  const server = await boxFor(t);
  const [a] = await joinAll(server, newRoomId(), 1);
  a.send({ type: 'ping' });
  assert.deepEqual(await a.next(), { type: 'pong' });
});

test('drops messages over the rate limit with an error, then closes on persistent excess', async (t) => {
  const server = await boxFor(t, { ratePerSecond: 1, rateBurst: 5, maxStrikes: 3 });
  const [a, b] = await joinAll(server, newRoomId(), 2);
  for (let i = 0; i < 20; i++) a.send({ type: 'signal', to: b.id, data: i });
  for (let i = 0; i < 3; i++) assert.deepEqual(await b.next(), { type: 'signal', from: a.id, data: i });
  // the join took one token; 4 signals pass, the next ones are refused
  assert.deepEqual(await b.next(), { type: 'signal', from: a.id, data: 3 });
  const codes: string[] = [];
  for (let i = 0; i < 4; i++) codes.push((await a.next<ErrorMessage>()).code);
  assert.deepEqual(codes, ['ERR_RATE_LIMITED', 'ERR_RATE_LIMITED', 'ERR_RATE_LIMITED', 'ERR_RATE_LIMITED']);
  assert.equal((await a.closed).code, CloseCode.RATE_LIMITED);
  assert.deepEqual(await b.next(), { type: 'peer-left', peer: a.id, reason: 'lost' });
});

test('refuses a frame over the size limit and keeps the socket', async (t) => {
  const server = await boxFor(t, { maxMessageBytes: 4096 });
  const [a, b] = await joinAll(server, newRoomId(), 2);
  a.send({ type: 'signal', to: b.id, data: 'x'.repeat(5000) });
  assert.equal((await a.next<ErrorMessage>()).code, 'ERR_TOO_LARGE');
  a.send({ type: 'signal', to: b.id, data: 'x'.repeat(4000) });
  assert.equal((await b.next<{ data: string }>()).data.length, 4000);
  assert.equal(await b.frameBeforePong(), null);
});

test('closes with 1009 on a frame beyond twice the size limit', async (t) => {
  const server = await boxFor(t, { maxMessageBytes: 4096 });
  const [a, b] = await joinAll(server, newRoomId(), 2);
  a.send({ type: 'signal', to: b.id, data: 'x'.repeat(10_000) });
  assert.equal((await a.closed).code, CloseCode.TOO_LARGE);
});

test('refuses an upgrade from a foreign origin with HTTP 403', async (t) => {
  const server = await boxFor(t);
  await assert.rejects(TestClient.open(server.wsUrl, { Origin: 'https://evil.example' }), /HTTP 403/);
  const own = await TestClient.open(server.wsUrl, { Origin: server.url });
  own.close();
  const local = await TestClient.open(server.wsUrl, { Origin: 'http://localhost:3000' });
  local.close();
});

test('accepts only the configured origins when an allowlist is set', async (t) => {
  const server = await boxFor(t, { allowedOrigins: ['https://meet.example.org'] });
  await assert.rejects(TestClient.open(server.wsUrl, { Origin: 'http://localhost:3000' }), /HTTP 403/);
  const ok = await TestClient.open(server.wsUrl, { Origin: 'https://meet.example.org' });
  ok.close();
});

test('logs a refused origin with the origin, so that the missing ALLOWED_ORIGINS entry is plain', async (t) => {
  const server = await boxFor(t, { allowedOrigins: ['https://meet.example.org'] });
  await assert.rejects(TestClient.open(server.wsUrl, { Origin: 'https://meet.example.org:8443' }), /HTTP 403/);
  const refusal = logLines(server)
    .map((l) => JSON.parse(l))
    .find((e) => e.event === 'refuse');
  assert.deepEqual([refusal.reason, refusal.origin, refusal.ip], ['origin', 'https://meet.example.org:8443', undefined]);
});

test('a plain GET of /ws tells any site whether its origin may connect (CORS), from the query or the Origin header', async (t) => {
  const server = await boxFor(t, { allowedOrigins: ['https://meet.example.org'] });
  const ask = async (query: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}/ws${query}`, { headers });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    return res.json();
  };
  assert.deepEqual(await ask('?origin=https%3A%2F%2Fmeet.example.org'), { origin: 'https://meet.example.org', allowed: true });
  assert.deepEqual(await ask('?origin=https%3A%2F%2Fother.example'), { origin: 'https://other.example', allowed: false });
  assert.deepEqual(await ask('', { Origin: 'https://other.example' }), { origin: 'https://other.example', allowed: false });
  // The same answer as the upgrade gives: the check cannot drift from the rule.
  await assert.rejects(TestClient.open(server.wsUrl, { Origin: 'https://other.example' }), /HTTP 403/);
  (await TestClient.open(server.wsUrl, { Origin: 'https://meet.example.org' })).close();
});

test('caps connections per IP address with HTTP 429 and frees the slot on close', async (t) => {
  const server = await boxFor(t, { maxConnectionsPerIp: 2 });
  const a = await TestClient.open(server.wsUrl);
  await TestClient.open(server.wsUrl);
  await assert.rejects(TestClient.open(server.wsUrl), /HTTP 429/);
  a.close();
  await a.closed;
  await waitFor(() => server.health().connections === 1, 'the box to see the first socket close');
  (await TestClient.open(server.wsUrl)).close();
});

test('refuses upgrades on other paths with HTTP 404', async (t) => {
  const server = await boxFor(t);
  await assert.rejects(TestClient.open(`${server.wsUrl}x`), /HTTP 404/);
});

test('closes a socket that does not join in time with 4008', async (t) => {
  const server = await boxFor(t, { joinTimeoutMs: 150 });
  const a = await TestClient.open(server.wsUrl);
  assert.equal((await a.next<ErrorMessage>()).code, 'ERR_JOIN_TIMEOUT');
  assert.equal((await a.closed).code, CloseCode.JOIN_TIMEOUT);
});

test('refuses another protocol version with 4406', async (t) => {
  const server = await boxFor(t);
  const a = await TestClient.open(server.wsUrl);
  assert.equal(((await a.join(newRoomId(), { version: 99 })) as ErrorMessage).code, 'ERR_UNSUPPORTED_VERSION');
  assert.equal((await a.closed).code, CloseCode.UNSUPPORTED_VERSION);
});

test('mints TURN REST credentials per join that match the HMAC formula', async (t) => {
  const secret = 'turn-shared-secret';
  const server = await boxFor(t, { turn: { urls: ['turn:127.0.0.1:3478?transport=udp'], secret, ttlSeconds: 600 } });
  const [a] = await joinAll(server, newRoomId(), 1);
  const [ice] = a.welcome!.iceServers;
  assert.deepEqual(ice.urls, ['turn:127.0.0.1:3478?transport=udp']);
  const [expiry, peer] = ice.username!.split(':');
  assert.equal(peer, a.id);
  const now = Date.now() / 1000;
  assert.ok(Number(expiry) > now + 590 && Number(expiry) <= now + 601, `expiry ${expiry}`);
  assert.equal(ice.credential, createHmac('sha1', secret).update(ice.username!).digest('base64'));
});

test('reports rooms, peers and uptime on /healthz without room ids', async (t) => {
  const server = await boxFor(t);
  const room = newRoomId();
  await joinAll(server, room, 2);
  const res = await fetch(`${server.url}/healthz`);
  assert.equal(res.status, 200);
  const text = await res.text();
  const body = JSON.parse(text);
  assert.equal(body.status, 'ok');
  assert.equal(body.rooms, 1);
  assert.equal(body.peers, 2);
  assert.equal(typeof body.uptimeSeconds, 'number');
  assert.ok(!text.includes(room));
});

test('closes every socket with 1001 on shutdown', async (t) => {
  const server = await boxFor(t);
  const [a, b] = await joinAll(server, newRoomId(), 2);
  const idle = await TestClient.open(server.wsUrl);
  await server.close();
  for (const c of [a, b, idle]) assert.equal((await c.closed).code, CloseCode.GOING_AWAY);
  await assert.rejects(fetch(`${server.url}/healthz`));
});

test('logs one line per event without message contents, ids or addresses', async (t) => {
  const server = await boxFor(t);
  const room = newRoomId();
  const [a, b] = await joinAll(server, room, 2);
  a.send({ type: 'signal', to: b.id, data: 'secret-sdp-contents' });
  await b.next();
  a.send({ type: 'leave' });
  await a.closed;
  await waitFor(() => logLines(server).some((l) => JSON.parse(l).event === 'close'), 'the box to log the closed socket');
  const lines = logLines(server);
  const events = lines.map((l) => JSON.parse(l).event);
  for (const e of ['listening', 'connect', 'join', 'leave', 'close']) assert.ok(events.includes(e), e);
  const all = lines.join('\n');
  for (const secret of ['secret-sdp-contents', room, a.id, b.id]) assert.ok(!all.includes(secret), secret);
  assert.ok(!lines.some((l) => JSON.parse(l).ip), 'no IP addresses unless configured');
});

test('every response that is not an app file carries the strict security headers', async (t) => {
  const server = await boxFor(t);
  for (const path of ['/healthz', '/metrics', '/no-such-file']) {
    const res = await fetch(`${server.url}${path}`);
    assert.equal(res.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'", path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
  }
  const refused = await new Promise<IncomingMessage>((resolve) => {
    const ws = new WebSocket(server.wsUrl.replace(/\/ws$/, '/not-ws'));
    ws.on('error', () => {});
    ws.once('unexpected-response', (_req, res) => resolve(res));
  });
  assert.equal(refused.statusCode, 404);
  assert.equal(refused.headers['x-content-type-options'], 'nosniff', 'an upgrade refusal too');
});

test('LOG_IPS puts client addresses into the connect lines, and only then', async (t) => {
  const server = await boxFor(t, { logIps: true });
  const [a] = await joinAll(server, newRoomId(), 1);
  a.close(1000);
  await a.closed;
  const connect = logLines(server)
    .map((l) => JSON.parse(l))
    .find((e) => e.event === 'connect');
  assert.equal(connect?.ip, '127.0.0.1');
});

test('TRUST_PROXY takes the address from X-Forwarded-For for the per-address share; without it the header is ignored', async (t) => {
  const behindProxy = await boxFor(t, { trustProxy: true, maxConnectionsPerIp: 1 });
  const first = await TestClient.open(behindProxy.wsUrl, { 'X-Forwarded-For': '198.51.100.1' });
  const second = await TestClient.open(behindProxy.wsUrl, { 'X-Forwarded-For': '203.0.113.7, 198.51.100.2' });
  await assert.rejects(TestClient.open(behindProxy.wsUrl, { 'X-Forwarded-For': '198.51.100.1' }), /HTTP 429/);
  first.close();
  second.close();
  const direct = await boxFor(t, { maxConnectionsPerIp: 1 });
  const one = await TestClient.open(direct.wsUrl, { 'X-Forwarded-For': '198.51.100.1' });
  await assert.rejects(TestClient.open(direct.wsUrl, { 'X-Forwarded-For': '198.51.100.2' }), /HTTP 429/, 'a client cannot pick its address');
  one.close();
});
