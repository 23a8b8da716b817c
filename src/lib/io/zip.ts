/**
 * ZIP archives as numpy writes them (.npz): the central directory, ZIP64 records and extras,
 * stored and deflated members; and a writer.
 *
 * Reading never loads an archive whole. Listing reads only the end records and the central
 * directory. A member is itself a {@link ByteSource}: a stored member is a window on the file;
 * a deflated one is inflated as a stream (fflate) up to the bytes asked for, and the stream's
 * position is kept, so reading a big member front to back inflates it once.
 * Layout reference: PKWARE APPNOTE.TXT 6.3.x, §4.3 (records) and §4.5.3 (ZIP64 extra field).
 */
import { Inflate, deflateSync } from 'fflate';
import { crc32, fastestCrc32, type Crc32 } from './crc32.ts';
import { FormatError } from './errors.ts';
import { readExactly, subSource, TruncatedError, type ByteSource } from './source.ts';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const ZIP64_EXTRA_ID = 0x0001;
const U32_MAX = 0xffffffff;
const U16_MAX = 0xffff;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

const METHOD_NAMES: Record<number, string> = { 0: 'stored', 8: 'deflate', 9: 'deflate64', 12: 'bzip2', 14: 'lzma', 93: 'zstd', 95: 'xz' };

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

function u64(view: DataView, offset: number, what: string): number {
  const v = view.getBigUint64(offset, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(`corrupt zip: ${what} ${v} is impossibly large`);
  return Number(v);
}

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const utf8 = new TextDecoder('utf-8');

/** Lists the members of a zip archive from its central directory, without touching their data. */
export async function readZipDirectory(source: ByteSource): Promise<ZipEntry[]> {
  if (source.size < EOCD_SIZE) throw new TruncatedError(`truncated: ${source.size} bytes is too short for a zip archive`);
  const tailLength = Math.min(source.size, EOCD_SIZE + MAX_COMMENT);
  const tailStart = source.size - tailLength;
  const tail = await readExactly(source, tailStart, tailLength, 'zip end records');
  const tv = dataView(tail);
  let eocd = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tv.getUint32(i, true) === SIG_EOCD && i + EOCD_SIZE + tv.getUint16(i + 20, true) <= tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new FormatError('truncated or corrupt zip: no end-of-central-directory record');
  let entryCount = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  if (tv.getUint16(eocd + 4, true) !== 0 || tv.getUint16(eocd + 6, true) !== 0) {
    throw new FormatError('multi-part (spanned) zip archives are not supported');
  }
  const eocdAbsolute = tailStart + eocd;
  let cdEnd = eocdAbsolute;
  // ZIP64: a locator just before the end record points at the 64-bit end record.
  if (eocdAbsolute >= 20) {
    const loc = eocd >= 20 ? tail.subarray(eocd - 20, eocd) : await readExactly(source, eocdAbsolute - 20, 20, 'ZIP64 locator');
    const lv = dataView(loc);
    if (lv.getUint32(0, true) === SIG_EOCD64_LOCATOR) {
      const recordOffset = u64(lv, 8, 'ZIP64 end record offset');
      const rec = await readExactly(source, recordOffset, 56, 'ZIP64 end-of-central-directory record');
      const rv = dataView(rec);
      if (rv.getUint32(0, true) !== SIG_EOCD64) throw new FormatError('corrupt zip: ZIP64 locator points at no ZIP64 end record');
      entryCount = u64(rv, 32, 'entry count');
      cdSize = u64(rv, 40, 'central directory size');
      cdOffset = u64(rv, 48, 'central directory offset');
      cdEnd = recordOffset;
    } else if (entryCount === U16_MAX || cdSize === U32_MAX || cdOffset === U32_MAX) {
      throw new FormatError('corrupt zip: ZIP64 sizes announced but no ZIP64 locator found');
    }
  }
  if (cdOffset + cdSize > cdEnd) {
    throw new TruncatedError(`truncated or corrupt zip: central directory (${cdSize} bytes at ${cdOffset}) runs past the end records at ${cdEnd}`);
  }
  if (entryCount * 46 > cdSize) throw new FormatError(`corrupt zip: ${entryCount} entries cannot fit in a ${cdSize}-byte central directory`);
  const cd = await readExactly(source, cdOffset, cdSize, 'zip central directory');
  return parseCentralDirectory(cd, entryCount, source.size);
}

function parseCentralDirectory(cd: Uint8Array, entryCount: number, fileSize: number): ZipEntry[] {
  const v = dataView(cd);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < entryCount; i++) {
    if (p + 46 > cd.length || v.getUint32(p, true) !== SIG_CENTRAL) throw new FormatError(`corrupt zip: central directory entry ${i} is damaged`);
    const flags = v.getUint16(p + 8, true);
    const method = v.getUint16(p + 10, true);
    const crc = v.getUint32(p + 16, true);
    let compressedSize = v.getUint32(p + 20, true);
    let uncompressedSize = v.getUint32(p + 24, true);
    const nameLength = v.getUint16(p + 28, true);
    const extraLength = v.getUint16(p + 30, true);
    const commentLength = v.getUint16(p + 32, true);
    let localHeaderOffset = v.getUint32(p + 42, true);
    const next = p + 46 + nameLength + extraLength + commentLength;
    if (next > cd.length) throw new FormatError(`corrupt zip: central directory entry ${i} runs past the directory`);
    const name = utf8.decode(cd.subarray(p + 46, p + 46 + nameLength));
    // ZIP64 extra: 8-byte values for exactly those fields whose 32-bit value is 0xFFFFFFFF.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = v.getUint16(e, true);
      const size = v.getUint16(e + 2, true);
      if (e + 4 + size > extraEnd) break;
      if (id === ZIP64_EXTRA_ID) {
        let q = e + 4;
        const take = (what: string): number => {
          if (q + 8 > e + 4 + size) throw new FormatError(`corrupt zip: ZIP64 extra of ${JSON.stringify(name)} lacks the ${what}`);
          const value = u64(v, q, what);
          q += 8;
          return value;
        };
        if (uncompressedSize === U32_MAX) uncompressedSize = take('uncompressed size');
        if (compressedSize === U32_MAX) compressedSize = take('compressed size');
        if (localHeaderOffset === U32_MAX) localHeaderOffset = take('local header offset');
      }
      e += 4 + size;
    }
    if (localHeaderOffset + 30 + compressedSize > fileSize) {
      throw new TruncatedError(`truncated: member ${JSON.stringify(name)} (${compressedSize} bytes at ${localHeaderOffset}) runs past the end of the file`);
    }
    entries.push({ name, method, flags, crc32: crc, compressedSize, uncompressedSize, localHeaderOffset });
    p = next;
  }
  return entries;
}

/**
 * Opens one member for random-access reads of its uncompressed bytes. The CRC-32 is checked
 * whenever the member has been read front to back (which a whole-array read does).
 */
export async function openZipMember(source: ByteSource, entry: ZipEntry): Promise<ByteSource> {
  const label = JSON.stringify(entry.name);
  if (entry.flags & 1) throw new FormatError(`member ${label} is encrypted`);
  const local = await readExactly(source, entry.localHeaderOffset, 30, `local header of ${label}`);
  const lv = dataView(local);
  if (lv.getUint32(0, true) !== SIG_LOCAL) throw new FormatError(`corrupt zip: no local header for member ${label} at offset ${entry.localHeaderOffset}`);
  const dataStart = entry.localHeaderOffset + 30 + lv.getUint16(26, true) + lv.getUint16(28, true);
  if (dataStart + entry.compressedSize > source.size) {
    throw new TruncatedError(`truncated: member ${label} needs ${entry.compressedSize} bytes at ${dataStart}, the file ends at ${source.size}`);
  }
  const name = `${source.name}:${entry.name}`;
  let member: ByteSource;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.uncompressedSize) throw new FormatError(`corrupt zip: stored member ${label} has different sizes`);
    member = subSource(source, dataStart, entry.uncompressedSize, name);
  } else if (entry.method === 8) {
    // Deflate expands at most 1032:1 (a 258-byte match per 2 bits); more means a corrupt entry.
    if (entry.uncompressedSize > entry.compressedSize * 1032 + 1024) {
      throw new FormatError(`corrupt zip: member ${label} claims ${entry.uncompressedSize} bytes from ${entry.compressedSize} compressed`);
    }
    member = new InflatingSource(source, dataStart, entry.compressedSize, entry.uncompressedSize, name);
  } else {
    const method = METHOD_NAMES[entry.method] ?? `method ${entry.method}`;
    throw new FormatError(`member ${label} uses ${method} compression; only stored and deflate are supported`);
  }
  return withCrcCheck(member, entry.crc32, label, await fastestCrc32());
}

/** Wraps `member` so that reading it through from start to end verifies its CRC-32. */
function withCrcCheck(member: ByteSource, expected: number, label: string, update: Crc32): ByteSource {
  let checkedUpTo = 0;
  let crc = 0;
  return {
    name: member.name,
    size: member.size,
    async read(offset, length) {
      const bytes = await member.read(offset, length);
      const end = offset + bytes.length;
      if (checkedUpTo < member.size && offset <= checkedUpTo && checkedUpTo < end) {
        crc = update(bytes.subarray(checkedUpTo - offset), crc);
        checkedUpTo = end;
        if (checkedUpTo === member.size && crc !== expected) {
          throw new FormatError(`member ${label} is corrupt: CRC-32 ${hex(crc)} does not match the recorded ${hex(expected)}`);
        }
      }
      return bytes;
    },
  };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** Compressed bytes handed to the inflater per push: bounds the output of one push (≤ ~1032×). */
const PUSH_BYTES = 64 * 1024;
/** Compressed bytes per file read: small at first (opening reads only the .npy header), then growing. */
const FIRST_READ_BYTES = 64 * 1024;
const MAX_READ_BYTES = 4 * 1024 * 1024;

/**
 * A deflated member as a {@link ByteSource}. Keeps the inflater's position, so consecutive reads
 * continue the stream; a read behind the position restarts from the member's first byte.
 */
class InflatingSource implements ByteSource {
  private inflater!: Inflate;
  private compressedPos = 0;
  private readBytes = FIRST_READ_BYTES;
  private produced = 0;
  private finished = false;
  private pending: { start: number; bytes: Uint8Array }[] = [];
  private readonly parent: ByteSource;
  private readonly dataStart: number;
  private readonly compressedSize: number;
  readonly name: string;
  readonly size: number;

  constructor(parent: ByteSource, dataStart: number, compressedSize: number, size: number, name: string) {
    this.parent = parent;
    this.dataStart = dataStart;
    this.compressedSize = compressedSize;
    this.size = size;
    this.name = name;
    this.restart();
  }

  private restart(): void {
    this.compressedPos = 0;
    this.readBytes = FIRST_READ_BYTES;
    this.produced = 0;
    this.finished = false;
    this.pending = [];
    this.inflater = new Inflate((chunk) => {
      if (chunk.length === 0) return;
      this.pending.push({ start: this.produced, bytes: chunk });
      this.produced += chunk.length;
      if (this.produced > this.size) {
        throw new FormatError(`corrupt zip: member inflates to more than the ${this.size} bytes its directory entry records`);
      }
    });
  }

  private availableFrom(): number {
    return this.pending.length > 0 ? this.pending[0].start : this.produced;
  }

  private async pump(): Promise<void> {
    const want = Math.min(this.readBytes, this.compressedSize - this.compressedPos);
    this.readBytes = Math.min(MAX_READ_BYTES, 2 * this.readBytes);
    const compressed = await readExactly(this.parent, this.dataStart + this.compressedPos, want, `deflated data of ${this.name}`);
    for (let p = 0; p < compressed.length; p += PUSH_BYTES) {
      const piece = compressed.subarray(p, Math.min(compressed.length, p + PUSH_BYTES));
      this.compressedPos += piece.length;
      const final = this.compressedPos === this.compressedSize;
      try {
        this.inflater.push(piece, final);
      } catch (error) {
        this.restart(); // the inflater's state is unusable after an error
        if (error instanceof FormatError) throw error;
        throw new FormatError(`corrupt deflate data in ${this.name}: ${(error as Error).message}`);
      }
      if (final) {
        this.finished = true;
        const produced = this.produced;
        if (produced !== this.size) {
          this.restart();
          throw new FormatError(`corrupt zip: ${this.name} inflates to ${produced} bytes, its directory entry records ${this.size}`);
        }
      }
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.min(Math.max(0, offset), this.size);
    const end = Math.min(this.size, start + Math.max(0, length));
    const out = new Uint8Array(end - start);
    if (end === start) return out;
    if (start < this.availableFrom()) this.restart();
    let filledTo = start;
    for (;;) {
      while (this.pending.length > 0) {
        const chunk = this.pending[0];
        const chunkEnd = chunk.start + chunk.bytes.length;
        const from = Math.max(start, chunk.start);
        const to = Math.min(end, chunkEnd);
        if (from < to) {
          out.set(chunk.bytes.subarray(from - chunk.start, to - chunk.start), from - start);
          filledTo = to;
        }
        if (chunkEnd > end) break; // keep it: the next sequential read starts inside it
        this.pending.shift();
      }
      if (filledTo >= end) return out;
      if (this.finished || this.compressedPos >= this.compressedSize) {
        throw new FormatError(`corrupt zip: ${this.name} ended after ${this.produced} of ${this.size} bytes`);
      }
      await this.pump();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Writer

export interface ZipInput {
  name: string;
  data: Uint8Array;
}

export interface ZipWriteOptions {
  /** 'deflate' (as np.savez_compressed) or 'stored' (as np.savez). Default 'stored'. */
  compression?: 'stored' | 'deflate';
  /** Deflate level 0–9, default 6 (zlib's default, as Python's zipfile uses). */
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  /** 'auto' writes ZIP64 records only where sizes or offsets need them; 'always' everywhere. */
  zip64?: 'auto' | 'always';
}

/** 1980-01-01 00:00 in MS-DOS date format: reproducible archives. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/**
 * Builds a zip archive. Returns its parts in order (headers and member data, not concatenated):
 * hand them to `new Blob(parts)` or write them one after another.
 */
export function encodeZip(inputs: readonly ZipInput[], options: ZipWriteOptions = {}): Uint8Array[] {
  const method = options.compression === 'deflate' ? 8 : 0;
  const always = options.zip64 === 'always';
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const input of inputs) {
    const name = encoder.encode(input.name);
    const crc = crc32(input.data);
    const payload = method === 8 ? deflateSync(input.data, { level: options.level ?? 6 }) : input.data;
    const usize = input.data.length;
    const csize = payload.length;
    const zip64 = always || usize >= U32_MAX || csize >= U32_MAX || offset >= U32_MAX;
    const flags = /^[\x20-\x7e]*$/.test(input.name) ? 0 : 0x0800; // bit 11: name is UTF-8
    const version = zip64 ? 45 : 20;

    const local = new Uint8Array(30 + name.length + (zip64 ? 20 : 0));
    const lv = dataView(local);
    lv.setUint32(0, SIG_LOCAL, true);
    lv.setUint16(4, version, true);
    lv.setUint16(6, flags, true);
    lv.setUint16(8, method, true);
    lv.setUint16(12, DOS_DATE, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, zip64 ? U32_MAX : csize, true);
    lv.setUint32(22, zip64 ? U32_MAX : usize, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, zip64 ? 20 : 0, true);
    local.set(name, 30);
    if (zip64) {
      const x = 30 + name.length;
      lv.setUint16(x, ZIP64_EXTRA_ID, true);
      lv.setUint16(x + 2, 16, true);
      lv.setBigUint64(x + 4, BigInt(usize), true);
      lv.setBigUint64(x + 12, BigInt(csize), true);
    }

    const cen = new Uint8Array(46 + name.length + (zip64 ? 28 : 0));
    const cv = dataView(cen);
    cv.setUint32(0, SIG_CENTRAL, true);
    cv.setUint16(4, version, true);
    cv.setUint16(6, version, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, method, true);
    cv.setUint16(14, DOS_DATE, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, zip64 ? U32_MAX : csize, true);
    cv.setUint32(24, zip64 ? U32_MAX : usize, true);
    cv.setUint16(28, name.length, true);
    cv.setUint16(30, zip64 ? 28 : 0, true);
    cv.setUint32(42, zip64 ? U32_MAX : offset, true);
    cen.set(name, 46);
    if (zip64) {
      const x = 46 + name.length;
      cv.setUint16(x, ZIP64_EXTRA_ID, true);
      cv.setUint16(x + 2, 24, true);
      cv.setBigUint64(x + 4, BigInt(usize), true);
      cv.setBigUint64(x + 12, BigInt(csize), true);
      cv.setBigUint64(x + 20, BigInt(offset), true);
    }
    parts.push(local, payload);
    central.push(cen);
    offset += local.length + payload.length;
  }
  const cdOffset = offset;
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  parts.push(...central);
  const zip64End = always || inputs.length >= U16_MAX || cdOffset >= U32_MAX || cdSize >= U32_MAX;
  if (zip64End) {
    const rec = new Uint8Array(56 + 20);
    const rv = dataView(rec);
    rv.setUint32(0, SIG_EOCD64, true);
    rv.setBigUint64(4, 44n, true); // size of the rest of this record
    rv.setUint16(12, 45, true);
    rv.setUint16(14, 45, true);
    rv.setBigUint64(24, BigInt(inputs.length), true);
    rv.setBigUint64(32, BigInt(inputs.length), true);
    rv.setBigUint64(40, BigInt(cdSize), true);
    rv.setBigUint64(48, BigInt(cdOffset), true);
    rv.setUint32(56, SIG_EOCD64_LOCATOR, true);
    rv.setBigUint64(64, BigInt(cdOffset + cdSize), true);
    rv.setUint32(72, 1, true); // total number of disks
    parts.push(rec);
  }
  const end = new Uint8Array(EOCD_SIZE);
  const ev = dataView(end);
  ev.setUint32(0, SIG_EOCD, true);
  ev.setUint16(8, zip64End ? U16_MAX : inputs.length, true);
  ev.setUint16(10, zip64End ? U16_MAX : inputs.length, true);
  ev.setUint32(12, zip64End ? U32_MAX : cdSize, true);
  ev.setUint32(16, zip64End ? U32_MAX : cdOffset, true);
  parts.push(end);
  return parts;
}

/** Concatenates parts (for small archives and tests). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
