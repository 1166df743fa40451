/**
 * `npm test`: runs every test suite in turn, streams its output, and ends with one plain line
 * `N passed, N failed` that sums all runners (what CI reads). Before it, each suite's passed,
 * failed and skipped tests (with the reasons for skips) and the time taken.
 *
 * A suite fails when it ran no test at all, and under CI (any non-empty `CI`) every skipped test
 * counts as failed: CI installs everything the tests need, so a skip there hides a broken set-up.
 *
 * Usage: tsx scripts/run-tests.ts [suite…]   (default: all suites)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { isolate } from './isolate.js';

const TMP_DIR = resolve('.tmp');
mkdirSync(TMP_DIR, { recursive: true });

interface Suite {
  name: string;
  command: string[];
  /** Run inside a network namespace with only loopback (browsers: no traffic beyond this host). */
  isolated?: boolean;
  /** Reads the runner's own counts from its output; null when it printed none. */
  count: (output: string) => Counts | null;
}

interface Counts {
  passed: number;
  failed: number;
  /** Reasons of skipped tests and suites, one per skip. */
  skipped: string[];
}

const ON_CI = Boolean(process.env.CI);

const lastNumber = (output: string, re: RegExp): number | null => {
  const all = [...output.matchAll(re)];
  return all.length ? Number(all[all.length - 1][1]) : null;
};

/**
 * node --test with the spec reporter ends with `ℹ pass N`, `ℹ fail N` and `ℹ cancelled N`, and
 * prints each skipped test or suite as `﹣ name (time) # reason`. Its own `ℹ skipped` leaves out
 * skipped suites, so skips are counted from those lines.
 */
const nodeTestCounts = (output: string): Counts | null => {
  const passed = lastNumber(output, /ℹ pass (\d+)/g);
  const failed = lastNumber(output, /ℹ fail (\d+)/g);
  const cancelled = lastNumber(output, /ℹ cancelled (\d+)/g) ?? 0;
  const skipped = [...output.matchAll(/^\s*﹣ (.*?) \([\d.]+m?s\)(?: # (.*))?$/gm)].map((m) => `${m[1]}: ${m[2] ?? 'no reason given'}`);
  return passed === null || failed === null ? null : { passed, failed: failed + cancelled, skipped };
};

/** Node 20's test runner finds no .ts files by itself: list them. */
const testFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => `${dir}/${f}`);

/** @web/test-runner ends with `N passed, N failed[, N skipped]` after a progress bar. */
const wtrCounts = (output: string): Counts | null => {
  const all = [...output.matchAll(/(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/g)];
  const last = all[all.length - 1];
  if (!last) return null;
  const skipped = Array.from({ length: Number(last[3] ?? 0) }, () => 'a browser test (see its output above)');
  return { passed: Number(last[1]), failed: Number(last[2]), skipped };
};

const byExitCode = () => null; // counted as one test by its exit code

const SUITES: Suite[] = [
  { name: 'typecheck', command: ['npm', 'run', '--silent', 'typecheck'], count: byExitCode },
  { name: 'lint', command: ['npm', 'run', '--silent', 'lint'], count: byExitCode },
  {
    name: 'node',
    command: ['node', '--import', 'tsx', '--test', '--test-reporter=spec', ...testFiles('test/node')],
    count: nodeTestCounts,
  },
  { name: 'build', command: ['npx', 'tsx', 'scripts/build.ts', '--vendor'], count: byExitCode },
  { name: 'size', command: ['npx', 'tsx', 'scripts/size.ts'], count: byExitCode },
  {
    name: 'browser',
    command: ['node', '--import', 'tsx', 'node_modules/@web/test-runner/dist/bin.js', '--config', 'web-test-runner.config.mjs'],
    isolated: true,
    count: wtrCounts,
  },
  {
    name: 'e2e',
    command: ['node', '--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...testFiles('test/e2e')],
    isolated: true,
    count: nodeTestCounts,
  },
];

function run(suite: Suite): Promise<Counts> {
  return new Promise((resolve) => {
    const command = suite.isolated ? isolate(suite.command) : suite.command;
    process.stdout.write(`\n=== ${suite.name}: ${command.join(' ')}\n`);
    // Chromium profiles and other temporary files stay inside the project's git-ignored .tmp.
    const env = { ...process.env, TMPDIR: TMP_DIR };
    const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
    child.on('error', (err) => process.stderr.write(`${suite.name}: ${err.message}\n`));
    let output = '';
    const collect = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk.toString();
      stream.write(chunk);
    };
    child.stdout.on('data', collect(process.stdout));
    child.stderr.on('data', collect(process.stderr));
    child.on('close', (code) => {
      const counts = suite.count(output);
      if (!counts) return resolve(code === 0 ? { passed: 1, failed: 0, skipped: [] } : { passed: 0, failed: 1, skipped: [] });
      // A runner that crashed after counting still fails the run.
      if (code !== 0 && counts.failed === 0) counts.failed = 1;
      resolve(counts);
    });
  });
}

const wanted = process.argv.slice(2);
const suites = wanted.length ? SUITES.filter((s) => wanted.includes(s.name)) : SUITES;
const started = performance.now();
const summary: string[] = [];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const suite of suites) {
  const suiteStarted = performance.now();
  const result = await run(suite);
  const notes: string[] = [];
  if (result.passed + result.failed + result.skipped.length === 0) {
    result.failed++;
    notes.push('ran no tests: counted as a failure');
  }
  if (ON_CI && result.skipped.length > 0) {
    result.failed += result.skipped.length;
    notes.push(`CI=${process.env.CI}: ${result.skipped.length} skipped counted as failed`);
  }
  passed += result.passed;
  failed += result.failed;
  skipped += result.skipped.length;
  const seconds = ((performance.now() - suiteStarted) / 1000).toFixed(0);
  const line = `${suite.name}: ${result.passed} passed, ${result.failed} failed, ${result.skipped.length} skipped (${seconds} s)${notes.length ? ` — ${notes.join('; ')}` : ''}`;
  summary.push(line, ...result.skipped.map((reason) => `    skipped: ${reason}`));
  process.stdout.write(`=== ${line}\n`);
}
process.stdout.write(`\n${summary.join('\n')}\n`);
process.stdout.write(`all suites: ${((performance.now() - started) / 1000).toFixed(0)} s, ${skipped} skipped\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
