/**
 * The benchmark's output: one aligned table (each figure and its ratio to Runde's), the issue's
 * targets as PASS/MISS lines computed from the figures (for the single box), how two boxes compare
 * with one, and notes on the run's validity.
 */
import type { IdleResult } from './idle.js';
import type { LatencyResult, LoadCounters, ThroughputResult } from './load.js';
import type { ServerKey } from './servers.js';

/** One run of the load phases on a fresh server process. */
export interface LoadRound {
  throughput: ThroughputResult;
  latency: LatencyResult;
  counters: LoadCounters;
}

export interface ServerResult {
  key: ServerKey;
  label: string;
  /** The figures reported: see pickFigures. */
  throughput: ThroughputResult | null;
  latency: LatencyResult | null;
  idle: IdleResult | null;
  /** Counters of the round the throughput figure comes from. */
  counters: LoadCounters | null;
  rounds: LoadRound[];
  errors: string[];
}

export interface RunSettings {
  rooms: number;
  window: number;
  payloadBytes: number;
  warmupSeconds: number;
  measureSeconds: number;
  latencyRate: number;
  latencyWarmupSeconds: number;
  latencySeconds: number;
  idleConnections: number;
  rounds: number;
  pinned: boolean;
  entriesVia: string;
  node: string;
}

/**
 * Share of a core used by other processes (or taken by the hypervisor) above which a measurement
 * counts as disturbed: the server's core is shared with whatever else runs.
 */
export const OTHER_CPU_WARNING = 0.05;

/**
 * With several rounds, each figure comes from the best of the quiet rounds (other processes below
 * OTHER_CPU_WARNING), or, when no round was quiet, from the least disturbed one. Best, not
 * median: other work on a shared machine only ever lowers throughput and raises latency.
 */
export function pickFigures(result: ServerResult): void {
  const pick = <T extends { otherCpu: number }>(items: T[], better: (a: T, b: T) => number): T | null => {
    if (items.length === 0) return null;
    const quiet = items.filter((t) => t.otherCpu < OTHER_CPU_WARNING);
    if (quiet.length === 0) return [...items].sort((a, b) => a.otherCpu - b.otherCpu)[0];
    return [...quiet].sort(better)[0];
  };
  const throughput = pick(
    result.rounds.map((r) => r.throughput),
    (a, b) => b.msgsPerSec - a.msgsPerSec,
  );
  result.throughput = throughput;
  result.latency = pick(
    result.rounds.map((r) => r.latency),
    (a, b) => a.p99Ms - b.p99Ms,
  );
  result.counters = result.rounds.find((r) => r.throughput === throughput)?.counters ?? null;
}

/** The issue's targets for Runde's box. */
export const TARGETS = {
  overBestCompetitor: 1.5,
  ofBareRelay: 0.8,
  p99Ms: 5,
  kibPerIdle: 16,
} as const;

export interface TargetCheck {
  name: string;
  pass: boolean | null;
  detail: string;
}

const num = (v: number | undefined | null): v is number => typeof v === 'number' && Number.isFinite(v);

export function checkTargets(results: ServerResult[]): TargetCheck[] {
  const by = (key: ServerKey) => results.find((r) => r.key === key);
  const runde = by('runde');
  const rate = runde?.throughput?.msgsPerSec;
  const competitors = (['peerjs', 'ywebrtc'] as const).map((k) => by(k)).filter((r): r is ServerResult => num(r?.throughput?.msgsPerSec));
  const best = competitors.sort((a, b) => b.throughput!.msgsPerSec - a.throughput!.msgsPerSec)[0];
  const bare = by('bare')?.throughput?.msgsPerSec;
  const checks: TargetCheck[] = [];
  const disturbed = (...phases: Array<{ otherCpu: number } | null | undefined>) =>
    phases.some((p) => p && !(p.otherCpu < OTHER_CPU_WARNING)) ? ' (disturbed: not trustworthy)' : '';

  if (num(rate) && best) {
    const need = TARGETS.overBestCompetitor * best.throughput!.msgsPerSec;
    checks.push({
      name: `throughput ≥ ${TARGETS.overBestCompetitor}× the better of PeerJS and y-webrtc`,
      pass: rate >= need,
      detail:
        `${fmtInt(rate)} vs ${fmtInt(need)} needed (${(rate / best.throughput!.msgsPerSec).toFixed(2)}× ${best.label})` +
        disturbed(runde?.throughput, ...competitors.map((c) => c.throughput)),
    });
  } else {
    checks.push({ name: `throughput ≥ ${TARGETS.overBestCompetitor}× the better of PeerJS and y-webrtc`, pass: null, detail: 'not measured' });
  }
  if (num(rate) && num(bare)) {
    const need = TARGETS.ofBareRelay * bare;
    checks.push({
      name: `throughput ≥ ${TARGETS.ofBareRelay}× the bare ws relay`,
      pass: rate >= need,
      detail: `${fmtInt(rate)} vs ${fmtInt(need)} needed (${(rate / bare).toFixed(2)}× bare ws)${disturbed(runde?.throughput, by('bare')?.throughput)}`,
    });
  } else {
    checks.push({ name: `throughput ≥ ${TARGETS.ofBareRelay}× the bare ws relay`, pass: null, detail: 'not measured' });
  }
  const p99 = runde?.latency?.p99Ms;
  checks.push({
    name: `p99 latency ≤ ${TARGETS.p99Ms} ms at ${runde?.latency?.rate ?? '?'} msg/s`,
    pass: num(p99) ? p99 <= TARGETS.p99Ms : null,
    detail: num(p99) ? `${p99.toFixed(2)} ms${disturbed(runde?.latency)}` : 'not measured',
  });
  const kib = runde?.idle?.kibPerConnection;
  checks.push({
    name: `≤ ${TARGETS.kibPerIdle} KiB per idle connection`,
    pass: num(kib) ? kib <= TARGETS.kibPerIdle : null,
    detail: num(kib) ? `${kib.toFixed(1)} KiB at ${fmtInt(runde!.idle!.connections)} connections` : 'not measured',
  });
  return checks;
}

/**
 * Runde on two boxes against one, for information (the targets are the single box's): the price
 * of sharing rooms through Redis on the same CPU budget.
 */
export function clusterComparison(results: ServerResult[]): string | null {
  const one = results.find((r) => r.key === 'runde');
  const two = results.find((r) => r.key === 'runde2');
  if (!one || !two) return null;
  const disturbed = [one.throughput, one.latency, two.throughput, two.latency].some((p) => p && !(p.otherCpu < OTHER_CPU_WARNING));
  return (
    `${two.label} vs one box: throughput ${ratio(two.throughput?.msgsPerSec, one.throughput?.msgsPerSec)}, ` +
    `p50 ${ratio(two.latency?.p50Ms, one.latency?.p50Ms)}, p99 ${ratio(two.latency?.p99Ms, one.latency?.p99Ms)}, ` +
    `KiB/idle conn ${ratio(two.idle?.kibPerConnection, one.idle?.kibPerConnection)}` +
    (disturbed ? ' (disturbed: not trustworthy)' : '')
  );
}

/** For several boxes: whether the signals really crossed between them, from the generator's counts. */
function deliveryNote(counters: LoadCounters): string {
  const { sent, delivered, deliveredAcross } = counters;
  const share = delivered ? ` (${pct(deliveredAcross / delivered)})` : '';
  return `generator sent ${fmtInt(sent)} signals, ${fmtInt(delivered)} delivered, ${fmtInt(deliveredAcross)} of them across boxes${share}`;
}

function pct(v: number): string {
  return num(v) ? `${(v * 100).toFixed(0)}%` : '—';
}

function fmtInt(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

function fmt(v: number | undefined | null, digits: number): string {
  return num(v) ? v.toFixed(digits) : '—';
}

function ratio(v: number | undefined | null, base: number | undefined | null): string {
  return num(v) && num(base) && base !== 0 ? `${(v / base).toFixed(2)}×` : '—';
}

/** Columns: label, then right-aligned figures. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ')).join('\n');
}

export function renderText(results: ServerResult[], settings: RunSettings): string {
  const runde = results.find((r) => r.key === 'runde');
  const base = {
    rate: runde?.throughput?.msgsPerSec,
    p50: runde?.latency?.p50Ms,
    p99: runde?.latency?.p99Ms,
    kib: runde?.idle?.kibPerConnection,
  };
  const rows: string[][] = [['server', 'relayed msg/s', '×Runde', 'p50 ms', '×Runde', 'p99 ms', '×Runde', 'KiB/idle conn', '×Runde']];
  // A figure measured while other processes used the machine is marked, not hidden.
  const mark = (phase: { otherCpu: number } | null | undefined) => (phase && !(phase.otherCpu < OTHER_CPU_WARNING) ? '*' : '');
  let marked = false;
  for (const r of results) {
    const rate = r.throughput?.msgsPerSec;
    const tMark = mark(r.throughput);
    const lMark = mark(r.latency);
    marked ||= tMark !== '' || lMark !== '';
    rows.push([
      r.label,
      (num(rate) ? fmtInt(rate) : '—') + tMark,
      ratio(rate, base.rate),
      fmt(r.latency?.p50Ms, 2) + lMark,
      ratio(r.latency?.p50Ms, base.p50),
      fmt(r.latency?.p99Ms, 2) + lMark,
      ratio(r.latency?.p99Ms, base.p99),
      fmt(r.idle?.kibPerConnection, 1),
      ratio(r.idle?.kibPerConnection, base.kib),
    ]);
  }

  const out: string[] = [];
  out.push(
    `Signaling relay benchmark — ${settings.rooms} rooms of 4, ${settings.payloadBytes}-byte signals, ` +
      `latency at ${settings.latencyRate} msg/s for ${settings.latencySeconds} s after ${settings.latencyWarmupSeconds} s; ` +
      `throughput with ${settings.window} in flight per peer for ${settings.measureSeconds} s after ${settings.warmupSeconds} s; ` +
      `${settings.idleConnections} idle connections.`,
  );
  if (settings.rounds > 1) {
    out.push(`${settings.rounds} rounds of the load phases; each figure from the best quiet round (or the least disturbed one).`);
  }
  out.push("relayed msg/s: median of one-second slices; ratios are figure / Runde's figure.");
  out.push(
    settings.pinned
      ? `Each server pinned to core 0, load generator to core 1. Node ${settings.node}.`
      : `NOT pinned (taskset or a second core missing): figures are less reliable. Node ${settings.node}.`,
  );
  const cluster = results.find((r) => r.key === 'runde2');
  if (cluster) {
    out.push(
      `${cluster.label}: two box processes and one redis-server, ` +
        (settings.pinned ? 'all three on core 0 (the same CPU budget as the single box); ' : '') +
        "each room has 2 peers on each box, so 2 of each peer's 3 roommates are on the other box and " +
        'its signals to them cross Redis pub/sub; CPU and memory are those of the three processes together.',
    );
  }
  out.push('');
  out.push(table(rows));
  if (marked) out.push(`* measured while other processes used more than ${pct(OTHER_CPU_WARNING)} of a core: not trustworthy`);
  out.push('');
  out.push('Targets for Runde:');
  for (const check of checkTargets(results)) {
    const verdict = check.pass === null ? 'N/A ' : check.pass ? 'PASS' : 'MISS';
    out.push(`  ${verdict}  ${check.name}: ${check.detail}`);
  }
  const comparison = clusterComparison(results);
  if (comparison) {
    out.push('');
    out.push('For information (no target):');
    out.push(`  ${comparison}`);
  }
  out.push('');
  out.push('Notes:');
  for (const r of results) {
    const parts: string[] = [];
    const serverCpu = r.key === 'runde2' ? 'boxes + redis-server CPU' : 'server CPU';
    if (r.throughput) {
      parts.push(
        `under load: ${serverCpu} ${pct(r.throughput.serverCpu)}, generator ${pct(r.throughput.generatorCpu)}, ` +
          `other processes ${pct(r.throughput.otherCpu)}; msg/s per second ` +
          `${r.throughput.sliceMsgsPerSec.map((v) => `${(v / 1000).toFixed(0)}k`).join(' ')}`,
      );
      if (r.throughput.lost) parts.push(`${r.throughput.lost} signals lost under load`);
    }
    if (r.latency) {
      parts.push(
        `at ${r.latency.rate} msg/s: latency max ${r.latency.maxMs.toFixed(2)} ms over ${r.latency.samples} samples, ` +
          `${serverCpu} ${pct(r.latency.serverCpu)}, other processes ${pct(r.latency.otherCpu)}`,
      );
      if (r.latency.lost) parts.push(`${r.latency.lost} signals lost at fixed rate`);
    }
    if (r.rounds.length > 1) {
      const each = r.rounds.map(
        (x) =>
          `${(x.throughput.msgsPerSec / 1000).toFixed(1)}k/${x.latency.p99Ms.toFixed(2)} ms` +
          ` (other ${pct(Math.max(x.throughput.otherCpu, x.latency.otherCpu))})`,
      );
      parts.push(`rounds msg/s / p99: ${each.join(', ')}`);
    }
    if (r.counters && r.key === 'runde2') parts.push(deliveryNote(r.counters));
    if (r.counters?.extraDeliveries) parts.push(`${fmtInt(r.counters.extraDeliveries)} deliveries to non-addressees (broadcast)`);
    if (r.counters?.unexpectedFrames) {
      parts.push(`${r.counters.unexpectedFrames} unexpected frames, e.g. ${r.counters.unexpectedSamples.join(' ')}`);
    }
    if (r.counters?.closedByServer) parts.push(`${r.counters.closedByServer} sockets closed by the server`);
    if (r.idle) {
      parts.push(
        `idle RSS ${(r.idle.rssBeforeBytes / 2 ** 20).toFixed(1)} → ${(r.idle.rssAfterBytes / 2 ** 20).toFixed(1)} MiB` +
          (r.idle.gcForced ? '' : ' (GC not forced)'),
      );
    }
    for (const e of r.errors) parts.push(`ERROR ${e}`);
    out.push(`  ${r.label}: ${parts.join('; ')}`);
  }
  const disturbed = results.filter((r) => (r.throughput?.otherCpu ?? 0) > OTHER_CPU_WARNING || (r.latency?.otherCpu ?? 0) > OTHER_CPU_WARNING);
  if (disturbed.length) {
    out.push(
      `  WARNING: other processes used CPU during the measurements of ${disturbed.map((r) => r.label).join(', ')}; ` +
        'their figures may be off (re-run on a quiet machine).',
    );
  }
  const generatorBound = results.filter((r) => r.throughput && r.throughput.generatorCpu > 0.9 && r.throughput.serverCpu < 0.9);
  if (generatorBound.length) {
    out.push(
      `  WARNING: the load generator, not the server, looks like the limit for ${generatorBound.map((r) => r.label).join(', ')}` +
        ' (try more --rooms or a larger --window).',
    );
  }
  return out.join('\n');
}

export function renderJson(results: ServerResult[], settings: RunSettings): string {
  return JSON.stringify({ settings, results, targets: checkTargets(results), cluster: clusterComparison(results) }, null, 2);
}
