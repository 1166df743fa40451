/**
 * A real redis-server from Debian for the tests of several boxes: on a free loopback port, with
 * no persistence, stopped when the test ends; or a real Redis Cluster of several such servers.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { untilOutput } from './process.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const REDIS_PATH = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
export const REDIS_CLI_PATH = process.env.REDIS_CLI ?? '/usr/bin/redis-cli';

/** The box uses sharded pub/sub (SPUBLISH), which came with Redis 7. */
const MIN_REDIS_MAJOR = 7;

/** A reason to skip, or on CI (which installs what its tests need) a failure. */
function missing(reason: string): string {
  if (process.env.CI) throw new Error(`${reason}: .ci/run installs redis-server (with redis-cli)`);
  return reason;
}

/** Why Redis tests cannot run here, or null. On CI a missing redis-server is a failure, not a skip. */
export function redisMissing(): string | null {
  const version = spawnSync(REDIS_PATH, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) return missing(`${REDIS_PATH} is not installed (apt-get install redis-server)`);
  const major = Number(/v=(\d+)\./.exec(version.stdout)?.[1] ?? 0);
  if (major < MIN_REDIS_MAJOR) return missing(`${REDIS_PATH} is Redis ${major}; the box needs ${MIN_REDIS_MAJOR} or later`);
  return null;
}

/** Why a Redis Cluster cannot be started here, or null (on CI: a failure, as for redisMissing). */
export function redisClusterMissing(): string | null {
  const server = redisMissing();
  if (server) return server;
  // redis-cli joins the nodes into a cluster (`--cluster create`).
  if (spawnSync(REDIS_CLI_PATH, ['--version']).status !== 0) return missing(`${REDIS_CLI_PATH} is not installed (apt-get install redis-tools)`);
  return null;
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

/**
 * Starts redis-server on `port` (a free one by default), with `extraArgs` after the usual ones,
 * and waits until it accepts connections.
 */
export async function startRedis(port?: number, extraArgs: string[] = []): Promise<RedisServer> {
  const p = port ?? (await freePort());
  const child: ChildProcess = spawn(REDIS_PATH, [...redisServerArgs(p), ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  await untilOutput(child, /Ready to accept connections/, 'redis-server');
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

export interface RedisClusterServers {
  /** One URL per master, with the cluster's password. */
  readonly urls: string[];
  /** The port of the master that serves hash `slot`. */
  portOfSlot(slot: number): number;
  stop(): Promise<void>;
}

/**
 * The cluster's nodes require a password, so that the tests prove that the seed URL's credentials
 * reach every node the client discovers (node-redis takes them for those from its `defaults`).
 */
const CLUSTER_PASSWORD = 'runde-test';
/** How often, and how long at most, to ask the nodes whether the cluster is formed. */
const CLUSTER_POLL_MS = 50;
const CLUSTER_FORM_TIMEOUT_MS = 15_000;

const execFileAsync = promisify(execFile);

/** redis-cli against the node on `port`; resolves with its output. */
async function redisCli(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(REDIS_CLI_PATH, args, { env: { ...process.env, REDISCLI_AUTH: CLUSTER_PASSWORD } });
  return stdout;
}

/**
 * A Redis Cluster of `masters` redis-servers on loopback (no replicas, nothing persisted but the
 * cluster's own node files in a temporary folder): started, joined with `redis-cli --cluster
 * create`, and resolved once every node reports `cluster_state:ok`. `stop()` ends the nodes and
 * removes the folder.
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterServers> {
  const dir = await mkdtemp(join(tmpdir(), 'runde-redis-cluster-'));
  const nodes: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      nodes.push(
        await startRedis(port, [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          // Its own free port for the cluster bus, instead of port + 10000 (which may be taken).
          '--cluster-port',
          String(await freePort()),
          '--requirepass',
          CLUSTER_PASSWORD,
        ]),
      );
    }
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await redisCli(['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    const deadline = Date.now() + CLUSTER_FORM_TIMEOUT_MS;
    // Nothing announces that the nodes agree; the gossip takes a moment after `create` returns.
    for (const node of nodes) {
      while (!(await redisCli(['-p', String(node.port), 'cluster', 'info'])).includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error(`the Redis Cluster did not form within ${CLUSTER_FORM_TIMEOUT_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, CLUSTER_POLL_MS));
      }
    }
    const slots = slotOwners(await redisCli(['-p', String(nodes[0].port), 'cluster', 'nodes']));
    return {
      urls: nodes.map((n) => `redis://:${CLUSTER_PASSWORD}@127.0.0.1:${n.port}`),
      portOfSlot: (slot) => {
        const owner = slots.find(([from, to]) => slot >= from && slot <= to);
        if (!owner) throw new Error(`no node serves slot ${slot}`);
        return owner[2];
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** [first slot, last slot, port] for each range in `CLUSTER NODES` output. */
function slotOwners(clusterNodes: string): Array<[number, number, number]> {
  const ranges: Array<[number, number, number]> = [];
  for (const line of clusterNodes.trim().split('\n')) {
    const [, address, , , , , , , ...slots] = line.split(' ');
    const port = Number(/:(\d+)@/.exec(address)?.[1]);
    for (const range of slots) {
      const [from, to = from] = range.split('-').map(Number);
      ranges.push([from, to, port]);
    }
  }
  return ranges;
}
