/**
 * Runde on several boxes: one redis-server and `target.boxes` Runde boxes started with its
 * REDIS_URL, each room's peers split evenly among the boxes, so that every signal between peers
 * on different boxes crosses Redis pub/sub. All the processes are pinned to the same core as a
 * single server would be: the same CPU budget, shared.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { REDIS_PATH, redisServerArgs } from '../../test/redis.js';
import { Child, freePort } from './children.js';
import { ROOM_SIZE } from './load.js';
import {
  ServerProcess,
  pinnedCommand,
  processCpuSeconds,
  processRssBytes,
  type Deployment,
  type Entries,
  type LaunchOptions,
  type PeerInfo,
  type ServerTarget,
} from './servers.js';

/** Which box the `peer` connects to: the first half of each room to box 0, and so on. */
export function boxOf(peer: PeerInfo, boxes: number): number {
  return Math.floor(((peer.idx % ROOM_SIZE) * boxes) / ROOM_SIZE);
}

let setprivFound: boolean | null = null;
/** Whether `setpriv --pdeathsig` can tie a child's life to this process (util-linux). */
function hasSetpriv(): boolean {
  if (setprivFound === null) {
    try {
      execFileSync('setpriv', ['--help'], { stdio: 'ignore' });
      setprivFound = true;
    } catch {
      setprivFound = false;
    }
  }
  return setprivFound;
}

/** A redis-server on a free loopback port, without persistence. */
class RedisProcess {
  private constructor(
    readonly port: number,
    readonly child: Child,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  get pid(): number {
    return this.child.pid;
  }
  get outputTail(): string {
    return this.child.output;
  }
  get alive(): boolean {
    return this.child.alive;
  }

  static async launch(core: number | null): Promise<RedisProcess> {
    if (!existsSync(REDIS_PATH)) throw new Error(`${REDIS_PATH} is missing (apt-get install redis-server)`);
    const port = await freePort();
    const redisArgs = redisServerArgs(port);
    // Node children exit when the benchmark's IPC channel goes; redis-server gets SIGKILL instead
    // when the benchmark dies without cleaning up (setpriv and taskset exec in place: same pid).
    const [command, args] = hasSetpriv()
      ? pinnedCommand(core, 'setpriv', ['--pdeathsig', 'KILL', REDIS_PATH, ...redisArgs])
      : pinnedCommand(core, REDIS_PATH, redisArgs);
    const redis = new RedisProcess(port, Child.spawn(command, args, { label: 'redis-server' }));
    try {
      await redis.child.waitForPort(port, 10_000);
    } catch (err) {
      await redis.stop();
      throw err;
    }
    return redis;
  }

  stop(graceMs = 3_000): Promise<void> {
    return this.child.stop(graceMs);
  }
}

/** Runde boxes sharing rooms through one redis-server. */
export class RundeBoxes implements Deployment {
  private constructor(
    readonly target: ServerTarget,
    readonly redis: RedisProcess,
    readonly boxes: ServerProcess[],
  ) {}

  static async launch(target: ServerTarget, entries: Entries, options: LaunchOptions): Promise<RundeBoxes> {
    const redis = await RedisProcess.launch(options.core);
    const boxes: ServerProcess[] = [];
    try {
      for (let i = 0; i < (target.boxes ?? 1); i++) {
        boxes.push(await ServerProcess.launch(target, entries, { ...options, env: { ...options.env, REDIS_URL: redis.url } }));
      }
    } catch (err) {
      await new RundeBoxes(target, redis, boxes).stop();
      throw err;
    }
    return new RundeBoxes(target, redis, boxes);
  }

  portOf(peer: PeerInfo): number {
    return this.boxes[boxOf(peer, this.boxes.length)].port;
  }

  get where(): string {
    const boxes = this.boxes.map((b) => `box ${b.where}`).join('; ');
    return `${boxes}; redis-server port ${this.redis.port}, pid ${this.redis.pid}`;
  }

  get alive(): boolean {
    return this.redis.alive && this.boxes.every((b) => b.alive);
  }

  get stderrTail(): string {
    return [...this.boxes.map((b, i) => `box ${i + 1}: ${b.stderrTail}`), `redis-server: ${this.redis.outputTail}`].join('\n');
  }

  cpuSeconds(): number {
    return this.boxes.reduce((sum, b) => sum + b.cpuSeconds(), processCpuSeconds(this.redis.pid));
  }

  /** Resident memory of the boxes and redis-server together. */
  rssBytes(): number {
    return this.boxes.reduce((sum, b) => sum + b.rssBytes(), processRssBytes(this.redis.pid));
  }

  /** Collects garbage in every box (redis-server frees as it goes). */
  async gc(timeoutMs?: number): Promise<boolean> {
    const done = await Promise.all(this.boxes.map((b) => b.gc(timeoutMs)));
    return done.every(Boolean);
  }

  /** The boxes first (their Redis connections end with them), then redis-server, whatever fails. */
  async stop(): Promise<void> {
    try {
      await Promise.allSettled(this.boxes.map((b) => b.stop()));
    } finally {
      await this.redis.stop();
    }
  }
}

/** Starts what `target` needs: one server process, or boxes and their redis-server. */
export function launchDeployment(target: ServerTarget, entries: Entries, options: LaunchOptions): Promise<Deployment> {
  return target.boxes ? RundeBoxes.launch(target, entries, options) : ServerProcess.launch(target, entries, options);
}
