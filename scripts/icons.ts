/**
 * Draws Runde's app icons as PNG (for the web app manifest, where browsers want bitmaps):
 * a blue disc with a white ring, the same as static/icon.svg. No image library needed:
 * the pixels are computed and deflated with Node's zlib.
 *
 *   tsx scripts/icons.ts      writes static/icon-192.png, static/icon-512.png, static/icon-maskable-512.png
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BLUE = [0x0b, 0x5c, 0xad];
const WHITE = [0xff, 0xff, 0xff];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** RGBA pixels of the icon; `full` fills the square (maskable icons must reach the edges). */
function draw(size: number, full: boolean): Buffer {
  const rows: Buffer[] = [];
  const c = size / 2;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then RGBA
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x + 0.5 - c, y + 0.5 - c) / size; // 0 at the centre, 0.5 at an edge
      const inDisc = full || d <= 30 / 64;
      const inRing = d >= 11 / 64 && d <= 17 / 64;
      const rgb = inRing ? WHITE : BLUE;
      row.set([...rgb, inDisc ? 255 : 0], 1 + x * 4);
    }
    rows.push(row);
  }
  return Buffer.concat(rows);
}

function png(size: number, full = false): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(draw(size, full), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

writeFileSync('static/icon-192.png', png(192));
writeFileSync('static/icon-512.png', png(512));
writeFileSync('static/icon-maskable-512.png', png(512, true));
