/**
 * CRC-32 (ISO 3309 / ZIP, reflected polynomial 0xEDB88320), slicing-by-8 for speed:
 * eight table lookups consume eight input bytes per step (Kounavis & Berry, 2008).
 */

const TABLES = (() => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) {
      const prev = t[(k - 1) * 256 + n];
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff];
    }
  }
  return t;
})();

/** Continues a CRC-32 over `bytes`; start with crc = 0. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  const t = TABLES;
  let c = ~crc;
  let i = 0;
  const n = bytes.length;
  for (; i + 8 <= n; i += 8) {
    c ^= bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    c =
      t[1792 + (c & 0xff)] ^
      t[1536 + ((c >>> 8) & 0xff)] ^
      t[1280 + ((c >>> 16) & 0xff)] ^
      t[1024 + (c >>> 24)] ^
      t[768 + bytes[i + 4]] ^
      t[512 + bytes[i + 5]] ^
      t[256 + bytes[i + 6]] ^
      t[bytes[i + 7]];
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

export type Crc32 = (bytes: Uint8Array, crc?: number) => number;

let fastest: Promise<Crc32> | undefined;

/** Node's zlib.crc32 (native, about 5× faster) where the runtime has it, else {@link crc32}. */
export function fastestCrc32(): Promise<Crc32> {
  fastest ??= (async (): Promise<Crc32> => {
    if (typeof process === 'undefined' || typeof process.versions?.node !== 'string') return crc32;
    const zlibModule = 'node:zlib'; // a variable keeps it out of browser bundles
    const zlib = (await import(/* @vite-ignore */ zlibModule)) as { crc32?: (data: Uint8Array, value?: number) => number };
    const native = zlib.crc32;
    return typeof native === 'function' ? (bytes, crc = 0) => native(bytes, crc) : crc32;
  })().catch(() => crc32);
  return fastest;
}
