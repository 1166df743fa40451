/**
 * `npm run size`: the gzipped size of what a first visit loads (the page, its CSS, the entry
 * script and the chunks it imports statically) against the budget of 64 KiB, and of the chunks
 * loaded later (the call, fetched while the lobby is open). Builds first.
 */
import * as esbuild from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { APP_BUILD } from './build.js';

export const BUDGET_BYTES = 64 * 1024;
const PAGE = ['static/index.html', 'static/app.css'];
const ENTRY = 'static/build/app.js';

const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;

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

rmSync('static/build', { recursive: true, force: true });
const result = await esbuild.build(APP_BUILD);
const { first, later } = firstLoad(result.metafile!);
const row = (file: string) => console.log(`  ${file.padEnd(40)} ${String(gz(file)).padStart(7)} B gzipped`);
console.log('first load:');
[...PAGE, ...first].forEach(row);
console.log('loaded later (while the lobby is open):');
later.forEach(row);
const total = [...PAGE, ...first].reduce((sum, f) => sum + gz(f), 0);
const lazy = later.reduce((sum, f) => sum + gz(f), 0);
console.log(`later chunks: ${(lazy / 1024).toFixed(1)} KiB gzipped`);
console.log(`first load: ${(total / 1024).toFixed(1)} KiB gzipped (budget ${BUDGET_BYTES / 1024} KiB) ${total <= BUDGET_BYTES ? 'OK' : 'OVER BUDGET'}`);
process.exitCode = total <= BUDGET_BYTES ? 0 : 1;
