/**
 * Writes results as an HDF5 file that h5py reads: one dataset per array (keys with '/' make
 * groups), attributes on the file and on datasets, optional gzip compression.
 *
 * Through h5wasm 0.8.11, whose writer knows integers, float32/64 and UTF-8 strings: bool is
 * stored as uint8 and float16 as float32 (exact); complex arrays are refused.
 */
import { FormatError } from './errors.ts';
import { dtypeName, encodeElements, type DType, type NumericValues } from './dtype.ts';
import { condenseHdf5Error, loadH5wasm, type H5Env } from './h5env.ts';
import { elementCount, type ArrayData } from './ndarray.ts';

/** Attribute values the writer stores. */
export type AttrValue = string | number | boolean | bigint | readonly number[] | readonly string[];

export interface H5WriteOptions {
  /** gzip (deflate) level 1–9 per chunk; omitted: uncompressed, contiguous. */
  gzipLevel?: number;
  /** Attributes per dataset key. */
  datasetAttrs?: Record<string, Record<string, AttrValue>>;
  /** An h5wasm environment to use instead of loading the default one. */
  env?: H5Env;
}

type H5Group = ReturnType<InstanceType<H5Env['lib']['File']>['create_group']>;
type HasAttrs = Pick<H5Group, 'create_attribute'>;

/** h5wasm's dtype letters (struct-module style) for the types its writer supports. */
function h5wasmDtype(dtype: DType): string {
  if (dtype.kind === 'b') return '<B';
  if (dtype.kind === 'f') return dtype.itemsize === 8 ? '<d' : '<f';
  if (dtype.kind === 'i' || dtype.kind === 'u') {
    const letter = { 1: 'b', 2: 'h', 4: 'i', 8: 'q' }[dtype.itemsize] ?? 'i';
    return `<${dtype.kind === 'u' ? letter.toUpperCase() : letter}`;
  }
  throw new FormatError(`${dtypeName(dtype)} arrays cannot be written to HDF5 here; save them as .npy or .npz`);
}

/** Typed array the h5wasm writer takes for `dtype`, holding exactly `count` elements. */
function writableValues(array: ArrayData, count: number): NumericValues {
  const { dtype } = array;
  const data = array.data as NumericValues;
  if (dtype.kind === 'f' && dtype.itemsize === 2) return Float32Array.from(data as Float32Array); // widen float16 exactly
  const stored: DType = { ...dtype, byteorder: '<' };
  const bytes = encodeElements(data, stored, count);
  const Ctor = data.constructor as new (buffer: ArrayBuffer) => NumericValues;
  return new Ctor(bytes.buffer as ArrayBuffer);
}

function setAttributes(target: HasAttrs, attrs: Record<string, AttrValue>): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'string') target.create_attribute(name, value, null, 'S');
    else if (typeof value === 'boolean') target.create_attribute(name, new Uint8Array([value ? 1 : 0]), [], '<B');
    else if (typeof value === 'bigint') target.create_attribute(name, new BigInt64Array([value]), [], '<q');
    else if (typeof value === 'number') {
      const int32 = Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31;
      target.create_attribute(name, int32 ? new Int32Array([value]) : new Float64Array([value]), [], int32 ? '<i' : '<d');
    } else if (value.every((v: unknown) => typeof v === 'string')) target.create_attribute(name, [...(value as readonly string[])], [value.length], 'S');
    else target.create_attribute(name, Float64Array.from(value as readonly number[]), [value.length], '<d');
  }
}

/** Chunks of about 1 MiB along the first axis, whole along the others. */
function chunkShape(shape: readonly number[], itemsize: number): number[] {
  const rowBytes = shape.slice(1).reduce((a, b) => a * b, 1) * Math.max(1, itemsize);
  const rows = Math.max(1, Math.min(shape[0], Math.floor(2 ** 20 / Math.max(1, rowBytes))));
  return [rows, ...shape.slice(1).map((d) => Math.max(1, d))];
}

/**
 * h5wasm 0.8.11 makes every integer type from H5T_NATIVE_INT and only sets its size, so 8-byte
 * integers keep a 32-bit precision: the full 8 bytes are stored, but h5py (converting to int64)
 * keeps only the low 32 bits. The fix is to set the precision field of those datatype messages
 * to 64. In the file (superblock 0, object headers without checksums) such a message reads
 *   version 1 · class 0 | sign bit | 0 | 0 | size 8 (u32) | bit offset 0 (u16) | precision 32 (u16)
 * (HDF5 File Format Specification, §IV.A.2.d, fixed-point datatype). Each 8-byte integer dataset
 * and attribute has one; if the count found differs, something else matched and nothing is patched.
 */
function fixInt64Precision(bytes: Uint8Array, expected: number): void {
  const found: number[] = [];
  for (let i = 0; i + 12 <= bytes.length; i++) {
    if (
      bytes[i] === 0x10 &&
      (bytes[i + 1] === 0x08 || bytes[i + 1] === 0x00) &&
      bytes[i + 2] === 0 &&
      bytes[i + 3] === 0 &&
      bytes[i + 4] === 8 &&
      bytes[i + 5] === 0 &&
      bytes[i + 6] === 0 &&
      bytes[i + 7] === 0 &&
      bytes[i + 8] === 0 &&
      bytes[i + 9] === 0 &&
      bytes[i + 10] === 32 &&
      bytes[i + 11] === 0
    ) {
      found.push(i);
    }
  }
  if (found.length !== expected) {
    throw new FormatError(`cannot store 64-bit integers exactly in this HDF5 file (found ${found.length} type records, expected ${expected}); save them as .npy or .npz`);
  }
  for (const i of found) bytes[i + 10] = 64;
}

let fileCounter = 0;

/** Encodes `arrays` (key → array) and file attributes `attrs` as HDF5 bytes. */
export async function writeH5(arrays: Record<string, ArrayData>, attrs: Record<string, AttrValue> = {}, options: H5WriteOptions = {}): Promise<Uint8Array> {
  const env = options.env ?? (await loadH5wasm());
  const { lib, module } = env;
  const path = `${env.tempDir}/sciml-write-${Date.now()}-${fileCounter++}.h5`;
  try {
    const file = new lib.File(path, 'w');
    try {
      setAttributes(file, attrs);
      const groups = new Map<string, H5Group>([['', file]]);
      const groupFor = (parts: string[]): H5Group => {
        const key = parts.join('/');
        let group = groups.get(key);
        if (!group) {
          group = groupFor(parts.slice(0, -1)).create_group(parts[parts.length - 1]);
          groups.set(key, group);
        }
        return group;
      };
      for (const [key, array] of Object.entries(arrays)) {
        const parts = key.split('/').filter((p) => p !== '');
        if (parts.length === 0) throw new FormatError(`invalid dataset name ${JSON.stringify(key)}`);
        const parent = groupFor(parts.slice(0, -1));
        const name = parts[parts.length - 1];
        const count = elementCount(array.shape);
        const compress = options.gzipLevel !== undefined && array.shape.length > 0 && count > 0;
        const common = {
          name,
          shape: [...array.shape],
          ...(compress ? { chunks: chunkShape(array.shape, array.dtype.itemsize), compression: 'gzip' as const, compression_opts: options.gzipLevel } : {}),
        };
        if (array.dtype.kind === 'U' || array.dtype.kind === 'S') {
          if (!Array.isArray(array.data)) throw new FormatError(`${key}: string dtype with non-string data`);
          if ((array.data as string[]).some((t) => t.includes('\0'))) throw new FormatError(`${key}: HDF5 variable-length strings cannot hold NUL characters; save it as .npy or .npz`);
          // Strings are variable-length UTF-8 (h5py reads them as str); compression needs fixed sizes.
          parent.create_dataset({ name, shape: [...array.shape], data: [...(array.data as string[])], dtype: 'S' });
        } else {
          if (array.data.length !== count * (array.dtype.kind === 'c' ? 2 : 1)) throw new FormatError(`${key}: ${array.data.length} values do not fill shape (${array.shape.join(', ')})`);
          parent.create_dataset({ ...common, data: writableValues(array, count), dtype: h5wasmDtype(array.dtype) });
        }
        const dsAttrs = options.datasetAttrs?.[key];
        if (dsAttrs) setAttributes(parent.get(name) as HasAttrs, dsAttrs);
      }
    } finally {
      file.close();
    }
    const bytes = module.FS.readFile(path);
    const int64Count =
      Object.values(arrays).filter((a) => (a.dtype.kind === 'i' || a.dtype.kind === 'u') && a.dtype.itemsize === 8).length +
      [attrs, ...Object.values(options.datasetAttrs ?? {})].reduce((n, group) => n + Object.values(group).filter((v) => typeof v === 'bigint').length, 0);
    if (int64Count > 0) fixInt64Precision(bytes, int64Count);
    return bytes;
  } catch (error) {
    if (error instanceof FormatError) throw error;
    throw new FormatError(condenseHdf5Error(error instanceof Error ? error.message : String(error)));
  } finally {
    try {
      module.FS.unlink(path);
    } catch {
      // the file was never created
    }
  }
}
