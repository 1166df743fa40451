/**
 * Where tiles go: the number of columns and rows that makes `count` tiles of a fixed aspect
 * ratio as large as possible inside `width` × `height`. Pure, so that it is easy to test.
 */
export interface GridLayout {
  columns: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
}

export const TILE_ASPECT = 16 / 9;
/** In fill mode a tile may be as tall as 9:16 (a phone held upright) or as wide as 16:9. */
const FILL_MIN_ASPECT = 9 / 16;

/**
 * Fill mode (a phone): tiles take their whole cell, cropped like Meet's, within 9:16 to 16:9,
 * instead of 16:9 boxes with empty bands above and below. The columns chosen make the smaller
 * side of a tile (what a face needs) as large as possible.
 */
export function fillLayout(count: number, width: number, height: number, gap = 8): GridLayout {
  const n = Math.max(1, count);
  let best: GridLayout = { columns: 1, rows: n, tileWidth: 0, tileHeight: 0 };
  let bestSide = -1;
  for (let columns = 1; columns <= n; columns++) {
    const rows = Math.ceil(n / columns);
    const cellW = Math.max(0, (width - gap * (columns - 1)) / columns);
    const cellH = Math.max(0, (height - gap * (rows - 1)) / rows);
    const tileW = Math.min(cellW, cellH * TILE_ASPECT);
    const tileH = Math.min(cellH, tileW / FILL_MIN_ASPECT);
    const side = Math.min(tileW, tileH);
    if (side > bestSide) {
      bestSide = side;
      best = { columns, rows, tileWidth: Math.floor(tileW), tileHeight: Math.floor(tileH) };
    }
  }
  return best;
}

export function gridLayout(count: number, width: number, height: number, gap = 8, aspect = TILE_ASPECT): GridLayout {
  const n = Math.max(1, count);
  let best: GridLayout = { columns: 1, rows: n, tileWidth: 0, tileHeight: 0 };
  // Compared before rounding down: against the rounded width, a layout with more columns and
  // the same tiles would win the tie (four people as 3 + 1 instead of 2 × 2).
  let bestWidth = 0;
  for (let columns = 1; columns <= n; columns++) {
    const rows = Math.ceil(n / columns);
    const maxW = (width - gap * (columns - 1)) / columns;
    const maxH = (height - gap * (rows - 1)) / rows;
    const tileWidth = Math.max(0, Math.min(maxW, maxH * aspect));
    if (tileWidth > bestWidth) {
      bestWidth = tileWidth;
      best = { columns, rows, tileWidth: Math.floor(tileWidth), tileHeight: Math.floor(tileWidth / aspect) };
    }
  }
  return best;
}
