/**
 * `npm run size`: the gzipped size of what a first visit loads (all JS and CSS, plus the page),
 * against the budget of 64 KiB. Builds first.
 */
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { APP_BUILD } from './build.js';

export const BUDGET_BYTES = 64 * 1024;
const FIRST_LOAD = ['static/index.html', 'static/app.css', 'static/build/app.js'];

await esbuild.build(APP_BUILD);
let total = 0;
for (const file of FIRST_LOAD) {
  const raw = readFileSync(file);
  const gz = gzipSync(raw, { level: 9 }).length;
  total += gz;
  console.log(`${file.padEnd(24)} ${String(raw.length).padStart(8)} B raw ${String(gz).padStart(7)} B gzipped`);
}
const kib = (total / 1024).toFixed(1);
console.log(`first load: ${kib} KiB gzipped (budget ${BUDGET_BYTES / 1024} KiB) ${total <= BUDGET_BYTES ? 'OK' : 'OVER BUDGET'}`);
process.exitCode = total <= BUDGET_BYTES ? 0 : 1;
