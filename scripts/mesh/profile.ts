/**
 * bench:mesh --only profile: where the time of a one-page mesh goes. Three views of the same
 * window: the kernel's CPU time per Chromium thread group (threads.ts: encoders, decoders,
 * audio, WebRTC's network and worker threads, compositing, the renderer's main thread), the
 * renderer's JavaScript by function (a CDP sampling profile, self time), and a Chromium trace
 * written to a file for DevTools' Performance panel (its busiest event names summed here).
 */
import { readFileSync } from 'node:fs';
import type { Browser } from './common.js';
import { sleep } from './common.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** JavaScript self time per function, ms, largest first, with the share of all samples that were idle or GC. */
export async function jsProfile(b: Browser, ms: number): Promise<Array<[string, number]>> {
  await b.cdp.send('Profiler.enable');
  await b.cdp.send('Profiler.setSamplingInterval', { interval: 1_000 });
  await b.cdp.send('Profiler.start');
  await sleep(ms);
  const { profile } = (await b.cdp.send('Profiler.stop')) as unknown as {
    profile: { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] };
  };
  await b.cdp.send('Profiler.disable');
  const perSample = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
  const byName = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.split('/').pop() ?? '';
    const name = functionName || (url ? '(anonymous)' : '');
    const label = file ? `${name} ${file}:${lineNumber + 1}` : name || '(unknown)';
    byName.set(label, (byName.get(label) ?? 0) + (node.hitCount ?? 0) * perSample);
  }
  return [...byName].sort((a, b) => b[1] - a[1]);
}

/** Trace categories that cover media, WebRTC, compositing and script. */
const CATEGORIES = ['webrtc', 'media', 'cc', 'viz', 'gpu', 'v8', 'devtools.timeline', 'toplevel', 'audio'];

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  dur?: number;
  tdur?: number;
}

/** Records a Chromium trace of `ms` into `path`; returns the event names with the most thread time, ms. */
export async function trace(b: Browser, path: string, ms: number): Promise<Array<[string, number]>> {
  await b.page.tracing.start({ path, categories: CATEGORIES });
  await sleep(ms);
  await b.page.tracing.stop();
  const events = (JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const byName = new Map<string, number>();
  for (const e of events) {
    if (e.ph !== 'X') continue;
    const us = e.tdur ?? e.dur ?? 0;
    const label = `${e.cat.split(',')[0]}: ${e.name}`;
    byName.set(label, (byName.get(label) ?? 0) + us / 1000);
  }
  return [...byName].sort((a, b) => b[1] - a[1]);
}
