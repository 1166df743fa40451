/**
 * Waiting for a process that a test starts (the box, redis-server, turnserver, the app server):
 * by what it prints, with a deadline. A process that prints something else than expected (a
 * changed log line, a failed start) then fails the test with its own output, instead of hanging
 * the whole suite until CI gives up.
 */
import type { ChildProcess } from 'node:child_process';

/** Longer than any start seen here (Chromium's is the slowest, ~2 s); only a hang guard. */
export const START_DEADLINE_MS = 30_000;

/**
 * Resolves with the first match of `ready` in what `child` prints on stdout and stderr (whichever
 * are piped). Rejects, quoting the output, when the process exits or fails to spawn first, or
 * after `deadlineMs`. Output keeps being drained afterwards, so a full pipe never stalls it.
 */
export function untilOutput(child: ChildProcess, ready: RegExp, what: string, deadlineMs = START_DEADLINE_MS): Promise<RegExpExecArray> {
  let output = '';
  return new Promise<RegExpExecArray>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(
      () => settle(() => reject(new Error(`${what} did not start within ${deadlineMs / 1000} s; it printed:\n${output.slice(-2_000)}`))),
      deadlineMs,
    );
    timer.unref();
    const onData = (chunk: Buffer) => {
      if (settled) return;
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) settle(() => resolve(match));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err) => settle(() => reject(new Error(`${what} could not be started: ${err.message}`))));
    child.once('exit', (code, signal) =>
      settle(() => reject(new Error(`${what} exited (${signal ?? code}) before it was ready; it printed:\n${output.slice(-2_000)}`))),
    );
  });
}
