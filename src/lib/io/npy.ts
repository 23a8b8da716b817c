/**
 * The .npy format (numpy/lib/format.py, NEP 1): versions 1.0, 2.0 and 3.0.
 *
 *   \x93NUMPY | major | minor | header length (u16 for 1.0, u32 for 2.0/3.0) | header | data
 *
 * The header is a Python dict literal {'descr': …, 'fortran_order': …, 'shape': (…)}, padded
 * with spaces and a newline so that the data starts on a 64-byte boundary. Version 3.0 only
 * changes the header's text encoding to UTF-8.
 */
import { FormatError, UnsupportedError } from './errors.ts';
import { decodeElements, dtypeName, encodeElements, longestString, numpyDescr, parseNumpyDescr, type DType, type NumericValues } from './dtype.ts';
import { cStrides, elementCount, fortranToC, resolveSelection, sliceArray, type ArrayData, type Selection } from './ndarray.ts';
import { pyToNode } from './objects.ts';
import { PyNdarray, unpickle } from './pickle.ts';
import { readExactly, TruncatedError, type ByteSource } from './source.ts';
import type { DatasetNode, TreeNode } from './tree.ts';

export const NPY_MAGIC = Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

/** numpy refuses headers above 10 000 bytes by default; allow more, but not absurd sizes. */
const MAX_HEADER_BYTES = 1 << 20;
const ALIGN = 64;

export interface NpyHeader {
  version: '1.0' | '2.0' | '3.0';
  descr: string;
  dtype: DType;
  fortranOrder: boolean;
  shape: number[];
  /** Offset of the first data byte. */
  dataOffset: number;
}

// ---------------------------------------------------------------------------------------------
// The header's Python literal

type Literal = string | number | boolean | null | Literal[] | { [key: string]: Literal };

/** Parses the subset of Python literals numpy writes: dicts, tuples, lists, strings, ints, bools. */
function parseLiteral(text: string): Literal {
  let i = 0;
  const fail = (what: string): never => {
    throw new FormatError(`corrupt .npy header: ${what} at character ${i} of ${JSON.stringify(text.slice(0, 120))}`);
  };
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const sequence = (close: string): Literal[] => {
    const items: Literal[] = [];
    for (;;) {
      ws();
      if (text[i] === close) {
        i++;
        return items;
      }
      items.push(value());
      ws();
      if (text[i] === ',') i++;
      else if (text[i] !== close) fail(`expected ',' or '${close}'`);
    }
  };
  const value = (): Literal => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, Literal> = {};
      for (;;) {
        ws();
        if (text[i] === '}') {
          i++;
          return obj;
        }
        const key = value();
        if (typeof key !== 'string') fail('dict key is not a string');
        ws();
        if (text[i++] !== ':') fail("expected ':'");
        obj[key as string] = value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail("expected ',' or '}'");
      }
    }
    if (c === '(') {
      i++;
      return sequence(')');
    }
    if (c === '[') {
      i++;
      return sequence(']');
    }
    if (c === "'" || c === '"') {
      i++;
      let s = '';
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\') {
          const e = text[++i];
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
          if (e in simple) s += simple[e];
          else if (e === 'x' || e === 'u') {
            const len = e === 'x' ? 2 : 4;
            const code = parseInt(text.slice(i + 1, i + 1 + len), 16);
            if (Number.isNaN(code)) fail('bad escape');
            s += String.fromCharCode(code);
            i += len;
          } else fail('unknown escape');
          i++;
        } else s += text[i++];
      }
      if (text[i++] !== c) fail('unterminated string');
      return s;
    }
    const m = /^(-?\d+)L?|^(True|False|None)/.exec(text.slice(i, i + 40));
    if (!m) return fail('unexpected token');
    i += m[0].length;
    if (m[2]) return m[2] === 'True' ? true : m[2] === 'False' ? false : null;
    return Number(m[1]);
  };
  const result = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return result;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** Reads and checks the header of the .npy data in `source`. */
export async function readNpyHeader(source: ByteSource): Promise<NpyHeader> {
  if (source.size === 0) throw new TruncatedError('the file is empty');
  const prefix = await source.read(0, Math.min(source.size, 4096));
  if (!startsWith(prefix, NPY_MAGIC)) throw new FormatError('not a .npy file (wrong magic bytes)');
  if (prefix.length < 10) throw new TruncatedError('truncated: the .npy header is cut off');
  const major = prefix[6];
  const minor = prefix[7];
  if (minor !== 0 || major < 1 || major > 3) throw new FormatError(`unsupported .npy format version ${major}.${minor}`);
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (prefix.length < 8 + lengthBytes) throw new TruncatedError('truncated: the .npy header is cut off');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLength > MAX_HEADER_BYTES) throw new FormatError(`corrupt .npy header: it claims to be ${headerLength} bytes long`);
  const headerStart = 8 + lengthBytes;
  const dataOffset = headerStart + headerLength;
  const headerBytes =
    dataOffset <= prefix.length ? prefix.subarray(headerStart, dataOffset) : await readExactly(source, headerStart, headerLength, 'the .npy header');
  const text = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : latin1(headerBytes);
  const dict = parseLiteral(text);
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) throw new FormatError('corrupt .npy header: not a dict');
  const { descr, fortran_order: fortranOrder, shape } = dict as Record<string, Literal>;
  if (Array.isArray(descr)) throw new UnsupportedError('unsupported dtype: structured arrays (record dtypes) are not supported');
  if (typeof descr !== 'string') throw new FormatError("corrupt .npy header: 'descr' is missing");
  if (typeof fortranOrder !== 'boolean') throw new FormatError("corrupt .npy header: 'fortran_order' is missing");
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new FormatError("corrupt .npy header: 'shape' is not a tuple of non-negative ints");
  }
  const dtype = parseNumpyDescr(descr);
  const dims = shape as number[];
  const count = elementCount(dims);
  if (dtype.kind !== 'O') {
    const needed = count * dtype.itemsize;
    if (source.size - dataOffset < needed) {
      throw new TruncatedError(
        `truncated: shape (${dims.join(', ')}) of ${dtypeName(dtype)} needs ${needed} data bytes, only ${Math.max(0, source.size - dataOffset)} present`,
      );
    }
  }
  return { version: `${major}.0` as NpyHeader['version'], descr, dtype, fortranOrder, shape: dims, dataOffset };
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Reading

/**
 * Opens the array stored in `source` as a tree node at `path`: a dataset for numeric and
 * string arrays (read lazily), or the unpickled structure for object arrays.
 */
export async function openNpy(source: ByteSource, path: string, storage: string): Promise<TreeNode> {
  const header = await readNpyHeader(source);
  if (header.dtype.kind === 'O') {
    const pickled = await readExactly(source, header.dataOffset, source.size - header.dataOffset, 'the pickled object array');
    const value = unpickle(pickled);
    if (!(value instanceof PyNdarray)) throw new FormatError('the pickle of an object array does not hold an ndarray');
    return pyToNode(value, path, `${storage}, pickled objects`);
  }
  return npyDataset(source, header, path, storage);
}

function npyDataset(source: ByteSource, header: NpyHeader, path: string, storage: string): DatasetNode {
  const { dtype, shape, dataOffset, fortranOrder } = header;
  const count = elementCount(shape);
  const describeStorage = `${storage}, npy ${header.version}${fortranOrder && shape.length > 1 ? ', Fortran order' : ''}${dtype.byteorder === '>' ? ', big-endian' : ''}`;
  return {
    kind: 'dataset',
    name: path.slice(path.lastIndexOf('/') + 1),
    path,
    attrs: {},
    shape: [...shape],
    dtype,
    storage: describeStorage,
    async read(selection?: Selection): Promise<ArrayData> {
      const sel = resolveSelection(shape, selection);
      const selected = sel.count.reduce((a, b) => a * b, 1);
      if (selected === 0) return { dtype, shape: [...sel.count], data: decodeElements(new Uint8Array(0), dtype, 0) };
      if (fortranOrder && shape.length > 1) {
        // Column-major on disk: rows are not contiguous, so read it all and reorder.
        const bytes = await readExactly(source, dataOffset, count * dtype.itemsize, 'array data');
        const data = fortranToC(decodeElements(bytes, dtype, count), shape, dtype);
        return sliceArray({ dtype, shape: [...shape], data }, sel);
      }
      if (shape.length === 0) {
        const bytes = await readExactly(source, dataOffset, dtype.itemsize, 'array data');
        return { dtype, shape: [], data: decodeElements(bytes, dtype, 1) };
      }
      // C order: read only the rows of axis 0 that the selection touches.
      const rowElements = cStrides(shape)[0];
      const firstRow = sel.start[0];
      const rows = (sel.count[0] - 1) * sel.step[0] + 1;
      const bytes = await readExactly(source, dataOffset + firstRow * rowElements * dtype.itemsize, rows * rowElements * dtype.itemsize, 'array data');
      const block: ArrayData = { dtype, shape: [rows, ...shape.slice(1)], data: decodeElements(bytes, dtype, rows * rowElements) };
      return sliceArray(block, { ...sel, start: [0, ...sel.start.slice(1)] });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface NpyWriteOptions {
  /** Format version; by default 1.0, or 2.0 when the header needs more than 65535 bytes. */
  version?: '1.0' | '2.0' | '3.0';
  /** Store the data column-major (fortran_order True). Values passed in are C order. */
  fortranOrder?: boolean;
}

function cToFortran<T extends ArrayData['data']>(values: T, shape: readonly number[], dtype: DType): T {
  if (shape.length < 2) return values;
  // Fortran order of `shape` = C order of the reversed shape, reading C-order data transposed.
  const reversed = [...shape].reverse();
  return fortranToC(values, reversed, dtype);
}

/** The dtype a writer stores: native little-endian, string widths fitted to the data. */
function storageDType(array: ArrayData): DType {
  const { dtype, data } = array;
  if (dtype.kind === 'U' || dtype.kind === 'S') {
    if (!Array.isArray(data)) throw new FormatError(`${dtypeName(dtype)} data must be a string array`);
    const width = Math.max(dtype.kind === 'U' ? dtype.itemsize / 4 : dtype.itemsize, longestString(data as string[], dtype.kind));
    return { kind: dtype.kind, itemsize: dtype.kind === 'U' ? 4 * width : width, byteorder: dtype.kind === 'U' ? '<' : '|' };
  }
  return { ...dtype, byteorder: dtype.itemsize === 1 ? '|' : '<' };
}

/** Encodes an array as .npy bytes that numpy.load reads. */
export function writeNpy(array: ArrayData, options: NpyWriteOptions = {}): Uint8Array {
  const dtype = storageDType(array);
  const count = elementCount(array.shape);
  const slots = dtype.kind === 'c' ? 2 : 1;
  if (array.data.length !== count * slots) {
    throw new FormatError(`array data has ${array.data.length} values, shape (${array.shape.join(', ')}) needs ${count * slots}`);
  }
  if (dtype.kind === 'O' || dtype.kind === 'V' || dtype.kind === 'E') throw new FormatError(`writing ${dtypeName(dtype)} arrays to .npy is not supported`);
  const fortran = options.fortranOrder === true && array.shape.length > 1;
  const shapeText = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  const dict = `{'descr': '${numpyDescr(dtype)}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const text = new TextEncoder().encode(dict);
  const version = options.version ?? (text.length + 11 + ALIGN > 0xffff ? '2.0' : '1.0');
  const prefixLength = version === '1.0' ? 10 : 12;
  const total = Math.ceil((prefixLength + text.length + 1) / ALIGN) * ALIGN;
  const headerLength = total - prefixLength;
  if (version === '1.0' && headerLength > 0xffff) throw new FormatError('header too long for .npy version 1.0');
  const values = fortran ? cToFortran(array.data, array.shape, dtype) : array.data;
  const data = encodeElements(values as NumericValues | string[], dtype, count);
  const out = new Uint8Array(total + data.length);
  out.set(NPY_MAGIC, 0);
  out[6] = Number(version[0]);
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === '1.0') view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  out.fill(0x20, prefixLength, total - 1);
  out.set(text, prefixLength);
  out[total - 1] = 0x0a;
  out.set(data, total);
  return out;
}
