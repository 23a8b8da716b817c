// Draws the app icon (a diffraction ring pattern) as PNGs into public/icons. Run once: node scripts/make-icons.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

function crc32(bytes) {
  let c;
  let crc = 0xffffffff;
  for (const b of bytes) {
    c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function icon(size) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size - 0.5;
      const v = (y + 0.5) / size - 0.5;
      const r = Math.hypot(u, v);
      // Debye–Scherrer-like rings plus six Bragg spots on a dark blue disc.
      const rings = Math.exp(-(((r - 0.18) / 0.012) ** 2)) + 0.7 * Math.exp(-(((r - 0.31) / 0.012) ** 2));
      let spots = 0;
      for (let k = 0; k < 6; k++) {
        const a = (k * Math.PI) / 3;
        spots += Math.exp(-((u - 0.24 * Math.cos(a)) ** 2 + (v - 0.24 * Math.sin(a)) ** 2) / 0.0009);
      }
      const centre = Math.exp(-(r * r) / 0.002);
      const s = Math.min(1, rings + spots + centre);
      const i = y * (size * 4 + 1) + 1 + x * 4;
      raw[i] = Math.round(29 + (255 - 29) * s);
      raw[i + 1] = Math.round(53 + (209 - 53) * s);
      raw[i + 2] = Math.round(87 + (102 - 87) * s);
      raw[i + 3] = 255;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 6;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

for (const size of [192, 512]) writeFileSync(`public/icons/icon-${size}.png`, icon(size));
