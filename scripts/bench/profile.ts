/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and lists the functions with the most self
 * time, so that `--cpu-prof` answers "where does the server spend its time" without DevTools.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT } from './servers.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function summarizeProfile(file: string, top: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  let totalUs = 0;
  // A sample's time delta is the time since the previous sample: charge it to that sample's node.
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const dt = profile.timeDeltas[i + 1] ?? 0;
    if (!node || dt <= 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${shorten(url)}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
    totalUs += dt;
  }
  const busyUs = totalUs - (selfUs.get('(idle)') ?? 0);
  const rows = [...selfUs.entries()]
    .filter(([k]) => k !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, us]) => `  ${((100 * us) / Math.max(1, busyUs)).toFixed(1).padStart(5)}%  ${k}`);
  return [`  self time, % of busy time (${(busyUs / 1e6).toFixed(1)} s busy of ${(totalUs / 1e6).toFixed(1)} s):`, ...rows].join('\n');
}

function shorten(url: string): string {
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  return path.startsWith('/') ? relative(ROOT, path) : path;
}
