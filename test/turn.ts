/**
 * The real coturn from Debian for the relay tests, on loopback. Loopback peers are allowed here
 * only because every browser of a test runs on this one machine; the shipped config denies them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { untilOutput } from './process.js';

const ROOT = new URL('..', import.meta.url).pathname;
export const TURN_PORT = 34780;
export const TURN_SECRET = 'test-only-turn-secret';
export const TURN_URL = `turn:127.0.0.1:${TURN_PORT}?transport=udp`;

export interface Turn {
  process: ChildProcess;
  /** The box's environment for this server: TURN_URLS and the shared TURN_SECRET. */
  env: Record<string, string>;
}

/** Starts turnserver and waits for its listener; it is killed when the test ends. */
export async function startTurn(t: TestContext): Promise<Turn> {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'turn-'));
  const child = spawn(
    'turnserver',
    [
      '-n',
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      `--listening-port=${TURN_PORT}`,
      '--min-port=49160',
      '--max-port=49260',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--fingerprint',
      '--use-auth-secret',
      `--static-auth-secret=${TURN_SECRET}`,
      '--realm=test.local',
      '--allow-loopback-peers',
      '--no-multicast-peers',
      `--pidfile=${dir}/turn.pid`,
      `--userdb=${dir}/turndb`,
      '--log-file=stdout',
      '--simple-log',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  t.after(() => child.kill('SIGKILL'));
  await untilOutput(child, /listener opened on|Total General servers/, 'turnserver (apt-get install coturn)');
  return { process: child, env: { TURN_URLS: TURN_URL, TURN_SECRET } };
}
