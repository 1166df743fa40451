/**
 * A real redis-server from Debian for the tests of several boxes: on a free loopback port, with
 * no persistence, stopped when the test ends.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export const REDIS_PATH = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

/** Why Redis tests cannot run here, or null. On CI a missing redis-server is a failure, not a skip. */
export function redisMissing(): string | null {
  const found = spawnSync(REDIS_PATH, ['--version']).status === 0;
  if (found) return null;
  if (process.env.CI) throw new Error(`${REDIS_PATH} is missing: .ci/run installs redis-server`);
  return `${REDIS_PATH} is not installed (apt-get install redis-server)`;
}

/** redis-server on loopback `port`, keeping nothing on disk (tests and benchmarks). */
export function redisServerArgs(port: number): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'];
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** A TCP port on loopback that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts redis-server on `port` (a free one by default) and waits until it accepts connections. */
export async function startRedis(port?: number): Promise<RedisServer> {
  const p = port ?? (await freePort());
  const child: ChildProcess = spawn(REDIS_PATH, redisServerArgs(p), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output.slice(-500)}`)));
  });
  child.stdout!.resume();
  child.stderr!.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
