/**
 * `npm run bench:signaling` — Runde's signaling box against the PeerJS server, y-webrtc's
 * signaling server and a bare `ws` relay, under the same load, on this machine, in one run:
 *
 * 1. throughput: rooms of 4 peers relaying 600-byte signals to each other in a closed loop;
 * 2. latency: p50/p99 of send→delivery at a fixed total rate of 2,000 signals/s;
 * 3. memory: resident memory per idle, registered connection at 5,000 connections
 *    (on a fresh server process).
 *
 * Each server runs as a child pinned to core 0; this process (the load generator) pins itself
 * to core 1. Progress goes to stderr, the table (or `--json`) to stdout.
 *
 *   npx tsx scripts/bench-signaling.ts [--quick] [--json] [--only runde,bare] [--cpu-prof]
 *     [--warmup s] [--measure s] [--latency s] [--rate n] [--rooms n] [--window n]
 *     [--payload bytes] [--idle n]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureIdle } from './bench/idle.js';
import { Mesh } from './bench/load.js';
import { renderJson, renderText, type RunSettings, type ServerResult } from './bench/report.js';
import {
  ROOT,
  SERVER_KEYS,
  ServerProcess,
  TARGETS,
  killAllChildren,
  prepareEntries,
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
}

const USAGE = `usage: bench-signaling [--quick] [--json] [--only runde,peerjs,ywebrtc,bare] [--cpu-prof]
  [--warmup s] [--measure s] [--latency s] [--rate msg/s] [--rooms n] [--window n] [--payload bytes] [--idle n]`;

function parseOptions(argv: string[]): Options {
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
      rate: { type: 'string' },
      rooms: { type: 'string' },
      window: { type: 'string' },
      payload: { type: 'string' },
      idle: { type: 'string' },
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
  const only = (values.only ?? SERVER_KEYS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const key of only) {
    if (!SERVER_KEYS.includes(key as ServerKey)) throw new Error(`--only: unknown server "${key}" (${SERVER_KEYS.join(', ')})`);
  }
  return {
    json: values.json,
    only: SERVER_KEYS.filter((k) => only.includes(k)), // always in the table's order
    cpuProf: values['cpu-prof'],
    warmupSeconds: number('warmup', values.warmup, quick ? 1 : 3, 0, 120),
    measureSeconds: number('measure', values.measure, quick ? 2 : 8, 0.5, 600),
    latencyWarmupSeconds: quick ? 0.5 : 1,
    latencySeconds: number('latency', values.latency, quick ? 2 : 5, 0.5, 600),
    rate: Math.round(number('rate', values.rate, 2_000, 10, 100_000)),
    rooms: Math.round(number('rooms', values.rooms, 50, 1, 2_000)),
    window: Math.round(number('window', values.window, 8, 1, 1_000)),
    payloadBytes: Math.round(number('payload', values.payload, 600, 40, 60_000)),
    idle: Math.round(number('idle', values.idle, quick ? 1_000 : 5_000, 4, 50_000)),
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

async function loadPhases(
  key: ServerKey,
  entries: Entries,
  opts: Options,
  pinned: boolean,
  result: ServerResult,
  profileDir: string | null,
): Promise<void> {
  const target = TARGETS[key];
  const nodeFlags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const server = await ServerProcess.launch(target, entries, { core: pinned ? SERVER_CORE : null, nodeFlags });
  let mesh: Mesh | null = null;
  try {
    progress(`${target.label}: ${opts.rooms * 4} peers joining (port ${server.port}, pid ${server.pid})`);
    mesh = await Mesh.open(target.protocol, server.port, opts.rooms, opts.payloadBytes);
    result.counters = mesh.counters;
    progress(`${target.label}: throughput, ${opts.warmupSeconds} s warm-up + ${opts.measureSeconds} s`);
    result.throughput = await mesh.closedLoop(
      opts.window,
      opts.warmupSeconds * 1000,
      opts.measureSeconds * 1000,
      () => server.cpuSeconds(),
    );
    progress(`${target.label}: ${Math.round(result.throughput.msgsPerSec).toLocaleString('en-US')} msg/s; latency at ${opts.rate} msg/s`);
    result.latency = await mesh.paced(opts.rate, opts.latencyWarmupSeconds * 1000, opts.latencySeconds * 1000);
    progress(`${target.label}: p50 ${result.latency.p50Ms.toFixed(2)} ms, p99 ${result.latency.p99Ms.toFixed(2)} ms`);
  } finally {
    mesh?.close();
    if (!server.alive) result.errors.push(`server died: ${server.stderrTail.slice(-300)}`);
    await server.stop();
  }
}

async function idlePhase(key: ServerKey, entries: Entries, opts: Options, pinned: boolean, result: ServerResult): Promise<void> {
  const target = TARGETS[key];
  const server = await ServerProcess.launch(target, entries, { core: pinned ? SERVER_CORE : null });
  try {
    progress(`${target.label}: opening ${opts.idle} idle connections`);
    result.idle = await measureIdle(server, opts.idle, opts.payloadBytes);
    progress(`${target.label}: ${result.idle.kibPerConnection.toFixed(1)} KiB per idle connection`);
  } finally {
    if (!server.alive) result.errors.push(`server died: ${server.stderrTail.slice(-300)}`);
    await server.stop();
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
    opts.warmupSeconds + opts.measureSeconds + opts.latencyWarmupSeconds + opts.latencySeconds + opts.idle / 200 + 90;
  setTimeout(() => {
    progress('watchdog: the run took far longer than planned; stopping');
    killAllChildren();
    process.exit(2);
  }, (30 + perServerSeconds * opts.only.length) * 1000).unref();

  progress('building the servers');
  const entries = await prepareEntries();
  const profileRoot = opts.cpuProf ? join(ROOT, '.tmp', 'bench', `prof-${Date.now()}`) : null;

  const results: ServerResult[] = [];
  for (const key of opts.only) {
    const result: ServerResult = {
      key,
      label: TARGETS[key].label,
      throughput: null,
      latency: null,
      idle: null,
      counters: null,
      errors: [],
    };
    results.push(result);
    const profileDir = profileRoot ? join(profileRoot, key) : null;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    try {
      await loadPhases(key, entries, opts, pinned, result, profileDir);
    } catch (err) {
      result.errors.push(`load phases: ${errorText(err)}`);
      progress(`${result.label}: load phases failed: ${errorText(err)}`);
    }
    try {
      await idlePhase(key, entries, opts, pinned, result);
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
    process.stderr.write(`bench-signaling: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    killAllChildren();
    // Sockets or timers left by a failed phase must not keep the process alive.
    setTimeout(() => process.exit(), 1_000).unref();
  });
