/**
 * Where a Chromium instance spends its processor time, by thread: Chromium names its threads
 * (the renderer's main thread "CrRendererMain", WebRTC's "WebRTC_Worker"/"WebRTC_Network", the
 * encoder queues, the media and audio threads, the compositor), and the kernel keeps each
 * thread's CPU time in /proc/<pid>/task/<tid>/stat. Two readings a window apart say which part of
 * the browser did the work, without a profiler's own cost. Linux only.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU ticks per thread name ("process type/thread name"), summed over the processes given. */
export type ThreadTicks = Map<string, number>;

function processType(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /--type=([a-z-]+)/.exec(args)?.[1] ?? 'browser';
  } catch {
    return 'gone';
  }
}

/** Thread names end in numbers where Chromium has several alike ("ThreadPoolForegroundWorker", "WebRTC_W_1"): one group. */
const group = (name: string) => name.replace(/[\d_:/-]+$/, '') || name;

export function threadTicks(pids: readonly number[]): ThreadTicks {
  const out: ThreadTicks = new Map();
  for (const pid of pids) {
    const type = processType(pid);
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const key = `${type}/${group(name)}`;
        out.set(key, (out.get(key) ?? 0) + Number(f[11]) + Number(f[12]));
      } catch {
        // the thread ended while we looked
      }
    }
  }
  return out;
}

/** Ticks spent per thread group between two readings, largest first. */
export function threadDelta(before: ThreadTicks, after: ThreadTicks): Array<[string, number]> {
  return [...after]
    .map(([k, v]): [string, number] => [k, v - (before.get(k) ?? 0)])
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1]);
}
