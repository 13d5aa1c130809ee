// Draws the toolbar icon (a node ring with a dot) as PNGs, so no image tool is needed: green
// (the manifest's icon, and a running node), grey (paused) and amber (needs attention), the
// variants src/background/attention.ts switches between. Nothing is fetched from anywhere.
// Run once: node scripts/make-icons.mjs; the PNGs are committed in public/icons.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (const b of buf) {
    c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, [r, g, b]) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  const c = (size - 1) / 2;
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c) / (size / 2);
      const ring = d > 0.62 && d < 0.95;
      const dot = d < 0.34;
      const o = y * (size * 4 + 1) + 1 + x * 4;
      if (ring || dot) { raw[o] = r; raw[o + 1] = g; raw[o + 2] = b; raw[o + 3] = 255; }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
const VARIANTS = { '': [11, 110, 79], '-paused': [95, 99, 104], '-attention': [166, 75, 0] };
for (const [infix, colour] of Object.entries(VARIANTS)) {
  for (const s of [16, 32, 48, 128]) writeFileSync(new URL(`../public/icons/icon${infix}-${s}.png`, import.meta.url), png(s, colour));
}
