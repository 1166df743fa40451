/**
 * bench:mesh's join timing: a meeting of K people already connected (one page of one Chromium,
 * adaptation on, views reported), and a newcomer in the real app in another Chromium who joins,
 * is timed from pressing Join until every remote video plays, leaves, and joins again.
 */
import { click, joinAs, role } from '../../test/e2e/helpers.js';
import { launch, median, startMeetings, waitFor } from './common.js';
import { prepareApp, type MeasuredSetup } from './measured.js';

export interface JoinResult {
  /** People already in the meeting. */
  size: number;
  /** Milliseconds from pressing Join until every remote video played, one per join timed. */
  ms: number[];
  /** Joins that did not see every video within the limit. */
  failed: number;
  /** Per step of the join (client/core/timing.ts), ms from pressing Join, one per join timed. */
  steps: Record<string, number[]>;
}

/** Resolves, in the page, with the ms from the Join mark until `k` remote tiles play. */
const untilPlaying = (k: number) => `new Promise((resolve) => {
  const tick = () => {
    const join = performance.getEntriesByName('runde:join', 'mark')[0];
    if (join && window.rundeProbe.playingRemoteTiles() >= ${k}) resolve(performance.now() - join.startTime);
    else setTimeout(tick, 10);
  };
  tick();
})`;

export async function measureJoins(
  setup: Pick<MeasuredSetup, 'url' | 'args' | 'probe'>,
  size: number,
  joins: number,
  secret: string,
  limitMs: number,
): Promise<JoinResult> {
  const { url, args } = setup;
  const meeting = await launch({ args });
  const newcomer = await launch({ args, viewport: { width: 1280, height: 720 } });
  const result: JoinResult = { size, ms: [], failed: 0, steps: {} };
  try {
    await startMeetings(meeting, url, secret, size, true);
    await waitFor(meeting.page, `window.meshBench.connected(${size - 1})`, limitMs);
    await meeting.page.evaluate('window.meshBench.reportViews(false)');
    await prepareApp(newcomer, setup.probe);
    // One join more than timed: the first warms the newcomer's caches and codecs.
    for (let i = 0; i <= joins; i++) {
      await newcomer.page.goto('about:blank'); // a real load each time, not a same-document fragment change
      await joinAs(newcomer.page, `${url}/?lang=en#${secret}`, `Newcomer ${i}`);
      const ms = await Promise.race([
        newcomer.page.evaluate(untilPlaying(size)) as Promise<number>,
        new Promise<null>((r) => setTimeout(() => r(null), limitMs)),
      ]);
      if (ms === null) result.failed++;
      else if (i > 0) {
        result.ms.push(ms);
        const marks = (await newcomer.page.evaluate(MARKS)) as Record<string, number>;
        for (const [step, at] of Object.entries(marks)) (result.steps[step] ??= []).push(at);
      }
      await click(newcomer.page, role('button', 'Leave meeting'));
      // The meeting lets the newcomer go before the next one comes.
      await waitFor(meeting.page, `window.meshBench.connected(${size - 1})`, limitMs);
      await meeting.page.evaluate('window.meshBench.reportViews(false)');
    }
    return result;
  } finally {
    await meeting.page.evaluate('window.meshBench?.leave()').catch(() => {});
    await Promise.all([meeting.close(), newcomer.close()]);
  }
}

/** The join's marks (timing.ts), ms from the Join mark. A string: tsx would wrap a function in a helper the page lacks. */
const MARKS = `(() => {
  const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('runde:'));
  const join = marks.find((m) => m.name === 'runde:join');
  return Object.fromEntries(marks.filter((m) => m !== join).map((m) => [m.name.slice(6), m.startTime - join.startTime]));
})()`;

export const joinMedian = (r: JoinResult) => median(r.ms);
