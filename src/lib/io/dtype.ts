/**
 * The element-type model shared by the NPY, NPZ, pickle and HDF5 readers and writers.
 *
 * A dtype says how one element is stored (kind, bytes, byte order); the values handed to callers
 * are always in the machine's (little-endian) order:
 *   b → Uint8Array (0/1)          i/u 1–4 bytes → Int*Array / Uint*Array
 *   i/u 8 bytes → BigInt64Array / BigUint64Array (no precision loss)
 *   f2 → Float32Array (converted; the dtype still says float16)     f4/f8 → Float32Array/Float64Array
 *   c8/c16 → interleaved (re, im) Float32Array / Float64Array, two slots per element
 *   U (UTF-32) and S (bytes, latin-1 decoded) → string[] with trailing NULs removed, as numpy does.
 */
import { FormatError, UnsupportedError } from './errors.ts';

/**
 * b bool · i signed int · u unsigned int · f float · c complex · U unicode · S bytes ·
 * O object (numpy pickles; HDF5 variable-length sequences) · V compound record · E enum.
 */
export type DTypeKind = 'b' | 'i' | 'u' | 'f' | 'c' | 'U' | 'S' | 'O' | 'V' | 'E';
export type ByteOrder = '<' | '>' | '|';

export interface DTypeField {
  name: string;
  dtype: DType;
}

export interface DType {
  kind: DTypeKind;
  /** Bytes per element as stored; 0 for variable-length strings and sequences. */
  itemsize: number;
  /** Byte order as stored ('|' where it does not apply). Values handed out are always native. */
  byteorder: ByteOrder;
  /** Members of a compound (V) type. */
  fields?: DTypeField[];
  /** Name → value of an enum (E) type. */
  enumMembers?: Record<string, number>;
  /** The integer type under an enum, or the element type of a variable-length sequence (O). */
  base?: DType;
  /** Set for types that are listed but cannot be read (e.g. an HDF5 reference): their name. */
  unsupported?: string;
}

const NUMERIC_SIZES: Record<string, readonly number[]> = {
  b: [1],
  i: [1, 2, 4, 8],
  u: [1, 2, 4, 8],
  f: [2, 4, 8],
  c: [8, 16],
};

/** Makes a numeric dtype, checking that the size is one the readers handle. */
export function numericDType(kind: 'b' | 'i' | 'u' | 'f' | 'c', itemsize: number, byteorder: ByteOrder = '<'): DType {
  if (!NUMERIC_SIZES[kind].includes(itemsize)) {
    throw new UnsupportedError(`unsupported dtype ${kind}${itemsize} (${itemsize * 8}-bit ${KIND_WORDS[kind]})`);
  }
  return { kind, itemsize, byteorder: itemsize === 1 ? '|' : byteorder };
}

const KIND_WORDS: Record<string, string> = {
  b: 'bool',
  i: 'integer',
  u: 'unsigned integer',
  f: 'float',
  c: 'complex',
  M: 'datetime64',
  m: 'timedelta64',
  V: 'void/structured',
};

/**
 * Parses a numpy array-interface type string ('<f8', '|b1', '>U5', '|S3', '|O', '?', 'f4').
 * Structured (list) descrs, datetimes, voids and long doubles throw an "unsupported dtype" error.
 */
export function parseNumpyDescr(descr: string): DType {
  const match = /^([<>|=!]?)([a-zA-Z?])(\d*)(\[.*\])?$/.exec(descr);
  if (!match) throw new UnsupportedError(`unsupported dtype ${JSON.stringify(descr)}`);
  const [, orderChar, code, digits, unit] = match;
  const byteorder: ByteOrder = orderChar === '>' || orderChar === '!' ? '>' : orderChar === '|' ? '|' : '<';
  const size = digits === '' ? NaN : Number(digits);
  if (unit) throw new UnsupportedError(`unsupported dtype ${descr} (${KIND_WORDS[code] ?? 'with a unit'})`);
  switch (code) {
    case '?':
      return numericDType('b', 1);
    case 'b':
      // 'b1' is numpy's bool; a bare 'b' is the C char type (int8).
      return digits === '' ? numericDType('i', 1) : numericDType('b', size);
    case 'i':
    case 'u':
    case 'f':
    case 'c':
      if (Number.isNaN(size)) break;
      return numericDType(code, size, byteorder);
    case 'U':
      return { kind: 'U', itemsize: 4 * (Number.isNaN(size) ? 0 : size), byteorder: byteorder === '|' ? '<' : byteorder };
    case 'S':
    case 'a':
      return { kind: 'S', itemsize: Number.isNaN(size) ? 0 : size, byteorder: '|' };
    case 'O':
      return { kind: 'O', itemsize: 8, byteorder: '|' };
  }
  throw new UnsupportedError(`unsupported dtype ${descr}${KIND_WORDS[code] ? ` (${KIND_WORDS[code]})` : ''}`);
}

/** The numpy type string of a dtype, as written into .npy headers ('<f8', '|b1', '<U5'). */
export function numpyDescr(dtype: DType): string {
  switch (dtype.kind) {
    case 'b':
      return '|b1';
    case 'U':
      return `${dtype.byteorder === '>' ? '>' : '<'}U${dtype.itemsize / 4}`;
    case 'S':
      return `|S${dtype.itemsize}`;
    case 'O':
      return '|O';
    case 'i':
    case 'u':
    case 'f':
    case 'c':
      return `${dtype.itemsize === 1 ? '|' : dtype.byteorder === '>' ? '>' : '<'}${dtype.kind}${dtype.itemsize}`;
  }
  throw new FormatError(`dtype ${dtypeName(dtype)} has no .npy equivalent`);
}

/** A readable name: numpy's ('float64', 'int8', 'complex128', '<U5', '|S3') or a description. */
export function dtypeName(dtype: DType): string {
  if (dtype.unsupported) return dtype.unsupported;
  switch (dtype.kind) {
    case 'b':
      return 'bool';
    case 'i':
      return `int${dtype.itemsize * 8}`;
    case 'u':
      return `uint${dtype.itemsize * 8}`;
    case 'f':
      return `float${dtype.itemsize * 8}`;
    case 'c':
      return `complex${dtype.itemsize * 8}`;
    case 'U':
      return dtype.itemsize === 0 ? 'str' : `<U${dtype.itemsize / 4}`;
    case 'S':
      return dtype.itemsize === 0 ? 'bytes' : `|S${dtype.itemsize}`;
    case 'O':
      return dtype.base ? `vlen(${dtypeName(dtype.base)})` : 'object';
    case 'V':
      return `{${(dtype.fields ?? []).map((f) => `${f.name}: ${dtypeName(f.dtype)}`).join(', ')}}`;
    case 'E': {
      const members = Object.entries(dtype.enumMembers ?? {}).map(([k, v]) => `${k}=${v}`);
      return `enum(${dtype.base ? dtypeName(dtype.base) : '?'}){${members.join(', ')}}`;
    }
  }
}

/** JS slots per element in the decoded values: 2 for complex (re, im), else 1. */
export function slotsPerElement(dtype: DType): number {
  return dtype.kind === 'c' ? 2 : 1;
}

// ---------------------------------------------------------------------------------------------
// Decoding stored bytes

export type NumericValues =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

type TypedCtor = {
  new (length: number): NumericValues;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): NumericValues;
  BYTES_PER_ELEMENT: number;
};

function intCtor(kind: 'i' | 'u', itemsize: number): TypedCtor {
  const table: Record<number, [TypedCtor, TypedCtor]> = {
    1: [Int8Array, Uint8Array],
    2: [Int16Array, Uint16Array],
    4: [Int32Array, Uint32Array],
    8: [BigInt64Array, BigUint64Array],
  };
  return table[itemsize][kind === 'i' ? 0 : 1];
}

/** Reverses the byte order of each `width`-byte word of `bytes`, in place. */
export function swapBytes(bytes: Uint8Array, width: number): void {
  if (width <= 1) return;
  const n = bytes.length - (bytes.length % width);
  for (let i = 0; i < n; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/** Views `count` elements of `bytes` as `Ctor`, copying only when the offset is misaligned. */
function viewAs(Ctor: TypedCtor, bytes: Uint8Array, count: number): NumericValues {
  if (bytes.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(bytes.buffer, bytes.byteOffset, count);
  const copy = bytes.slice(0, count * Ctor.BYTES_PER_ELEMENT);
  return new Ctor(copy.buffer, 0, count);
}

/**
 * Decodes `count` stored elements. `bytes` is the caller's own: big-endian data is swapped in
 * place and the result may be a view on it.
 */
export function decodeElements(bytes: Uint8Array, dtype: DType, count: number): NumericValues | string[] {
  const need = count * dtype.itemsize;
  if (bytes.length < need) throw new FormatError(`truncated: ${count} elements need ${need} bytes, only ${bytes.length} present`);
  const bigEndian = dtype.byteorder === '>';
  switch (dtype.kind) {
    case 'b':
    case 'i':
    case 'u': {
      if (bigEndian) swapBytes(bytes.subarray(0, need), dtype.itemsize);
      const Ctor = dtype.kind === 'b' ? Uint8Array : intCtor(dtype.kind, dtype.itemsize);
      return viewAs(Ctor as TypedCtor, bytes, count);
    }
    case 'f': {
      if (bigEndian) swapBytes(bytes.subarray(0, need), dtype.itemsize);
      if (dtype.itemsize === 2) return halfToFloat32(viewAs(Uint16Array as TypedCtor, bytes, count) as Uint16Array);
      return viewAs((dtype.itemsize === 4 ? Float32Array : Float64Array) as TypedCtor, bytes, count);
    }
    case 'c': {
      const part = dtype.itemsize / 2;
      if (bigEndian) swapBytes(bytes.subarray(0, need), part);
      return viewAs((part === 4 ? Float32Array : Float64Array) as TypedCtor, bytes, 2 * count);
    }
    case 'U':
      return decodeUtf32(bytes, dtype.itemsize, count, bigEndian);
    case 'S':
      return decodeLatin1(bytes, dtype.itemsize, count);
  }
  throw new FormatError(`cannot decode dtype ${dtypeName(dtype)}`);
}

function decodeUtf32(bytes: Uint8Array, itemsize: number, count: number, bigEndian: boolean): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chars = itemsize / 4;
  const out = new Array<string>(count);
  const codes: number[] = [];
  for (let i = 0; i < count; i++) {
    codes.length = 0;
    const base = i * itemsize;
    for (let c = 0; c < chars; c++) codes.push(view.getUint32(base + 4 * c, !bigEndian));
    while (codes.length > 0 && codes[codes.length - 1] === 0) codes.pop();
    // A corrupt file can hold values that are not code points: show U+FFFD rather than throw.
    let s = '';
    for (const code of codes) s += String.fromCodePoint(code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? code : 0xfffd);
    out[i] = s;
  }
  return out;
}

function decodeLatin1(bytes: Uint8Array, itemsize: number, count: number): string[] {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    let end = (i + 1) * itemsize;
    const start = i * itemsize;
    while (end > start && bytes[end - 1] === 0) end--;
    let s = '';
    for (let k = start; k < end; k++) s += String.fromCharCode(bytes[k]);
    out[i] = s;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encoding values for the writers (little-endian)

/** Encodes values of `dtype` (as {@link decodeElements} returns them) to little-endian bytes. */
export function encodeElements(values: NumericValues | string[], dtype: DType, count: number): Uint8Array {
  const out = new Uint8Array(count * dtype.itemsize);
  if (Array.isArray(values)) {
    if (dtype.kind !== 'U' && dtype.kind !== 'S') throw new FormatError(`strings cannot be stored as ${dtypeName(dtype)}`);
    const view = new DataView(out.buffer);
    for (let i = 0; i < count; i++) {
      const base = i * dtype.itemsize;
      if (dtype.kind === 'U') {
        let c = 0;
        for (const ch of values[i]) view.setUint32(base + 4 * c++, ch.codePointAt(0) ?? 0, true);
      } else {
        for (let k = 0; k < values[i].length; k++) {
          const code = values[i].charCodeAt(k);
          if (code > 255) throw new FormatError(`bytes string ${JSON.stringify(values[i])} has a character above \\xff`);
          out[base + k] = code;
        }
      }
    }
    return out;
  }
  if (dtype.kind === 'f' && dtype.itemsize === 2) {
    const halves = new Uint16Array(out.buffer);
    for (let i = 0; i < count; i++) halves[i] = float32ToHalf(Number(values[i]));
    return out;
  }
  out.set(new Uint8Array(values.buffer, values.byteOffset, count * dtype.itemsize));
  return out;
}

/** The longest string of `values` in UTF-32 code points (for U) or bytes (for S); at least 1. */
export function longestString(values: readonly string[], kind: 'U' | 'S'): number {
  let longest = 1;
  for (const s of values) longest = Math.max(longest, kind === 'U' ? [...s].length : s.length);
  return longest;
}

// ---------------------------------------------------------------------------------------------
// IEEE 754 half precision

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** binary16 → number: sign · 2^(e−15) · (1 + m/1024), subnormals 2^−14 · m/1024 (IEEE 754 §3.4). */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (mantissa / 1024);
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
}

function halfToFloat32(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = halfToNumber(halves[i]);
  return out;
}

/** number → binary16 with round-to-nearest-even (what numpy's astype(float16) does). */
export function float32ToHalf(value: number): number {
  f32[0] = value;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    // Subnormal half: shift the implicit-1 mantissa right, rounding to nearest even.
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mantissa & ((1 << shift) - 1);
    let m = mantissa >>> shift;
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  const rest = mantissa & 0x1fff;
  let h = sign | (e << 10) | (mantissa >>> 13);
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // a carry into the exponent is correct
  return h;
}
