/**
 * `npm test`: runs every test suite in turn, streams its output, and ends with one plain line
 * `N passed, N failed` that sums all runners (what CI reads).
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
  count: (output: string) => { passed: number; failed: number } | null;
}

const lastNumber = (output: string, re: RegExp): number | null => {
  const all = [...output.matchAll(re)];
  return all.length ? Number(all[all.length - 1][1]) : null;
};

/** node --test with the spec reporter ends with `ℹ pass N` and `ℹ fail N`. */
const nodeTestCounts = (output: string) => {
  const passed = lastNumber(output, /ℹ pass (\d+)/g);
  const failed = lastNumber(output, /ℹ fail (\d+)/g);
  return passed === null || failed === null ? null : { passed, failed };
};

/** Node 20's test runner finds no .ts files by itself: list them. */
const testFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => `${dir}/${f}`);

/** @web/test-runner ends with `N passed, N failed` after a progress bar. */
const wtrCounts = (output: string) => {
  const all = [...output.matchAll(/(\d+) passed, (\d+) failed/g)];
  const last = all[all.length - 1];
  return last ? { passed: Number(last[1]), failed: Number(last[2]) } : null;
};

const byExitCode = () => null; // counted as one test by its exit code

const SUITES: Suite[] = [
  { name: 'typecheck', command: ['npx', 'tsc', '--noEmit'], count: byExitCode },
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


function run(suite: Suite): Promise<{ passed: number; failed: number }> {
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
      if (!counts) return resolve(code === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 });
      // A runner that crashed after counting still fails the run.
      if (code !== 0 && counts.failed === 0) counts.failed = 1;
      resolve(counts);
    });
  });
}

const wanted = process.argv.slice(2);
const suites = wanted.length ? SUITES.filter((s) => wanted.includes(s.name)) : SUITES;
let passed = 0;
let failed = 0;
for (const suite of suites) {
  const result = await run(suite);
  passed += result.passed;
  failed += result.failed;
  process.stdout.write(`=== ${suite.name}: ${result.passed} passed, ${result.failed} failed\n`);
}
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
