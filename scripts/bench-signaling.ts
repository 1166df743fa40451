/**
 * `npm run bench:signaling` — Runde's signaling box (alone, and as two boxes sharing rooms through
 * Redis) against the PeerJS server, y-webrtc's signaling server and a bare `ws` relay, under the
 * same load, on this machine, in one run:
 *
 * 1. latency: p50/p99 of send→delivery at a fixed total rate of 2,000 signals/s;
 * 2. throughput: rooms of 4 peers relaying 600-byte signals to each other in a closed loop;
 * 3. memory: resident memory per idle, registered connection at 5,000 connections
 *    (on a fresh server process).
 *
 * Each server runs as a child pinned to core 0; this process (the load generator) pins itself
 * to core 1. The two-box row (`runde2`) runs both boxes and their redis-server on core 0 too, the
 * same CPU budget as one box, with each room's peers split 2 + 2 between the boxes, so that two of
 * every peer's three roommates are on the other box and its signals to them cross Redis pub/sub.
 * Progress goes to stderr, the table (or `--json`) to stdout.
 *
 *   npm run bench:signaling -- [--quick] [--json] [--only runde,runde2,bare,barecork] [--cpu-prof]
 *     [--warmup s] [--measure s] [--latency-warmup s] [--latency s] [--rate n] [--rooms n] [--window n]
 *     [--payload bytes] [--idle n] [--wait-quiet s] [--retries n] [--rounds n]   (--help says more)
 *
 * On a machine shared with other work, each timed phase first waits for the other processes to
 * go quiet and is measured again when they disturbed it anyway (--wait-quiet, --retries); the
 * notes report what other processes used during every figure. `--rounds 3` also repeats the load
 * phases with the servers taking turns and keeps, per server, the best figures among the rounds
 * no other process disturbed (the notes list every round).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { killAllChildren } from './bench/children.js';
import { launchDeployment } from './bench/cluster.js';
import { measureIdle } from './bench/idle.js';
import { LoadRooms } from './bench/load.js';
import { OTHER_CPU_WARNING, pickFigures, renderJson, renderText, type LoadRound, type RunSettings, type ServerResult } from './bench/report.js';
import {
  ROOT,
  ALL_SERVER_KEYS,
  DEFAULT_SERVER_KEYS,
  TARGETS,
  machineBusySeconds,
  prepareEntries,
  sleep,
  type Deployment,
  type Entries,
  type ServerKey,
} from './bench/servers.js';
import { parseOptions } from './bench/options.js';
import { summarizeProfile } from './bench/profile.js';

const SERVER_CORE = 0;
const GENERATOR_CORE = 1;

interface Options {
  json: boolean;
  only: ServerKey[];
  cpuProf: boolean;
  warmupSeconds: number;
  measureSeconds: number;
  latencyWarmupSeconds: number;
  latencySeconds: number;
  rate: number;
  rooms: number;
  window: number;
  payloadBytes: number;
  idle: number;
  quietSeconds: number;
  rounds: number;
  retries: number;
}

const COMMAND = {
  usage: 'npm run bench:signaling --',
  summary:
    "Runde's signaling box (alone, and as two boxes sharing rooms through Redis) against the PeerJS server,\n" +
    "y-webrtc's signaling server and a bare ws relay: latency, throughput and memory per idle connection.\n" +
    'The table (or JSON) goes to stdout, progress to stderr.',
  options: {
    quick: { type: 'boolean', help: 'short phases and 1,000 idle connections, for a first look' },
    json: { type: 'boolean', help: 'print JSON instead of the table' },
    only: {
      type: 'list',
      help: 'the servers to measure, always in table order',
      choices: ALL_SERVER_KEYS,
      default: DEFAULT_SERVER_KEYS,
    },
    'cpu-prof': { type: 'boolean', help: "profile each server's load phases (first round) and list its hottest functions" },
    warmup: { type: 'number', help: 'throughput warm-up', defaultNote: '3, 1 with --quick', min: 0, max: 120, value: 's' },
    measure: { type: 'number', help: 'throughput window', defaultNote: '8, 2 with --quick', min: 0.5, max: 600, value: 's' },
    'latency-warmup': { type: 'number', help: 'latency warm-up', defaultNote: '3, 1 with --quick', min: 0, max: 120, value: 's' },
    latency: { type: 'number', help: 'latency window', defaultNote: '5, 2 with --quick', min: 0.5, max: 600, value: 's' },
    rate: { type: 'number', help: 'total signals per second in the latency phase', min: 10, max: 100_000, integer: true, default: 2_000, value: 'msg/s' },
    rooms: { type: 'number', help: 'rooms of 4 peers under load', min: 1, max: 2_000, integer: true, default: 50 },
    window: { type: 'number', help: 'signals each peer keeps in flight in the throughput phase', min: 1, max: 1_000, integer: true, default: 8 },
    payload: { type: 'number', help: 'bytes per signal', min: 40, max: 60_000, integer: true, default: 600, value: 'bytes' },
    idle: { type: 'number', help: 'idle connections for the memory phase', defaultNote: '5000, 1000 with --quick', min: 4, max: 50_000, integer: true },
    'wait-quiet': {
      type: 'number',
      help: 'before each timed phase, wait at most this long for other processes to go quiet',
      defaultNote: '60, 5 with --quick',
      min: 0,
      max: 600,
      value: 's',
    },
    retries: {
      type: 'number',
      help: 'measure a phase again, at most n times, while other processes disturbed it',
      defaultNote: '2, 0 with --quick',
      min: 0,
      max: 10,
      integer: true,
    },
    rounds: {
      type: 'number',
      help: 'repeat the load phases n times, servers taking turns; the best quiet round counts',
      min: 1,
      max: 20,
      integer: true,
      default: 1,
    },
  },
  notes:
    '--only runde2 is Runde as two boxes sharing rooms through one redis-server (on the server core too);\n' +
    "--only …,barecork adds a bare relay that corks like Runde's box (signaling/outbox.ts).\n" +
    'PeerJS and y-webrtc are installed into scripts/compare/ on their first use (npm ci).',
} as const;

function options(): Options {
  const v = parseOptions(COMMAND);
  const quick = v.quick;
  return {
    json: v.json,
    only: ALL_SERVER_KEYS.filter((k) => v.only.includes(k)), // always in the table's order
    cpuProf: v['cpu-prof'],
    warmupSeconds: v.warmup ?? (quick ? 1 : 3),
    measureSeconds: v.measure ?? (quick ? 2 : 8),
    latencyWarmupSeconds: v['latency-warmup'] ?? (quick ? 1 : 3),
    latencySeconds: v.latency ?? (quick ? 2 : 5),
    rate: v.rate,
    rooms: v.rooms,
    window: v.window,
    payloadBytes: v.payload,
    idle: v.idle ?? (quick ? 1_000 : 5_000),
    rounds: v.rounds,
    retries: v.retries ?? (quick ? 0 : 2),
    quietSeconds: v['wait-quiet'] ?? (quick ? 5 : 60),
  };
}

function progress(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

/** Pins this process (all its threads) to the generator core; false when not possible. */
function pinSelf(): boolean {
  if (availableParallelism() < 2) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(GENERATOR_CORE), String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The soft limit on open files, which must cover the idle phase's client sockets. */
function ensureFileLimit(needed: number): void {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const match = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(limits);
  if (!match || match[1] === 'unlimited' || Number(match[1]) >= needed) return;
  // Raise the soft limit up to the hard one for this process (children inherit it).
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${match[2]}:${match[2]}`], { stdio: 'ignore' });
  } catch {
    // checked below
  }
  const now = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  if (now && now[1] !== 'unlimited' && Number(now[1]) < needed) {
    throw new Error(`open-file limit ${now[1]} < ${needed}: run \`ulimit -n ${needed}\` first or pass a smaller --idle`);
  }
}

/**
 * One run of the load phases on a fresh server process: latency at the fixed rate first, while
 * the server's heap holds only what joining left (after a throughput burst, V8 would spend the
 * latency phase shrinking its heap again, which no steady-state box does), then throughput.
 * The latency warm-up also lets the JIT compile the relay path before anything is measured.
 */
async function loadPhases(key: ServerKey, entries: Entries, opts: Options, pinned: boolean, profileDir: string | null): Promise<LoadRound> {
  const target = TARGETS[key];
  const nodeFlags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const server = await launchDeployment(target, entries, { core: pinned ? SERVER_CORE : null, nodeFlags });
  let rooms: LoadRooms | null = null;
  try {
    progress(`${target.label}: ${opts.rooms * 4} peers joining (${server.where})`);
    const m = await LoadRooms.open(target.protocol, (peer) => server.portOf(peer), opts.rooms, opts.payloadBytes);
    rooms = m;
    const latency = await leastDisturbed(opts, target.label, 'latency', async () => {
      await waitForQuiet(server, opts.quietSeconds);
      progress(`${target.label}: latency at ${opts.rate} msg/s, ${opts.latencyWarmupSeconds} s warm-up + ${opts.latencySeconds} s`);
      const l = await m.paced(opts.rate, opts.latencyWarmupSeconds * 1000, opts.latencySeconds * 1000, () => server.cpuSeconds());
      progress(`${target.label}: p50 ${l.p50Ms.toFixed(2)} ms, p99 ${l.p99Ms.toFixed(2)} ms`);
      return l;
    });
    const throughput = await leastDisturbed(opts, target.label, 'throughput', async () => {
      await waitForQuiet(server, opts.quietSeconds);
      progress(`${target.label}: throughput, ${opts.warmupSeconds} s warm-up + ${opts.measureSeconds} s`);
      const t = await m.closedLoop(opts.window, opts.warmupSeconds * 1000, opts.measureSeconds * 1000, () => server.cpuSeconds());
      progress(`${target.label}: ${Math.round(t.msgsPerSec).toLocaleString('en-US')} msg/s`);
      return t;
    });
    if (!server.alive) throw new Error(`server died: ${server.stderrTail.slice(-300)}`);
    return { throughput, latency, counters: { ...m.counters } };
  } finally {
    rooms?.close();
    await server.stop();
  }
}

async function idlePhase(key: ServerKey, entries: Entries, opts: Options, pinned: boolean, result: ServerResult): Promise<void> {
  const target = TARGETS[key];
  const server = await launchDeployment(target, entries, { core: pinned ? SERVER_CORE : null });
  try {
    progress(`${target.label}: opening ${opts.idle} idle connections`);
    result.idle = await measureIdle(server, opts.idle, opts.payloadBytes);
    progress(`${target.label}: ${result.idle.kibPerConnection.toFixed(1)} KiB per idle connection`);
  } finally {
    if (!server.alive) result.errors.push(`server died: ${server.stderrTail.slice(-300)}`);
    await server.stop();
  }
}

/**
 * Runs a measurement again (up to --retries times) while other processes disturbed it, and keeps
 * the least disturbed attempt: on a shared machine a test run or browser can start mid-phase.
 */
async function leastDisturbed<T extends { otherCpu: number }>(opts: Options, label: string, phase: string, measure: () => Promise<T>): Promise<T> {
  let best: T | null = null;
  for (let attempt = 0; attempt <= opts.retries; attempt++) {
    const result = await measure();
    if (!best || result.otherCpu < best.otherCpu) best = result;
    if (result.otherCpu < OTHER_CPU_WARNING) break;
    if (attempt < opts.retries) {
      progress(`${label}: ${phase} disturbed (other processes ${(result.otherCpu * 100).toFixed(0)}% of a core); again`);
    }
  }
  return best!;
}

/** Share of a core other processes may use before a measurement waits for them. */
const QUIET_CPU = OTHER_CPU_WARNING;

/**
 * On a shared machine another process (a test run, a browser) can take a core in the middle of a
 * measurement. Before each timed phase, wait until the rest of the machine has used less than
 * QUIET_CPU of a core for a full second, at most `maxSeconds`; then measure anyway (the notes
 * report the disturbance of every phase).
 */
async function waitForQuiet(server: Deployment, maxSeconds: number): Promise<void> {
  if (maxSeconds <= 0) return;
  const deadline = Date.now() + maxSeconds * 1000;
  let warned = false;
  for (;;) {
    const m0 = machineBusySeconds();
    const s0 = server.cpuSeconds();
    const g0 = process.cpuUsage();
    await sleep(1_000);
    const g = process.cpuUsage(g0);
    const other = machineBusySeconds() - m0 - (server.cpuSeconds() - s0) - (g.user + g.system) / 1e6;
    if (other < QUIET_CPU || Date.now() >= deadline) {
      if (other >= QUIET_CPU) progress(`machine still busy (${(other * 100).toFixed(0)}% of a core); measuring anyway`);
      return;
    }
    if (!warned) progress(`other processes use ${(other * 100).toFixed(0)}% of a core; waiting up to ${maxSeconds} s`);
    warned = true;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function main(): Promise<void> {
  const opts = options();
  const hasTaskset = (() => {
    try {
      execFileSync('taskset', ['-V'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  const pinned = hasTaskset && pinSelf();
  if (!pinned) progress('WARNING: not pinned to cores (needs taskset and 2 cores); figures will be noisier');
  ensureFileLimit(opts.idle + 1_000);

  // A hard bound on the whole run: generous per server, so only a hang can reach it.
  const perServerSeconds =
    (1 + opts.retries) * (opts.warmupSeconds + opts.measureSeconds + opts.latencyWarmupSeconds + opts.latencySeconds + 2 * opts.quietSeconds + 20) +
    opts.idle / 200 +
    60;
  setTimeout(
    () => {
      progress('watchdog: the run took far longer than planned; stopping');
      killAllChildren();
      process.exit(2);
    },
    (30 + perServerSeconds * opts.only.length * opts.rounds) * 1000,
  ).unref();

  progress('preparing the servers');
  const entries = await prepareEntries(opts.only, progress);
  const profileRoot = opts.cpuProf ? join(ROOT, '.tmp', 'bench', `prof-${Date.now()}`) : null;

  const results: ServerResult[] = opts.only.map((key) => ({
    key,
    label: TARGETS[key].label,
    throughput: null,
    latency: null,
    idle: null,
    counters: null,
    rounds: [],
    errors: [],
  }));
  // Rounds go through all servers in turn, so that a slow drift of the machine hits all alike.
  for (let round = 1; round <= opts.rounds; round++) {
    if (opts.rounds > 1) progress(`round ${round} of ${opts.rounds}`);
    for (const result of results) {
      const profileDir = profileRoot && round === 1 ? join(profileRoot, result.key) : null;
      if (profileDir) mkdirSync(profileDir, { recursive: true });
      try {
        result.rounds.push(await loadPhases(result.key, entries, opts, pinned, profileDir));
      } catch (err) {
        result.errors.push(`load phases (round ${round}): ${errorText(err)}`);
        progress(`${result.label}: load phases failed: ${errorText(err)}`);
      }
    }
  }
  for (const result of results) {
    pickFigures(result);
    try {
      await idlePhase(result.key, entries, opts, pinned, result);
    } catch (err) {
      result.errors.push(`idle phase: ${errorText(err)}`);
      progress(`${result.label}: idle phase failed: ${errorText(err)}`);
    }
  }

  const settings: RunSettings = {
    rooms: opts.rooms,
    window: opts.window,
    payloadBytes: opts.payloadBytes,
    warmupSeconds: opts.warmupSeconds,
    measureSeconds: opts.measureSeconds,
    latencyRate: opts.rate,
    latencyWarmupSeconds: opts.latencyWarmupSeconds,
    latencySeconds: opts.latencySeconds,
    idleConnections: opts.idle,
    rounds: opts.rounds,
    pinned,
    entriesVia: entries.via,
    node: process.version,
  };
  process.stdout.write(`${opts.json ? renderJson(results, settings) : renderText(results, settings)}\n`);

  if (profileRoot) {
    for (const key of opts.only) {
      const dir = join(profileRoot, key);
      const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')) : [];
      if (files.length === 0) continue;
      const file = join(dir, files[0]);
      process.stderr.write(`\nCPU profile of ${TARGETS[key].label} (load phases): ${file}\n${summarizeProfile(file, 15)}\n`);
    }
  }
  const failed = results.some((r) => r.errors.length > 0);
  process.exitCode = failed ? 1 : 0;
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench-signaling: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    killAllChildren();
    // Sockets or timers left by a failed phase must not keep the process alive.
    setTimeout(() => process.exit(), 1_000).unref();
  });
