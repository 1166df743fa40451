/**
 * What the kernel says about the processes a bench started: which processes belong to one
 * Chromium instance, their CPU time and their resident memory, read from /proc (Linux only).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of utime/stime in /proc/<pid>/stat (almost always 100). */
export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function pids(): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number);
}

/** The fields of /proc/<pid>/stat after the command name, which may hold spaces and ')'. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // the process ended while we looked
  }
}

/**
 * The raw command line. Processes forked from Chromium's zygote (renderers) rewrite theirs into
 * one space-separated string, so look for flags in it as substrings, not as whole arguments.
 */
function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** `root` and every process below it. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of pids()) {
    const ppid = Number(statFields(pid)?.[1]);
    if (ppid) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const all: number[] = [];
  for (let queue = [root]; queue.length; ) {
    const pid = queue.pop()!;
    all.push(pid);
    queue = queue.concat(children.get(pid) ?? []);
  }
  return all;
}

/**
 * The browser process of the Chromium whose profile is `dir`: the one process with that
 * --user-data-dir and no --type= (renderers, GPU and utility processes all have one).
 */
export function browserPid(dir: string): number {
  for (const pid of pids()) {
    const args = cmdline(pid);
    if (args.includes(`--user-data-dir=${dir}\0`) && !args.includes('--type=')) return pid;
  }
  throw new Error(`no browser process for ${dir}`);
}

/** CPU time (user + system) in ticks, summed over `of`; processes that are gone count 0. */
export function cpuTicks(of: number[]): number {
  let ticks = 0;
  for (const pid of of) {
    const f = statFields(pid);
    // After the name: state(0) ppid(1) … utime(11) stime(12), i.e. fields 14 and 15 of stat(5).
    if (f) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks;
}

/** Resident memory of one process in bytes (VmRSS), 0 if it is gone. */
export function rssBytes(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Resident memory of the renderer processes below a browser process. */
export function rendererRss(browser: number): number {
  return descendants(browser)
    .filter((pid) => cmdline(pid).includes('--type=renderer'))
    .reduce((sum, pid) => sum + rssBytes(pid), 0);
}

/**
 * CPU ticks of the whole machine since boot, busy and in total (all cores), from /proc/stat:
 * what the other work on the machine took is `busy` minus the ticks of our own processes.
 */
export function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const [, , , idle, iowait] = fields;
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - idle - iowait, total };
}
