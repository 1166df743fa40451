import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boxFor, joinAll, newRoomId, TestClient } from './helpers.js';

/** The value of one sample line, e.g. `runde_rooms 1`, or of a labelled one. */
function sample(text: string, name: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : null;
}

test('exports rooms, peers, joins, resumes, relays, refusals by code and process figures', async (t) => {
  const server = await boxFor(t, { ratePerSecond: 1, rateBurst: 3, maxStrikes: 2 });
  const room = newRoomId();
  const [a, b] = await joinAll(server, room, 2);
  a.send({ type: 'signal', to: b.id, data: 'x'.repeat(100) });
  await b.next();
  a.send({ type: 'signal', to: 'A'.repeat(22), data: 1 });
  await a.next();
  const flooder = await TestClient.open(server.wsUrl);
  for (let i = 0; i < 10; i++) flooder.send({ type: 'ping' });
  await flooder.closed;

  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  const text = await res.text();
  assert.equal(sample(text, 'runde_rooms'), 1);
  assert.equal(sample(text, 'runde_peers'), 2);
  assert.equal(sample(text, 'runde_joins_total'), 2);
  assert.equal(sample(text, 'runde_relayed_messages_total'), 1);
  assert.ok(sample(text, 'runde_relayed_bytes_total')! > 100);
  assert.equal(sample(text, 'runde_refusals_total{code="ERR_UNKNOWN_PEER"}'), 1);
  assert.ok(sample(text, 'runde_refusals_total{code="ERR_RATE_LIMITED"}')! >= 1);
  assert.equal(sample(text, 'runde_rate_limited_sockets_total'), 1);
  assert.ok(sample(text, 'runde_box_process_resident_memory_bytes')! > 0);
  assert.ok(!text.includes(room) && !text.includes(a.id), 'no ids in metrics');

  const again = await (await fetch(`${server.url}/metrics`)).text();
  assert.equal(sample(again, 'runde_joins_total'), 2, 'counters are not counted twice');
});

test('with a token, /metrics answers only to that bearer token', async (t) => {
  const server = await boxFor(t, { metricsToken: 's3cret-token' });
  assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
  assert.equal((await fetch(`${server.url}/metrics`, { headers: { Authorization: 'Bearer wrong' } })).status, 401);
  const ok = await fetch(`${server.url}/metrics`, { headers: { Authorization: 'Bearer s3cret-token' } });
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /runde_rooms 0/);
});

test('METRICS=false turns /metrics off', async (t) => {
  const server = await boxFor(t, { metrics: false });
  assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
});
