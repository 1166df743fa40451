import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Browser, Page, Protocol } from 'puppeteer-core';
import { startTurn, TURN_URL } from '../turn.js';
import {
  click,
  everyTarget,
  fill,
  joinAs,
  person,
  playingVideos,
  RECORD_PEER_CONNECTIONS,
  relayPerson,
  ROOT,
  role,
  shown,
  startApp,
  waitFor,
} from './helpers.js';

/** The candidate types of the connections' selected pairs, e.g. ['relay', 'relay']. */
function selectedCandidateTypes(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const out: string[] = [];
    for (const { pc } of (window as unknown as { __pcs: Array<{ pc: RTCPeerConnection }> }).__pcs) {
      if (pc.connectionState !== 'connected') continue;
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type === 'transport' && s.selectedCandidatePairId) {
          const pair = stats.get(s.selectedCandidatePairId);
          out.push(stats.get(pair.localCandidateId)?.candidateType, stats.get(pair.remoteCandidateId)?.candidateType);
        }
      });
    }
    return out;
  });
}

test('relay only: two browsers connect through the real coturn with credentials minted by the box', async (t) => {
  const turn = await startTurn(t);
  const app = await startApp(t, turn.env);
  const link = `${app.url}/?lang=en#${'T'.repeat(22)}`;
  const ada = await relayPerson(t, link, 'Ada');
  const bob = await relayPerson(t, link, 'Bob');
  for (const p of [ada, bob])
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 2,
      'both videos through the relay',
    );
  for (const p of [ada, bob]) {
    const types = await waitFor(
      () => selectedCandidateTypes(p.page),
      (ts) => ts.length >= 2,
      'a selected pair',
    );
    assert.ok(
      types.every((x) => x === 'relay'),
      `only relay candidates: ${types}`,
    );
    const configs = await p.page.evaluate(() => (window as unknown as { __pcs: Array<{ config: RTCConfiguration }> }).__pcs.map((x) => x.config));
    for (const c of configs) {
      assert.equal(c.iceTransportPolicy, 'relay');
      assert.deepEqual(
        c.iceServers!.flatMap((s) => s.urls),
        [TURN_URL],
      );
    }
  }
  assert.match(await shown(ada.page, role('status')), /Relay only: the others cannot see your network address\./);
});

test('relay only with credentials the TURN server refuses: a clear sentence', async (t) => {
  await startTurn(t);
  const app = await startApp(t, { TURN_URLS: TURN_URL, TURN_SECRET: 'not-the-secret' });
  const link = `${app.url}/?lang=en#${'W'.repeat(22)}`;
  const ada = await relayPerson(t, link, 'Ada');
  await relayPerson(t, link, 'Bob');
  await shown(ada.page, role('status'), 'The relay server refused the connection');
});

test('relay only without a TURN server: a clear sentence', async (t) => {
  const app = await startApp(t);
  const ada = await relayPerson(t, `${app.url}/?lang=en#${'N'.repeat(22)}`, 'Ada');
  await shown(ada.page, role('status'), 'needs a relay (TURN) server');
});

/** What a browser sends and receives: every request of its pages and service workers, and its WebSocket traffic. */
interface Traffic {
  requests: string[];
  sockets: string[];
  /** The payloads of WebSocket frames sent and received. */
  frames: string[];
}

async function recordTraffic(browser: Browser, traffic: Traffic): Promise<void> {
  const payload = ({ response }: { response: Protocol.Network.WebSocketFrame }) =>
    traffic.frames.push(response.opcode === 2 ? Buffer.from(response.payloadData, 'base64').toString() : response.payloadData);
  await everyTarget(browser, async (session) => {
    session.on('Network.requestWillBeSent', ({ request }) => traffic.requests.push(request.url));
    session.on('Network.webSocketCreated', ({ url }) => traffic.sockets.push(url));
    session.on('Network.webSocketFrameSent', payload);
    session.on('Network.webSocketFrameReceived', payload);
    await session.send('Network.enable');
  });
}

test('during a call the browsers talk only to the app origin and the peers; the box sees no SDP, candidates or names', async (t) => {
  const app = await startApp(t);
  const origin = new URL(app.url).origin;
  const link = `${app.url}/?lang=en#${'P'.repeat(22)}`;
  const traffic: Traffic = { requests: [], sockets: [], frames: [] };
  const { requests, sockets, frames } = traffic;
  const people = [];
  for (const name of ['Adelheid', 'Bartholomew']) {
    const p = await person(t);
    await p.page.evaluateOnNewDocument(RECORD_PEER_CONNECTIONS);
    await recordTraffic(p.browser, traffic);
    await joinAs(p.page, link, name);
    people.push(p);
  }
  for (const p of people)
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 2,
      'call up',
    );
  await click(people[0].page, role('button', 'Chat'));
  await fill(people[0].page, role('textbox', 'Message to everyone'), 'confidential chat line');
  await people[0].page.keyboard.press('Enter');
  await shown(people[1].page, role('button', 'Chat, 1 unread'));

  const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(foreign, [], 'no request leaves the app origin');
  assert.ok(requests.length > 0);
  assert.deepEqual([...new Set(sockets)], [`${origin.replace('http', 'ws')}/ws`]);
  for (const p of people) {
    const configs = await p.page.evaluate(() => (window as unknown as { __pcs: Array<{ config: RTCConfiguration }> }).__pcs.map((x) => x.config));
    assert.ok(configs.length > 0);
    for (const c of configs) assert.deepEqual(c.iceServers ?? [], [], 'no STUN/TURN server but the ones the box names (none here)');
  }
  assert.ok(
    frames.some((f) => f.includes('"type":"signal"')),
    'frames were captured',
  );
  for (const secret of ['v=0', 'a=fingerprint', 'candidate:', 'Adelheid', 'Bartholomew', 'confidential chat line', 'P'.repeat(22)]) {
    assert.ok(!frames.some((f) => f.includes(secret)), `the box never sees ${secret}`);
  }
});

test('the app is served with strict security headers', async (t) => {
  const app = await startApp(t);
  const res = await fetch(`${app.url}/`);
  assert.equal(res.status, 200);
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'self'/);
  // WebAssembly may be compiled (background blur's segmenter); JavaScript may not be evaluated.
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.match(csp, /connect-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'|\*/);
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.match(res.headers.get('permissions-policy') ?? '', /camera=\(self\).*microphone=\(self\).*display-capture=\(self\)/);
});

test('the shipped coturn config is safe: shared secret, no CLI, private and loopback ranges denied', () => {
  const conf = readFileSync(join(ROOT, 'deploy/coturn/turnserver.conf'), 'utf8');
  const lines = conf.split('\n').filter((l) => !l.startsWith('#'));
  for (const needed of ['use-auth-secret', 'no-cli', 'no-multicast-peers', 'tls-listening-port=5349']) assert.ok(lines.includes(needed), needed);
  for (const range of [
    '10.0.0.0-10.255.255.255',
    '127.0.0.0-127.255.255.255',
    '172.16.0.0-172.31.255.255',
    '192.168.0.0-192.168.255.255',
    '169.254.0.0-169.254.255.255',
    '::1',
    'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  ]) {
    assert.ok(lines.includes(`denied-peer-ip=${range}`), range);
  }
  assert.ok(!lines.some((l) => l.startsWith('allow-loopback-peers')), 'loopback peers only in tests');
  assert.ok(lines.some((l) => l.startsWith('max-bps=')) && lines.some((l) => l.startsWith('user-quota=')));
});
