/**
 * Where tiles go (gridLayout in client/ui/grid-layout.ts, pure and free of Lit): checked by
 * geometry, not by repeating its loop. The <runde-grid> element that applies it stays in the
 * browser suite (test/browser/grid.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TILE_ASPECT, gridLayout, type GridLayout } from '../../client/ui/grid-layout.js';

const GAP = 8;
/** Areas a grid gets: phones upright and on their side, tablets, laptops, desktops, strips. */
const AREAS: [number, number][] = [
  [360, 600],
  [740, 300],
  [768, 900],
  [1024, 700],
  [1280, 720],
  [1366, 650],
  [1600, 900],
  [1920, 1080],
  [2560, 1300],
  [800, 300],
  [300, 800],
  [1000, 1000],
  [500, 120],
  [3840, 2000],
];

/** Whether `columns` × `rows` tiles `tileWidth` wide at `aspect` fit in `width` × `height` with `gap`. */
function fits(columns: number, rows: number, tileWidth: number, width: number, height: number, gap = GAP, aspect = TILE_ASPECT): boolean {
  return columns * tileWidth + (columns - 1) * gap <= width && rows * (tileWidth / aspect) + (rows - 1) * gap <= height;
}

function checkLayout(l: GridLayout, n: number, width: number, height: number, gap = GAP, aspect = TILE_ASPECT): void {
  const at = `${n} tiles in ${width}×${height}`;
  assert.ok(l.columns * l.rows >= n, `${at}: a cell for every tile`);
  assert.ok((l.columns - 1) * l.rows < n, `${at}: no column to spare (${l.columns}×${l.rows})`);
  assert.ok(l.columns * (l.rows - 1) < n, `${at}: no row to spare (${l.columns}×${l.rows})`);
  assert.ok(Number.isInteger(l.tileWidth) && Number.isInteger(l.tileHeight), `${at}: whole pixels`);
  assert.ok(l.columns * l.tileWidth + (l.columns - 1) * gap <= width, `${at}: fits the width`);
  assert.ok(l.rows * l.tileHeight + (l.rows - 1) * gap <= height, `${at}: fits the height`);
  // Both sides are rounded down to whole pixels, so the ratio is kept to within a pixel of either.
  assert.ok(Math.abs(l.tileHeight - l.tileWidth / aspect) < Math.max(1, 1 / aspect), `${at}: keeps the aspect (${l.tileWidth}×${l.tileHeight})`);
  for (let columns = 1; columns <= n; columns++) {
    const rows = Math.ceil(n / columns);
    assert.ok(!fits(columns, rows, l.tileWidth + 1, width, height, gap, aspect), `${at}: ${columns} columns would fit larger tiles than ${l.columns}`);
  }
}

test('one tile fills a screen of its own aspect', () => {
  assert.deepEqual(gridLayout(1, 1600, 900, GAP), { columns: 1, rows: 1, tileWidth: 1600, tileHeight: 900 });
  assert.deepEqual(gridLayout(1, 1600, 2000, GAP), { columns: 1, rows: 1, tileWidth: 1600, tileHeight: 900 }, 'limited by the width');
  assert.deepEqual(gridLayout(1, 3000, 900, GAP), { columns: 1, rows: 1, tileWidth: 1600, tileHeight: 900 }, 'limited by the height');
});

test('two people sit side by side on a wide screen and above each other on a tall one', () => {
  assert.deepEqual([gridLayout(2, 1600, 600, GAP).columns, gridLayout(2, 1600, 600, GAP).rows], [2, 1]);
  assert.deepEqual([gridLayout(2, 400, 800, GAP).columns, gridLayout(2, 400, 800, GAP).rows], [1, 2]);
});

test('eight people on a 16:9 screen get 3×3 rather than one long row', () => {
  const l = gridLayout(8, 1920, 1080, GAP);
  assert.deepEqual([l.columns, l.rows], [3, 3]);
});

test('four people in a wide strip get 2×2, not a row of three and one alone', () => {
  // Found by the sweep below: the rounded width of the best layout so far lost ties to wider ones.
  for (const width of [794, 800, 820]) {
    const l = gridLayout(4, width, 300, GAP);
    assert.deepEqual([l.columns, l.rows], [2, 2], `${width}×300`);
  }
});

test('every count from 1 to 12 fits every usual area with the largest tiles and no spare row or column', () => {
  for (const [width, height] of AREAS) {
    for (let n = 1; n <= 12; n++) checkLayout(gridLayout(n, width, height, GAP), n, width, height);
  }
});

test('the same holds for every area size in steps, not only the usual ones', () => {
  for (let n = 1; n <= 9; n++) {
    for (let width = 120; width <= 2600; width += 23) {
      for (let height = 120; height <= 1600; height += 29) checkLayout(gridLayout(n, width, height, GAP), n, width, height);
    }
  }
});

test('another aspect ratio and gap are respected', () => {
  for (const [aspect, gap] of [
    [1, 0],
    [4 / 3, 16],
    [9 / 16, 4],
  ] as const) {
    for (const [width, height] of AREAS) {
      for (let n = 1; n <= 8; n++) checkLayout(gridLayout(n, width, height, gap, aspect), n, width, height, gap, aspect);
    }
  }
  assert.deepEqual(gridLayout(4, 1000, 1000, 0, 1), { columns: 2, rows: 2, tileWidth: 500, tileHeight: 500 }, 'no gap: the tiles fill the area');
});

test('a collapsed or negative area gives tiles of size 0, never negative', () => {
  for (const [width, height] of [
    [0, 0],
    [0, 720],
    [1280, 0],
    [-50, 100],
    [100, -50],
    [4, 4],
  ]) {
    const l = gridLayout(4, width, height, GAP);
    assert.equal(l.tileWidth, 0, `${width}×${height}`);
    assert.equal(l.tileHeight, 0, `${width}×${height}`);
    assert.ok(l.columns * l.rows >= 4, `${width}×${height}: still a cell for every tile`);
  }
});

test('no tiles at all are laid out as one', () => {
  for (const count of [0, -3]) assert.deepEqual(gridLayout(count, 1600, 900, GAP), gridLayout(1, 1600, 900, GAP), `count ${count}`);
});
