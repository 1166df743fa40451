/**
 * Runs browser work inside a network namespace that has only loopback, so that WebRTC's ICE
 * checks never leave this host (see ../shared/TESTING.md). Needs root, as CI and the dev
 * machines have.
 */
import { spawnSync } from 'node:child_process';

/** The command, wrapped to run with only a loopback interface. */
export function isolate(command: string[]): string[] {
  return ['unshare', '-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', ...command];
}

/**
 * Re-runs this script isolated unless it already is; returns only in the isolated run.
 * The parent exits with the child's status.
 */
export function reexecIsolated(): void {
  if (process.env.RUNDE_ISOLATED === '1') return;
  const [cmd, ...args] = isolate([process.execPath, ...process.execArgv, ...process.argv.slice(1)]);
  const result = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, RUNDE_ISOLATED: '1' } });
  process.exit(result.status ?? 1);
}
