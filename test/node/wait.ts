/** Waiting on a condition instead of a fixed sleep: polls until it holds, or fails saying what it awaited. */

/**
 * Resolves once `check` holds; rejects after `deadlineMs` with `what` in the message. The
 * deadline only turns a hang into a failure that names its cause: no test relies on its length.
 */
export async function waitFor(check: () => Promise<boolean> | boolean, what: string, deadlineMs = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`waited ${deadlineMs / 1000} s in vain for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
