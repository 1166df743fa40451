/**
 * The signaling servers under test: how each is started as a child process, how a client speaks
 * to it, and what the benchmark reads about the child from /proc (memory, CPU time). Two Runde
 * boxes sharing rooms through Redis are started by ./cluster.ts from the same pieces.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BOX_NODE_FLAGS } from '../../signaling/node-flags.js';
import { Child, freePort } from './children.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT_DIR = join(ROOT, '.tmp', 'bench');

export type ServerKey = 'runde' | 'runde2' | 'peerjs' | 'ywebrtc' | 'bare' | 'barecork';
/** Every server the benchmark knows, in table order. */
export const ALL_SERVER_KEYS: readonly ServerKey[] = ['runde', 'runde2', 'peerjs', 'ywebrtc', 'bare', 'barecork'];
/**
 * The four the issue compares and Runde on two boxes; the corked bare relay is an extra reference
 * (`--only …,barecork`).
 */
export const DEFAULT_SERVER_KEYS: readonly ServerKey[] = ['runde', 'runde2', 'peerjs', 'ywebrtc', 'bare'];

/** One simulated peer: its place in the load generator and its ids on the wire. */
export interface PeerInfo {
  /** Index into the generator's peer array; written into every signal it sends. */
  idx: number;
  /** Runde's peer id format (22 base64url characters) is also valid for the other servers. */
  id: string;
  /** Room (Runde), topic (y-webrtc); PeerJS and the bare relay have no rooms. */
  room: string;
  /** PeerJS's per-client secret. */
  token: string;
}

/** How a client talks to one server. Frames are built once per (sender, recipient) pair. */
export interface WireProtocol {
  url(port: number, peer: PeerInfo): string;
  /** Frames to send once the socket is open (join, subscribe). */
  hello(peer: PeerInfo): string[];
  /**
   * Looks at a frame received during setup: true when the peer is registered, a string when the
   * server refused it, false to keep waiting. Null: registered as soon as the socket is open.
   */
  ready: ((frame: string) => boolean | string) | null;
  /** A signal from `from` to `to` carrying `payload` (a string) as the server expects it. */
  signal(from: PeerInfo, to: PeerInfo, payload: string): string;
}

export interface ServerTarget {
  key: ServerKey;
  label: string;
  protocol: WireProtocol;
  /**
   * Runde boxes that share rooms through one redis-server, each room's peers split evenly among
   * them (./cluster.ts); absent: one server process.
   */
  boxes?: number;
}

const RUNDE_PROTOCOL: WireProtocol = {
  url: (port) => `ws://127.0.0.1:${port}/ws`,
  hello: (p) => [JSON.stringify({ type: 'join', room: p.room, peer: p.id, version: 1 })],
  ready: (frame) => (frame.includes('"type":"welcome"') ? true : frame.includes('"type":"error"') ? frame : false),
  signal: (_from, to, payload) => JSON.stringify({ type: 'signal', to: to.id, data: payload }),
};

const BARE_PROTOCOL: WireProtocol = {
  url: (port, p) => `ws://127.0.0.1:${port}/?id=${p.id}`,
  hello: () => [],
  ready: null,
  signal: (_from, to, payload) => JSON.stringify({ to: to.id, data: payload }),
};

export const TARGETS: Record<ServerKey, ServerTarget> = {
  runde: {
    key: 'runde',
    label: 'Runde',
    protocol: RUNDE_PROTOCOL,
  },
  runde2: {
    key: 'runde2',
    label: 'Runde ×2 boxes (Redis)',
    protocol: RUNDE_PROTOCOL,
    boxes: 2,
  },
  peerjs: {
    key: 'peerjs',
    label: 'PeerJS',
    protocol: {
      url: (port, p) => `ws://127.0.0.1:${port}/peerjs?key=peerjs&id=${p.id}&token=${p.token}`,
      hello: () => [],
      ready: (frame) => (frame.includes('"type":"OPEN"') ? true : frame.includes('"ERROR"') || frame.includes('"ID-TAKEN"') ? frame : false),
      // PeerJS relays OFFER/ANSWER/CANDIDATE alike; ICE candidates are the bulk of real signaling.
      signal: (_from, to, payload) => JSON.stringify({ type: 'CANDIDATE', dst: to.id, payload }),
    },
  },
  ywebrtc: {
    key: 'ywebrtc',
    label: 'y-webrtc',
    protocol: {
      url: (port) => `ws://127.0.0.1:${port}`,
      // y-webrtc never acknowledges a subscribe; a ping sent after it is answered only once the
      // subscribe (same socket, in order) has been handled.
      hello: (p) => [JSON.stringify({ type: 'subscribe', topics: [p.room] }), JSON.stringify({ type: 'ping' })],
      ready: (frame) => frame.includes('"type":"pong"'),
      // Shaped like y-webrtc's own clients: the addressee travels inside the published data and
      // every subscriber of the topic (the sender too) receives the message.
      signal: (from, to, payload) =>
        JSON.stringify({
          type: 'publish',
          topic: from.room,
          data: { type: 'signal', from: from.id, to: to.id, signal: payload },
        }),
    },
  },
  bare: {
    key: 'bare',
    label: 'bare ws',
    protocol: BARE_PROTOCOL,
  },
  barecork: {
    key: 'barecork',
    label: 'bare ws+cork',
    protocol: BARE_PROTOCOL,
  },
};

// ---- building the children's entry points -------------------------------------------------

/** Node arguments that run each server, plus the preload hook shared by all. */
export interface Entries {
  hook: string[];
  servers: Record<ServerKey, string[]>;
  /** How the TypeScript entries were made runnable, for the report. */
  via: 'esbuild bundle' | 'tsx loader';
}

/** The part of esbuild's API used here; typed locally because esbuild is only tsx's dependency. */
interface EsbuildLike {
  build(options: Record<string, unknown>): Promise<unknown>;
  stop?(): void | Promise<void>;
}

const TS_ENTRIES = {
  hook: 'scripts/bench/gc-hook.ts',
  runde: 'signaling/main.ts',
  bare: 'scripts/bench/bare-relay.ts',
} as const;

/**
 * The servers Runde is compared with live in a package of their own, installed on first use:
 * they are no dependency of Runde, and their dozens of packages (express, yargs, …) need not be
 * in every checkout's node_modules for two rows of one benchmark.
 */
const COMPARE_DIR = join(ROOT, 'scripts', 'compare');
/** Written by npm at the end of an install: its absence means none, or an interrupted one. */
const COMPARE_INSTALLED = join(COMPARE_DIR, 'node_modules', '.package-lock.json');
const COMPARE_KEYS: readonly ServerKey[] = ['peerjs', 'ywebrtc'];
/** Plain JavaScript that bare Node runs: no build, and `peer` resolves from scripts/compare/. */
const PEERJS_ENTRY = join(COMPARE_DIR, 'peerjs-server.mjs');
const YWEBRTC_ENTRY = join(COMPARE_DIR, 'node_modules', 'y-webrtc', 'bin', 'server.js');

/** Installs scripts/compare/ (`npm ci`, from its lock file) unless it is installed already. */
function installCompareServers(progress: (line: string) => void): void {
  if (existsSync(COMPARE_INSTALLED)) return;
  progress('installing the servers to compare with (PeerJS, y-webrtc) into scripts/compare/: npm ci, once');
  // npm's output goes to stderr with the progress lines: stdout carries only the table or JSON.
  const result = spawnSync('npm', ['ci', '--prefix', COMPARE_DIR, '--no-audit', '--no-fund'], {
    cwd: ROOT,
    stdio: ['ignore', process.stderr, process.stderr],
  });
  if (result.status !== 0 || !existsSync(COMPARE_INSTALLED)) {
    const how = result.error ? result.error.message : `exit code ${result.status ?? result.signal}`;
    throw new Error(`npm ci --prefix scripts/compare failed (${how}); leave PeerJS and y-webrtc out with --only runde,runde2,bare`);
  }
}

/**
 * Bundles the TypeScript servers to plain JavaScript under .tmp/bench/ so that each child runs
 * on bare Node (no loader thread, no on-the-fly transform in its memory or start-up). Packages
 * stay external and resolve from the project's node_modules. Falls back to the tsx loader.
 * Installs the servers to compare with first when `keys` asks for them.
 */
export async function prepareEntries(keys: readonly ServerKey[], progress: (line: string) => void): Promise<Entries> {
  mkdirSync(OUT_DIR, { recursive: true });
  if (keys.some((k) => COMPARE_KEYS.includes(k))) {
    installCompareServers(progress);
    for (const entry of [PEERJS_ENTRY, YWEBRTC_ENTRY]) {
      if (!existsSync(entry)) throw new Error(`${entry} is missing (remove scripts/compare/node_modules to install again)`);
    }
  }
  let esbuild: EsbuildLike | null = null;
  try {
    const specifier = 'esbuild'; // a variable, so that tsc does not require esbuild's types
    esbuild = (await import(specifier)) as EsbuildLike;
  } catch {
    esbuild = null;
  }

  if (!esbuild) {
    // The hook's flags come first on every command line, so tsx is loaded once for all.
    return {
      hook: ['--import', 'tsx', '--import', pathToFileURL(join(ROOT, TS_ENTRIES.hook)).href],
      servers: {
        runde: [join(ROOT, TS_ENTRIES.runde)],
        runde2: [join(ROOT, TS_ENTRIES.runde)],
        peerjs: [PEERJS_ENTRY],
        bare: [join(ROOT, TS_ENTRIES.bare)],
        barecork: [join(ROOT, TS_ENTRIES.bare)],
        ywebrtc: [YWEBRTC_ENTRY],
      },
      via: 'tsx loader',
    };
  }
  const out: Record<keyof typeof TS_ENTRIES, string> = { hook: '', runde: '', bare: '' };
  for (const [name, file] of Object.entries(TS_ENTRIES) as Array<[keyof typeof TS_ENTRIES, string]>) {
    const outfile = join(OUT_DIR, `${name}.mjs`);
    await esbuild.build({
      entryPoints: [join(ROOT, file)],
      outfile,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
    });
    out[name] = outfile;
  }
  await esbuild.stop?.();
  return {
    hook: ['--import', pathToFileURL(out.hook).href],
    servers: {
      runde: [out.runde],
      runde2: [out.runde],
      peerjs: [PEERJS_ENTRY],
      bare: [out.bare],
      barecork: [out.bare],
      ywebrtc: [YWEBRTC_ENTRY],
    },
    via: 'esbuild bundle',
  };
}

// ---- running a child ------------------------------------------------------------------------

/** Runde's limits opened up: the benchmark measures relaying, not the abuse defences. */
const RUNDE_ENV: Record<string, string> = {
  HOST: '127.0.0.1',
  RATE_PER_SECOND: '1000000000',
  RATE_BURST: '1000000000',
  MAX_CONNECTIONS_PER_IP: '100000',
  MAX_HTTP_CONNECTIONS_PER_IP: '100000',
  MAX_PEERS: '100000',
  MAX_ROOMS: '100000',
  MAX_STRIKES: '1000000',
};

export interface LaunchOptions {
  /** Core to pin the server to (taskset -c), or null to leave it unpinned. */
  core: number | null;
  /** Extra Node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  /** Extra environment for the server, e.g. Runde's REDIS_URL. */
  env?: Record<string, string>;
}

/**
 * What the load and idle phases run against: one server process, or several processes serving
 * together (./cluster.ts). CPU time and memory are those of all its processes.
 */
export interface Deployment {
  readonly target: ServerTarget;
  /** The port `peer` connects to. */
  portOf(peer: PeerInfo): number;
  /** Ports and pids, for progress lines. */
  readonly where: string;
  /** Whether every process is still running. */
  readonly alive: boolean;
  readonly stderrTail: string;
  /** CPU seconds (user + system, all threads) used so far. */
  cpuSeconds(): number;
  /** Resident memory in bytes (VmRSS). */
  rssBytes(): number;
  /** Full garbage collections where possible; false when they could not run. */
  gc(timeoutMs?: number): Promise<boolean>;
  /** Stops every process; resolves once all have exited. */
  stop(): Promise<void>;
}

/** The command line that runs `command` pinned to `core` (taskset execs it, keeping the pid). */
export function pinnedCommand(core: number | null, command: string, args: string[]): [string, string[]] {
  return core === null ? [command, args] : ['taskset', ['-c', String(core), command, ...args]];
}

export class ServerProcess implements Deployment {
  #gcWaiters: Array<(ok: boolean) => void> = [];

  private constructor(
    readonly target: ServerTarget,
    readonly port: number,
    readonly child: Child,
  ) {
    child.process.on('message', (message: unknown) => {
      if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'gc-done') {
        const collected = (message as { collected?: unknown }).collected === true;
        for (const resolveGc of this.#gcWaiters.splice(0)) resolveGc(collected);
      }
    });
  }

  get pid(): number {
    return this.child.pid;
  }
  get stderrTail(): string {
    return this.child.output;
  }
  get alive(): boolean {
    return this.child.alive;
  }
  get where(): string {
    return `port ${this.port}, pid ${this.pid}`;
  }

  portOf(): number {
    return this.port;
  }

  static async launch(target: ServerTarget, entries: Entries, options: LaunchOptions): Promise<ServerProcess> {
    const port = await freePort();
    // Runde's box runs with the flags it is shipped with (signaling/node-flags.ts).
    const boxFlags = target.protocol === RUNDE_PROTOCOL ? BOX_NODE_FLAGS : [];
    const nodeArgs = ['--expose-gc', ...boxFlags, ...entries.hook, ...(options.nodeFlags ?? []), ...entries.servers[target.key]];
    // taskset execs node in place, so the child's pid is the server's pid for /proc reads.
    const [command, args] = pinnedCommand(options.core, process.execPath, nodeArgs);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      ...(target.protocol === RUNDE_PROTOCOL ? RUNDE_ENV : {}),
      ...(target.key === 'barecork' ? { CORK: '1' } : {}),
      ...options.env,
    };
    // The benchmark itself may run under tsx, which must not leak into the servers.
    delete env.NODE_OPTIONS;
    // stdout (one log line per join for Runde) goes to /dev/null; ipc carries the gc requests.
    const child = Child.spawn(command, args, { label: target.label, cwd: ROOT, env, capture: 'stderr', ipc: true });
    const server = new ServerProcess(target, port, child);
    try {
      await child.waitForPort(port, 15_000);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  /** Asks the preload hook for full garbage collections; false when they could not run. */
  async gc(timeoutMs = 3_000): Promise<boolean> {
    if (!this.alive || !this.child.process.connected) return false;
    const done = new Promise<boolean>((resolveGc) => this.#gcWaiters.push(resolveGc));
    this.child.process.send({ type: 'gc' });
    return Promise.race([done, sleep(timeoutMs).then(() => false)]);
  }

  /** Resident memory of the server process in bytes (VmRSS). */
  rssBytes(): number {
    return processRssBytes(this.pid);
  }

  /** CPU seconds (user + system, all threads) the server has used so far. */
  cpuSeconds(): number {
    return processCpuSeconds(this.pid);
  }

  /** SIGTERM (the hook exits at once, writing any CPU profile), SIGKILL after a grace period. */
  stop(graceMs = 6_000): Promise<void> {
    return this.child.stop(graceMs);
  }
}

/** Resident memory of a process in bytes (VmRSS). */
export function processRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU seconds (user + system, all threads) a process has used so far. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks();
}

let ticks: number | null = null;
function clockTicks(): number {
  if (ticks === null) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

/**
 * CPU seconds all processes of the machine spent in user and system mode so far, plus the time a
 * hypervisor gave this machine's CPUs to others (steal), from /proc/stat. Minus the server's and
 * the generator's own time, this shows whether something else ran during a measurement.
 */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  // cpu  user nice system idle iowait irq softirq steal …
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , , , steal = 0] = fields;
  return (user + nice + system + steal) / clockTicks();
}
