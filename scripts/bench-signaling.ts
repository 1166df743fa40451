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
 *   npx tsx scripts/bench-signaling.ts [--quick] [--json] [--only runde,runde2,bare,barecork] [--cpu-prof]
 *     [--warmup s] [--measure s] [--latency-warmup s] [--latency s] [--rate n] [--rooms n] [--window n]
 *     [--payload bytes] [--idle n] [--wait-quiet s] [--retries n] [--rounds n]
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
import { parseArgs } from 'node:util';
import { launchDeployment } from './bench/cluster.js';
import { measureIdle } from './bench/idle.js';
import { LoadRooms } from './bench/load.js';
import {
  OTHER_CPU_WARNING,
  pickFigures,
  renderJson,
  renderText,
  type LoadRound,
  type RunSettings,
  type ServerResult,
} from './bench/report.js';
import {
  ROOT,
  ALL_SERVER_KEYS,
  DEFAULT_SERVER_KEYS,
  TARGETS,
  killAllChildren,
  machineBusySeconds,
  prepareEntries,
  sleep,
  type Deployment,
  type Entries,
  type ServerKey,
} from './bench/servers.js';
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

const USAGE = `usage: bench-signaling [--quick] [--json] [--only runde,runde2,peerjs,ywebrtc,bare[,barecork]] [--cpu-prof]
  [--warmup s] [--measure s] [--latency-warmup s] [--latency s] [--rate msg/s] [--rooms n] [--window n] [--payload bytes] [--idle n]
  [--wait-quiet s] [--retries n] [--rounds n]
  --wait-quiet s   before each timed phase, wait at most this long for other processes to go quiet
  --retries n      measure a phase again, at most n times, while other processes disturbed it
  --rounds n       repeat the load phases n times, servers taking turns; the best quiet round counts
  --only runde2    Runde as two boxes sharing rooms through one redis-server (on the server core too)
  --only …,barecork  adds a bare relay that corks like Runde's box (signaling/outbox.ts)`;

class UsageError extends Error {}

function parseOptions(argv: string[]): Options {
  try {
    return parseOptionsOrThrow(argv);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function parseOptionsOrThrow(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      only: { type: 'string' },
      warmup: { type: 'string' },
      measure: { type: 'string' },
      latency: { type: 'string' },
      'latency-warmup': { type: 'string' },
      rate: { type: 'string' },
      rooms: { type: 'string' },
      window: { type: 'string' },
      payload: { type: 'string' },
      idle: { type: 'string' },
      'wait-quiet': { type: 'string' },
      rounds: { type: 'string' },
      retries: { type: 'string' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const quick = values.quick;
  const number = (name: string, raw: string | undefined, fallback: number, min: number, max: number): number => {
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min || v > max) throw new Error(`--${name} must be a number in [${min}, ${max}], got "${raw}"`);
    return v;
  };
  const only = (values.only ?? DEFAULT_SERVER_KEYS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const key of only) {
    if (!ALL_SERVER_KEYS.includes(key as ServerKey)) {
      throw new Error(`--only: unknown server "${key}" (${ALL_SERVER_KEYS.join(', ')})`);
    }
  }
  return {
    json: values.json,
    only: ALL_SERVER_KEYS.filter((k) => only.includes(k)), // always in the table's order
    cpuProf: values['cpu-prof'],
    warmupSeconds: number('warmup', values.warmup, quick ? 1 : 3, 0, 120),
    measureSeconds: number('measure', values.measure, quick ? 2 : 8, 0.5, 600),
    latencyWarmupSeconds: number('latency-warmup', values['latency-warmup'], quick ? 1 : 3, 0, 120),
    latencySeconds: number('latency', values.latency, quick ? 2 : 5, 0.5, 600),
    rate: Math.round(number('rate', values.rate, 2_000, 10, 100_000)),
    rooms: Math.round(number('rooms', values.rooms, 50, 1, 2_000)),
    window: Math.round(number('window', values.window, 8, 1, 1_000)),
    payloadBytes: Math.round(number('payload', values.payload, 600, 40, 60_000)),
    idle: Math.round(number('idle', values.idle, quick ? 1_000 : 5_000, 4, 50_000)),
    rounds: Math.round(number('rounds', values.rounds, 1, 1, 20)),
    retries: Math.round(number('retries', values.retries, quick ? 0 : 2, 0, 10)),
    quietSeconds: number('wait-quiet', values['wait-quiet'], quick ? 5 : 60, 0, 600),
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
async function loadPhases(
  key: ServerKey,
  entries: Entries,
  opts: Options,
  pinned: boolean,
  profileDir: string | null,
): Promise<LoadRound> {
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
      const l = await m.paced(opts.rate, opts.latencyWarmupSeconds * 1000, opts.latencySeconds * 1000, () =>
        server.cpuSeconds(),
      );
      progress(`${target.label}: p50 ${l.p50Ms.toFixed(2)} ms, p99 ${l.p99Ms.toFixed(2)} ms`);
      return l;
    });
    const throughput = await leastDisturbed(opts, target.label, 'throughput', async () => {
      await waitForQuiet(server, opts.quietSeconds);
      progress(`${target.label}: throughput, ${opts.warmupSeconds} s warm-up + ${opts.measureSeconds} s`);
      const t = await m.closedLoop(opts.window, opts.warmupSeconds * 1000, opts.measureSeconds * 1000, () =>
        server.cpuSeconds(),
      );
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
async function leastDisturbed<T extends { otherCpu: number }>(
  opts: Options,
  label: string,
  phase: string,
  measure: () => Promise<T>,
): Promise<T> {
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
  const opts = parseOptions(process.argv.slice(2));
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
    (1 + opts.retries) *
      (opts.warmupSeconds + opts.measureSeconds + opts.latencyWarmupSeconds + opts.latencySeconds + 2 * opts.quietSeconds + 20) +
    opts.idle / 200 +
    60;
  setTimeout(() => {
    progress('watchdog: the run took far longer than planned; stopping');
    killAllChildren();
    process.exit(2);
  }, (30 + perServerSeconds * opts.only.length * opts.rounds) * 1000).unref();

  progress('building the servers');
  const entries = await prepareEntries();
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

// Children must never outlive the benchmark, whatever ends it.
process.on('exit', killAllChildren);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAllChildren();
    process.exit(130);
  });
}

main()
  .catch((err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`bench-signaling: ${err.message}\n${USAGE}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`bench-signaling: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    killAllChildren();
    // Sockets or timers left by a failed phase must not keep the process alive.
    setTimeout(() => process.exit(), 1_000).unref();
  });
