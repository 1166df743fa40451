/**
 * The processes a benchmark starts (signaling servers, redis-server, the box): each started with
 * its output captured (a bounded tail, quoted when it fails), awaited by a line it prints or by
 * the port it listens on within a deadline, and killed when the benchmark ends, however it ends
 * (normally, by an exception, or by SIGINT, SIGTERM or SIGHUP), so that none outlives a run and
 * holds a port or a core that the next run would measure against.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { START_DEADLINE_MS, untilOutput } from '../../test/process.js';

export { START_DEADLINE_MS };

/** Enough output to explain a failed start or a crash, bounded whatever the child prints. */
const OUTPUT_TAIL_CHARS = 4_000;
const PORT_POLL_MS = 50;
/** Exit codes for a run ended by a signal, as a shell reports them (128 + the signal number). */
const SIGNAL_EXIT_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

export interface ChildOptions {
  /** Names the process in errors, e.g. `redis-server`. */
  label: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Which of stdout and stderr to capture (default both); the other goes to /dev/null. */
  capture?: 'stdout' | 'stderr' | 'both';
  /** An IPC channel (`send` and 'message'), for Node.js children. */
  ipc?: boolean;
}

/** Every child still running, killed on any exit of the benchmark. */
const running = new Set<Child>();
let exitHooked = false;

export class Child {
  #output = '';
  /** Resolves with the exit code (null after a signal) once the process has ended. */
  readonly exited: Promise<number | null>;

  private constructor(
    readonly label: string,
    /** The Node.js handle, for `send`, 'message' and the like. */
    readonly process: ChildProcess,
  ) {
    const child = process;
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => (this.#output = (this.#output + chunk).slice(-OUTPUT_TAIL_CHARS)));
    }
    this.exited = new Promise((resolveExit) => {
      child.on('error', (err) => {
        this.#output += `\n(${err.message})`;
        if (child.pid === undefined) resolveExit(null); // never started: no 'exit' follows
      });
      child.once('exit', (code) => resolveExit(code));
    });
    void this.exited.then(() => running.delete(this));
  }

  /** Starts `command`; it is killed with the others when the benchmark ends. */
  static spawn(command: string, args: readonly string[], options: ChildOptions): Child {
    hookExit();
    const capture = options.capture ?? 'both';
    const out = capture === 'stderr' ? 'ignore' : 'pipe';
    const err = capture === 'stdout' ? 'ignore' : 'pipe';
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: options.ipc ? ['ignore', out, err, 'ipc'] : ['ignore', out, err],
    });
    const wrapped = new Child(options.label, child);
    running.add(wrapped);
    return wrapped;
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  get alive(): boolean {
    return this.process.pid !== undefined && this.process.exitCode === null && this.process.signalCode === null;
  }

  /** The last few thousand characters the process printed (stdout and stderr as captured). */
  get output(): string {
    return this.#output.trim();
  }

  /**
   * Resolves with the first match of `ready` in what the process prints from now on. Rejects,
   * quoting its output, when it exits first or after `deadlineMs`.
   */
  waitForLine(ready: RegExp, deadlineMs = START_DEADLINE_MS): Promise<RegExpExecArray> {
    if (!this.alive) return Promise.reject(this.#endedError());
    return untilOutput(this.process, ready, this.label, deadlineMs);
  }

  /** Resolves once something accepts connections on `port`; rejects, quoting the output, when the process exits first or after `deadlineMs`. */
  async waitForPort(port: number, deadlineMs = START_DEADLINE_MS): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
      if (!this.alive) throw this.#endedError();
      if (await canConnect(port)) return;
      await new Promise((r) => setTimeout(r, PORT_POLL_MS));
    }
    throw new Error(`${this.label} did not listen on port ${port} within ${deadlineMs / 1000} s; it printed:\n${this.output}`);
  }

  /** SIGTERM, SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 6_000): Promise<void> {
    if (this.alive) {
      this.process.kill('SIGTERM');
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceOver = new Promise<false>((r) => (timer = setTimeout(() => r(false), graceMs)));
      const done = await Promise.race([this.exited.then(() => true), graceOver]);
      clearTimeout(timer);
      if (!done) this.process.kill('SIGKILL');
    }
    await this.exited;
  }

  /** SIGKILL at once, without waiting. */
  kill(): void {
    if (this.alive) this.process.kill('SIGKILL');
  }

  #endedError(): Error {
    const how = this.process.pid === undefined ? 'could not be started' : `exited (${this.process.signalCode ?? this.process.exitCode})`;
    return new Error(`${this.label} ${how} before it was ready; it printed:\n${this.output}`);
  }
}

/** Kills every child still running (SIGKILL). */
export function killAllChildren(): void {
  for (const child of running) child.kill();
  running.clear();
}

/** Children must never outlive the benchmark, whatever ends it. */
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', killAllChildren);
  for (const [signal, code] of Object.entries(SIGNAL_EXIT_CODES)) {
    process.once(signal, () => {
      killAllChildren();
      process.exit(code);
    });
  }
}

/** A port free right now on 127.0.0.1 (the child binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolveConnect) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolveConnect(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1_000, () => done(false));
  });
}
