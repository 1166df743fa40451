/**
 * `npm test`: runs every test suite in turn, streams its output, and ends with one plain line
 * `N passed, N failed` that sums all runners (what CI reads).
 *
 * Usage: tsx scripts/run-tests.ts [suite…]   (default: all suites)
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';

interface Suite {
  name: string;
  command: string[];
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

const SUITES: Suite[] = [
  {
    name: 'typecheck',
    command: ['npx', 'tsc', '--noEmit'],
    count: () => null, // counted as one test by its exit code
  },
  {
    name: 'node',
    command: ['node', '--import', 'tsx', '--test', '--test-reporter=spec', ...testFiles('test/node')],
    count: nodeTestCounts,
  },
];

function run(suite: Suite): Promise<{ passed: number; failed: number }> {
  return new Promise((resolve) => {
    process.stdout.write(`\n=== ${suite.name}: ${suite.command.join(' ')}\n`);
    const child = spawn(suite.command[0], suite.command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
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
