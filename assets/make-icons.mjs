#!/usr/bin/env node
/**
 * Draws Postern's icon (a small arched gate, a postern, with an envelope's
 * fold across it) into PNG files for electron-builder. The same shapes are
 * in icon.svg, the source to edit; this script keeps the PNGs in step
 * without an image tool: each pixel is sampled 4x4 times against the
 * shapes and written with zlib. Run once after changing the design:
 *
 *   node assets/make-icons.mjs
 *
 * Writes assets/icon.png (1024 px: mac and Windows convert from it) and
 * assets/icons/<n>x<n>.png (the Linux icon set).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));

// Geometry in a 1024 x 1024 design space (matches icon.svg).
const TILE = { x0: 64, y0: 64, x1: 960, y1: 960, r: 200 };
const ARCH = { x0: 292, x1: 732, top: 452, bottom: 812, r: 220, cx: 512 };
const FOLD = { a: [352, 540], b: [512, 660], c: [672, 540], halfWidth: 24 };
const TOP_COLOR = [0x25, 0x63, 0xeb];
const BOTTOM_COLOR = [0x1e, 0x3a, 0x8a];
const WHITE = [0xff, 0xff, 0xff];

function insideRoundedRect(x, y, { x0, y0, x1, y1, r }) {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function insideArch(x, y) {
  if (x < ARCH.x0 || x > ARCH.x1 || y > ARCH.bottom) return false;
  if (y >= ARCH.top) return true;
  return (x - ARCH.cx) ** 2 + (y - ARCH.top) ** 2 <= ARCH.r ** 2;
}

function distanceToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function onFold(x, y) {
  return Math.min(distanceToSegment(x, y, FOLD.a, FOLD.b), distanceToSegment(x, y, FOLD.b, FOLD.c)) <= FOLD.halfWidth;
}

/** Colour (premultiplied by coverage later) at one design-space point, or null outside the tile. */
function sample(x, y) {
  if (!insideRoundedRect(x, y, TILE)) return null;
  const t = (y - TILE.y0) / (TILE.y1 - TILE.y0);
  const tile = TOP_COLOR.map((c, i) => c + (BOTTOM_COLOR[i] - c) * t);
  if (insideArch(x, y) && !onFold(x, y)) return WHITE;
  return tile;
}

function render(size) {
  const SS = 4;
  const scale = 1024 / size;
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, hits = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const c = sample((px + (sx + 0.5) / SS) * scale, (py + (sy + 0.5) / SS) * scale);
          if (c === null) continue;
          r += c[0]; g += c[1]; b += c[2]; hits++;
        }
      }
      const o = (py * size + px) * 4;
      if (hits > 0) {
        rgba[o] = Math.round(r / hits);
        rgba[o + 1] = Math.round(g / hits);
        rgba[o + 2] = Math.round(b / hits);
        rgba[o + 3] = Math.round((255 * hits) / (SS * SS));
      }
    }
  }
  return rgba;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function png(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  // Each scanline starts with filter type 0 (none).
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export const LINUX_SIZES = [16, 32, 48, 64, 128, 256, 512];

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(path.join(here, 'icon.png'), png(1024, render(1024)));
  mkdirSync(path.join(here, 'icons'), { recursive: true });
  for (const size of LINUX_SIZES) writeFileSync(path.join(here, 'icons', `${size}x${size}.png`), png(size, render(size)));
  console.log(`wrote assets/icon.png and assets/icons/{${LINUX_SIZES.map((s) => `${s}x${s}`).join(',')}}.png`);
}
