/**
 * A relay-only meeting of four through coturn running the shipped deploy/coturn/turnserver.conf
 * (quotas, denied ranges and all). The test adds only the loopback allowance (every browser is on
 * this machine) and what a test process needs: loopback addresses, the log on stdout, its own
 * pid and database files. Both TURN URLs over UDP and TCP are listed, as a deployment lists them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { untilOutput } from '../process.js';
import { playingVideos, relayPerson, ROOT, startApp, type Person } from './helpers.js';

const CONF = join(ROOT, 'deploy/coturn/turnserver.conf');
const PEOPLE = 4;
const TURN_URLS = ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp'];

/** The value of `name=` in the shipped config. */
function setting(name: string): string {
  const value = new RegExp(`^${name}=(.*)$`, 'm').exec(readFileSync(CONF, 'utf8'))?.[1];
  if (value === undefined) throw new Error(`${name} is not set in ${CONF}`);
  return value;
}

/** Per connected connection of the page: its selected pair's candidate types and the bytes received over it. */
function selectedPairs(p: Person): Promise<Array<{ local: string; remote: string; bytesReceived: number }>> {
  return p.page.evaluate(async () => {
    const pairs: Array<{ local: string; remote: string; bytesReceived: number }> = [];
    for (const { pc } of (window as unknown as { __pcs: Array<{ pc: RTCPeerConnection }> }).__pcs) {
      if (pc.connectionState !== 'connected') continue;
      const stats = await pc.getStats();
      let selected: string | undefined;
      stats.forEach((s) => {
        if (s.type === 'transport' && s.selectedCandidatePairId) selected = s.selectedCandidatePairId;
      });
      const pair = selected ? stats.get(selected) : undefined;
      if (!pair) continue;
      pairs.push({
        local: stats.get(pair.localCandidateId)?.candidateType,
        remote: stats.get(pair.remoteCandidateId)?.candidateType,
        bytesReceived: pair.bytesReceived ?? 0,
      });
    }
    return pairs;
  });
}

/** More than handshakes and a few keep-alives: audio and video arrived over the pair. */
const MEDIA_BYTES = 50_000;
/** Only stops a broken test from hanging. */
const MEDIA_DEADLINE_MS = 180_000;

test(`a relay-only meeting of ${PEOPLE} through the shipped coturn config: every pair relays, no quota refusals, allocations within user-quota`, async (t) => {
  const dir = mkdtempSync(join(ROOT, '.tmp', 'turn-'));
  const turn = spawn(
    'turnserver',
    [
      '-c',
      CONF,
      // The loopback allowance: the shipped config denies 127.0.0.0/8, rightly, for real peers.
      '--allow-loopback-peers',
      '--allowed-peer-ip=127.0.0.1',
      // A test process on loopback: addresses, pid and database files of its own.
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--pidfile=${dir}/turn.pid`,
      `--userdb=${dir}/turndb`,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  t.after(() => turn.kill('SIGKILL'));
  let log = '';
  turn.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await untilOutput(turn, /listener opened on|Total General servers/, 'turnserver with deploy/coturn/turnserver.conf (apt-get install coturn)');

  const app = await startApp(t, { TURN_URLS: TURN_URLS.join(','), TURN_SECRET: setting('static-auth-secret') });
  const link = `${app.url}/?lang=en#${'Q'.repeat(22)}`;
  const people: Person[] = [];
  for (let i = 0; i < PEOPLE; i++) people.push(await relayPerson(t, link, `P${i}`));
  // Media over every pair, through the relay: four Chromiums on two shared cores may decode
  // late, so the proof is the selected pair's candidates and the bytes received over it.
  for (const [i, p] of people.entries()) {
    let pairs: Awaited<ReturnType<typeof selectedPairs>> = [];
    // Four Chromiums relaying on two shared cores connect slowly: a longer hang guard than WAIT_MS.
    const deadline = Date.now() + MEDIA_DEADLINE_MS;
    for (;;) {
      pairs = await selectedPairs(p);
      if (pairs.length === PEOPLE - 1 && pairs.every((x) => x.bytesReceived > MEDIA_BYTES)) break;
      if (Date.now() > deadline) {
        const trouble = log.split('\n').filter((l) => /error|quota|denied|forbidden/i.test(l));
        throw new Error(`P${i}: media from every other participant: still ${JSON.stringify(pairs)}\ncoturn: ${trouble.slice(-10).join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.deepEqual(
      pairs.map((x) => [x.local, x.remote]),
      pairs.map(() => ['relay', 'relay']),
      `P${i}: every pair relays`,
    );
  }
  assert.ok((await playingVideos(people[0]!.page)) >= 2, 'videos play');

  assert.doesNotMatch(log, /Quota/i, 'coturn logged no quota refusal');
  // Allocations as each browser made them (coturn's short log names them only when a session
  // ends): its relay candidates, on every connection; and no allocation refused (486) or failed.
  const quota = Number(setting('user-quota'));
  const perPerson = [];
  for (const p of people) {
    const { relays, errors } = await p.page.evaluate(async () => {
      const w = window as unknown as { __pcs: Array<{ pc: RTCPeerConnection }>; __iceErrors: Array<{ code: number; url: string }> };
      let relays = 0;
      for (const { pc } of w.__pcs) {
        if (pc.signalingState === 'closed') continue;
        (await pc.getStats()).forEach((s) => {
          if (s.type === 'local-candidate' && s.candidateType === 'relay') relays++;
        });
      }
      return { relays, errors: w.__iceErrors };
    });
    assert.deepEqual(
      errors.filter((e) => e.code === 486 || e.code === 508),
      [],
      'no allocation refused for quota or capacity',
    );
    perPerson.push(relays);
  }
  t.diagnostic(`allocations per participant (relay candidates): ${perPerson.join(', ')} (user-quota ${quota})`);
  assert.ok(Math.min(...perPerson) >= PEOPLE - 1, 'every participant allocated at least one relay per other participant');
  // The sizing in turnserver.conf: once per TURN URL, per local address (one here), per other participant.
  assert.ok(Math.max(...perPerson) <= (PEOPLE - 1) * TURN_URLS.length, `at most (n-1) x URLs allocations: ${perPerson.join(', ')}`);
  assert.ok(quota >= (8 - 1) * 3 * 2, `user-quota ${quota} holds a relay-only meeting of eight with three URLs and two addresses`);
});
