/**
 * `npm run size`: the size of what a first visit loads (the page, its CSS, the entry script and
 * the chunks it imports statically) against the budget of 64 KiB gzipped, and of the chunks
 * loaded later (the call, fetched while the lobby is open). Each file as the box and nginx send
 * it: raw, and the build's gzip and brotli copies. Builds the app first, as `npm run build` does.
 */
import type * as esbuild from 'esbuild';
import { existsSync, statSync } from 'node:fs';
import { buildApp } from './build.js';

export const BUDGET_BYTES = 64 * 1024;
const PAGE = ['static/index.html', 'static/app.css'];
const ENTRY = 'static/build/app.js';

interface Sizes {
  raw: number;
  gzip: number;
  br: number;
}

/** The bytes sent for `file`: a missing copy (not smaller, so not written) means the file itself. */
function sizes(file: string): Sizes {
  const size = (f: string) => (existsSync(f) ? statSync(f).size : statSync(file).size);
  return { raw: statSync(file).size, gzip: size(`${file}.gz`), br: size(`${file}.br`) };
}

/** The entry and every output it imports statically, transitively. */
function firstLoad(meta: esbuild.Metafile): { first: string[]; later: string[] } {
  const first = new Set<string>();
  const visit = (file: string) => {
    if (first.has(file)) return;
    first.add(file);
    for (const imp of meta.outputs[file]?.imports ?? []) if (imp.kind === 'import-statement') visit(imp.path);
  };
  visit(ENTRY);
  const js = Object.keys(meta.outputs).filter((f) => f.endsWith('.js'));
  return { first: [...first], later: js.filter((f) => !first.has(f)) };
}

const column = (n: number) => String(n).padStart(8);
const sum = (all: Sizes[]): Sizes => all.reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, br: a.br + b.br }), { raw: 0, gzip: 0, br: 0 });
const kib = (s: Sizes) => `${(s.raw / 1024).toFixed(1)} KiB raw, ${(s.gzip / 1024).toFixed(1)} KiB gzip, ${(s.br / 1024).toFixed(1)} KiB brotli`;

function table(title: string, files: string[]): Sizes {
  console.log(`${title.padEnd(42)} ${'raw'.padStart(8)} ${'gzip'.padStart(8)} ${'brotli'.padStart(8)}  (bytes)`);
  const all = files.map(sizes);
  files.forEach((file, i) => {
    console.log(`  ${file.padEnd(40)} ${column(all[i].raw)} ${column(all[i].gzip)} ${column(all[i].br)}`);
  });
  return sum(all);
}

const { first, later } = firstLoad(await buildApp());
const total = table('first load:', [...PAGE, ...first]);
const lazy = table('loaded later (while the lobby is open):', later);
console.log(`later chunks: ${kib(lazy)}`);
console.log(`first load: ${kib(total)} (budget ${BUDGET_BYTES / 1024} KiB gzip) ${total.gzip <= BUDGET_BYTES ? 'OK' : 'OVER BUDGET'}`);
process.exitCode = total.gzip <= BUDGET_BYTES ? 0 : 1;
