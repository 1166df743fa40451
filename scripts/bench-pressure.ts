/**
 * `npm run bench:pressure` — what the attacks of test/attacks.ts cost a box, in figures:
 *
 * 1. slow consumer: a reader that stops reading while three senders send it 60 KB signals at the
 *    box's allowed rate (50/s each): the box's resident memory over time, whether the reader is
 *    cut, and what the senders were told;
 * 2. away-peer squatting: how many rooms one address can hold by joining and dropping sockets;
 * 3. slow headers: 3,000 connections that trickle their headers, and how long /healthz takes to
 *    answer someone else meanwhile and while they are cut.
 *
 * Each attack gets a fresh box process (`node --import tsx signaling/main.ts` of this checkout,
 * or of another with `--box <checkout>` to compare, e.g. a worktree of an older commit).
 *
 *   npm run bench:pressure -- [--box <checkout>] [--seconds 20] [--only slow,squat,headers]
 */
import { resolve } from 'node:path';
import { BYSTANDER, bystandersMeet, slowConsumer, slowHeaders, squatRooms } from '../test/attacks.js';
import { rssBytes } from '../test/node/helpers.js';
import { Child } from './bench/children.js';
import { parseOptions } from './bench/options.js';

const ATTACKS = ['slow', 'squat', 'headers'] as const;

const options = parseOptions({
  usage: 'npm run bench:pressure --',
  summary: 'What the attacks of test/attacks.ts cost a box (slow consumer, away-peer squatting, slow headers), each on a fresh box.',
  options: {
    box: { type: 'string', help: 'the checkout whose box to attack (e.g. a worktree of an older commit)', default: '.', value: 'dir' },
    seconds: { type: 'number', help: 'how long the slow consumer attack runs', min: 1, max: 600, default: 20, value: 's' },
    only: { type: 'list', help: 'the attacks to run', choices: ATTACKS, default: ATTACKS },
  },
});
const CHECKOUT = resolve(options.box);
const SECONDS = options.seconds;
const ONLY = new Set(options.only);
const MIB = 1024 * 1024;

interface Box {
  child: Child;
  url: string;
  wsUrl: string;
  stop(): void;
}

async function startBox(env: Record<string, string>): Promise<Box> {
  const child = Child.spawn(process.execPath, ['--import', 'tsx', 'signaling/main.ts'], {
    label: `the box of ${CHECKOUT}`,
    cwd: CHECKOUT,
    env: { ...process.env, PORT: '0', HOST: '0.0.0.0', ...env },
    capture: 'stderr',
  });
  const [, listening] = await child.waitForLine(/WebSocket (ws:\/\/\S+)\)/);
  const wsUrl = listening.replace('0.0.0.0', '127.0.0.1');
  return { child, wsUrl, url: wsUrl.replace(/^ws:/, 'http:').replace(/\/ws$/, ''), stop: () => child.kill() };
}

/** Milliseconds until /healthz answers a request from the bystanders' address. */
async function healthzMs(url: string): Promise<number> {
  const { request } = await import('node:http');
  const started = performance.now();
  await new Promise<void>((ok, fail) => {
    const req = request(`${url}/healthz`, { localAddress: BYSTANDER, agent: false }, (res) => {
      res.resume();
      res.once('end', () => ok());
    });
    req.once('error', fail);
    req.end();
  });
  return performance.now() - started;
}

const mib = (bytes: number) => (bytes / MIB).toFixed(1);

async function slow(): Promise<void> {
  const box = await startBox({});
  const pid = box.child.pid;
  const before = rssBytes(pid);
  const samples: number[] = [];
  const perSecond = 50;
  const senders = 3;
  const frameBytes = 60_000;
  const result = await slowConsumer({
    wsUrl: box.wsUrl,
    senders,
    frameBytes,
    perSecond,
    totalBytes: senders * perSecond * frameBytes * SECONDS,
    sample: () => samples.push(rssBytes(pid)),
  });
  const after = rssBytes(pid);
  const peak = Math.max(...samples, after);
  const code = await result.end();
  const meet = await bystandersMeet(box.wsUrl);
  box.stop();
  console.log(
    `slow consumer: ${senders} senders × ${perSecond}/s × ${frameBytes / 1000} KB for ${result.seconds.toFixed(1)} s (${mib(result.sentBytes)} MiB sent to the reader)`,
  );
  console.log(`  box RSS ${mib(before)} → peak ${mib(peak)} MiB (+${mib(peak - before)}), at the end ${mib(after)} MiB`);
  const perSec = samples.filter((_, i) => i % 10 === 9).map((b) => mib(b - before));
  console.log(`  RSS growth each second, MiB: ${perSec.join(' ')}`);
  console.log(`  reader cut by the box during the attack: ${result.readerCut ? 'yes' : 'no'} (its close code: ${code})`);
  console.log(`  senders were told: ${JSON.stringify(result.errors)}`);
  console.log(`  bystanders then joined: ${meet.joined}, exchanged a signal: ${meet.signalled}`);
}

async function squat(): Promise<void> {
  const box = await startBox({ MAX_CONNECTIONS_PER_IP: '20', MAX_ROOMS: '200', GRACE_MS: '60000' });
  const result = await squatRooms(box.wsUrl, 400);
  const meet = await bystandersMeet(box.wsUrl);
  box.stop();
  console.log(`away-peer squatting (MAX_CONNECTIONS_PER_IP=20, MAX_ROOMS=200): one address made ${result.rooms} rooms in ${result.attempts} attempts`);
  console.log(`  then: ${result.refusal ? `${result.refusal.code} (close ${result.refusal.close})` : 'never refused'}`);
  console.log(`  bystanders then joined: ${meet.joined}, exchanged a signal: ${meet.signalled}`);
}

async function headers(): Promise<void> {
  const box = await startBox({});
  const quiet = await healthzMs(box.url);
  const attack = await slowHeaders(box.url, 3_000, 1_000);
  const during: number[] = [];
  const started = performance.now();
  const open: number[] = [];
  const counter = setInterval(() => open.push(attack.open()), 1_000);
  let done = false;
  void attack.allClosed.then(() => (done = true));
  while (!done && performance.now() - started < 120_000) during.push(await healthzMs(box.url));
  clearInterval(counter);
  const cutAfter = (performance.now() - started) / 1000;
  const meet = await bystandersMeet(box.wsUrl);
  attack.stop();
  box.stop();
  during.sort((a, b) => a - b);
  console.log(`slow headers: 3,000 connections from one address trickling a header byte a second`);
  console.log(`  attacker connections open, each second: ${open.join(' ')}`);
  console.log(`  all cut by the box after ${done ? `${cutAfter.toFixed(1)} s` : 'more than 120 s (stopped waiting)'}`);
  console.log(
    `  /healthz from another address: ${quiet.toFixed(1)} ms quiet; meanwhile median ${during[Math.floor(during.length / 2)]?.toFixed(1)} ms, max ${during.at(-1)?.toFixed(1)} ms over ${during.length} requests`,
  );
  console.log(`  bystanders then joined: ${meet.joined}, exchanged a signal: ${meet.signalled}`);
}

console.log(`box: ${CHECKOUT}`);
if (ONLY.has('slow')) await slow();
if (ONLY.has('squat')) await squat();
if (ONLY.has('headers')) await headers();
process.exit(0);
