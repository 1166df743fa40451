/**
 * Performance marks along the way from pressing Join to the first remote video frame, so that
 * `npm run bench:join` (and the browser's own profiler) can break the join time into steps.
 * Marks stay in this page; nothing is reported anywhere.
 */
export type JoinStep = 'join' | 'socket-open' | 'welcome' | 'offer-sent' | 'ice-connected' | 'first-frame';

export const JOIN_STEPS: readonly JoinStep[] = ['join', 'socket-open', 'welcome', 'offer-sent', 'ice-connected', 'first-frame'];

/** Marks `step` the first time it happens after the last `join` mark. */
export function markJoinStep(step: JoinStep): void {
  if (typeof performance === 'undefined') return;
  const name = `runde:${step}`;
  if (step === 'join') {
    for (const s of JOIN_STEPS) performance.clearMarks(`runde:${s}`);
  } else if (performance.getEntriesByName(name, 'mark').length > 0) {
    return;
  }
  performance.mark(name);
}
