/**
 * Minimal .npy (format 1.0) writer and reader for the CLI's dataset cache: little-endian,
 * C order, the numeric dtypes of NDArray. It reads what it writes (and numpy's own files of
 * those dtypes); general user files go through src/lib/io.
 */
import type { NDArray, NumericArray } from '../contract';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

type Ctor = { new (buffer: ArrayBuffer, offset?: number, length?: number): NumericArray; BYTES_PER_ELEMENT: number };

const DTYPES: [string, Ctor][] = [
  ['<f4', Float32Array],
  ['<f8', Float64Array],
  ['|i1', Int8Array],
  ['<i2', Int16Array],
  ['<i4', Int32Array],
  ['|u1', Uint8Array],
  ['<u2', Uint16Array],
  ['<u4', Uint32Array],
];

export function npyDescr(data: NumericArray): string {
  const found = DTYPES.find(([, ctor]) => data instanceof ctor);
  if (!found) throw new Error('npy: unsupported array type');
  return found[0];
}

/** Encodes an array as .npy bytes (header padded so the data starts on a 64-byte boundary). */
export function encodeNpy(array: NDArray<NumericArray>): Uint8Array {
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) throw new Error(`npy: shape [${array.shape}] does not match ${array.data.length} values`);
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${npyDescr(array.data)}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = MAGIC.length + 4 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const bytes = new Uint8Array(MAGIC.length + 4 + header.length + array.data.byteLength);
  bytes.set(MAGIC, 0);
  bytes[6] = 1; // format version 1.0
  bytes[7] = 0;
  new DataView(bytes.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) bytes[10 + i] = header.charCodeAt(i);
  bytes.set(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength), 10 + header.length);
  return bytes;
}

/** Decodes .npy bytes of a supported dtype (versions 1–3, C order). */
export function decodeNpy(bytes: Uint8Array): NDArray<NumericArray> {
  if (!MAGIC.every((b, i) => bytes[i] === b)) throw new Error('npy: not a .npy file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error('npy: Fortran-ordered arrays are not supported here');
  const ctor = DTYPES.find(([d]) => d === descr || (d[0] === '|' && `<${d.slice(1)}` === descr))?.[1];
  if (!ctor || shapeText === undefined) throw new Error(`npy: unsupported header ${header.trim()}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLength;
  if (bytes.byteLength - dataStart < count * ctor.BYTES_PER_ELEMENT) throw new Error('npy: file is truncated');
  // Copy into a fresh, aligned buffer.
  const buffer = bytes.slice(dataStart, dataStart + count * ctor.BYTES_PER_ELEMENT).buffer;
  return { data: new ctor(buffer, 0, count), shape };
}
