/**
 * Arrays as the readers hand them out (always C order, native byte order), selections
 * (hyperslabs) and the in-memory reshuffles they need: Fortran → C order and slicing.
 */
import type { NDArray, NumericArray } from '../harness/contract.ts';
import { FormatError } from './errors.ts';
import { dtypeName, slotsPerElement, type DType, type NumericValues } from './dtype.ts';

/** JSON-like values: attributes, pickled metadata, HDF5 compound records. */
export type PlainValue = null | boolean | number | bigint | string | PlainValue[] | { [key: string]: PlainValue };

/**
 * Decoded elements: typed arrays for numbers (complex interleaved re, im), string[] for U/S,
 * PlainValue[] for compound records and variable-length sequences.
 */
export type ArrayValues = NumericValues | string[] | PlainValue[];

/** A dense, C-ordered array with its element type. */
export interface ArrayData {
  dtype: DType;
  shape: number[];
  data: ArrayValues;
}

/**
 * Per-axis [start, stop, step] as in Python slicing: null/missing means the default, negative
 * start/stop count from the end, step ≥ 1. Axes left out of a selection are read whole.
 */
export type AxisRange = readonly [start?: number | null, stop?: number | null, step?: number | null];
export type Selection = readonly (AxisRange | null | undefined)[];

export interface ResolvedSelection {
  start: number[];
  count: number[];
  step: number[];
  /** True when the selection covers the whole array. */
  full: boolean;
}

/** Number of elements of a shape (1 for a 0-d scalar); throws if it is not a safe integer. */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new FormatError(`invalid dimension ${d} in shape (${shape.join(', ')})`);
    n *= d;
  }
  if (!Number.isSafeInteger(n)) throw new FormatError(`shape (${shape.join(', ')}) has too many elements`);
  return n;
}

/** Applies Python slice rules to each axis of `shape`. */
export function resolveSelection(shape: readonly number[], selection?: Selection): ResolvedSelection {
  if (selection && selection.length > shape.length) {
    throw new FormatError(`selection has ${selection.length} axes but the array has ${shape.length}`);
  }
  const start: number[] = [];
  const count: number[] = [];
  const step: number[] = [];
  let full = true;
  shape.forEach((dim, axis) => {
    const [a, b, s] = selection?.[axis] ?? [];
    const st = s ?? 1;
    if (!Number.isInteger(st) || st < 1) throw new FormatError(`slice step must be a positive integer, got ${st}`);
    const norm = (v: number | null | undefined, dflt: number): number => {
      if (v === null || v === undefined) return dflt;
      if (!Number.isInteger(v)) throw new FormatError(`slice bound must be an integer, got ${v}`);
      return Math.min(dim, Math.max(0, v < 0 ? v + dim : v));
    };
    const lo = norm(a, 0);
    const hi = norm(b, dim);
    const n = hi > lo ? Math.ceil((hi - lo) / st) : 0;
    start.push(lo);
    count.push(n);
    step.push(st);
    if (lo !== 0 || n !== dim) full = false;
  });
  return { start, count, step, full };
}

/** C-order strides in elements. */
export function cStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

function allocLike(values: ArrayValues, length: number): ArrayValues {
  if (Array.isArray(values)) return new Array(length);
  const Ctor = values.constructor as new (n: number) => NumericValues;
  return new Ctor(length);
}

/**
 * Copies the elements at start + i·step (per axis, counts `count`) of `src`, laid out with
 * element strides `srcStrides`, into a new C-ordered array. `slots` is 2 for complex values.
 */
function gather(
  src: ArrayValues,
  srcStrides: readonly number[],
  start: readonly number[],
  count: readonly number[],
  step: readonly number[],
  slots: number,
): ArrayValues {
  const total = count.reduce((a, b) => a * b, 1);
  const out = allocLike(src, total * slots);
  if (total === 0) return out;
  const nd = count.length;
  if (nd === 0) {
    for (let k = 0; k < slots; k++) out[k] = src[k];
    return out;
  }
  const last = nd - 1;
  const innerStride = srcStrides[last] * step[last];
  const contiguous = innerStride === 1;
  let o = 0;
  const walk = (axis: number, base: number): void => {
    if (axis === last) {
      const from = (base + start[last] * srcStrides[last]) * slots;
      const n = count[last];
      if (contiguous && !Array.isArray(src)) {
        (out as NumericValues).set((src as NumericValues).subarray(from, from + n * slots) as never, o);
        o += n * slots;
      } else {
        for (let i = 0, p = from; i < n; i++, p += innerStride * slots) {
          for (let k = 0; k < slots; k++) out[o++] = src[p + k];
        }
      }
      return;
    }
    for (let i = 0; i < count[axis]; i++) walk(axis + 1, base + (start[axis] + i * step[axis]) * srcStrides[axis]);
  };
  walk(0, 0);
  return out;
}

/** Selects a hyperslab of a C-ordered array held in memory. */
export function sliceArray(array: ArrayData, selection: Omit<ResolvedSelection, 'full'>): ArrayData {
  const whole = array.shape.every((d, i) => selection.start[i] === 0 && selection.count[i] === d);
  if (whole) return array;
  const slots = slotsPerElement(array.dtype);
  const data = gather(array.data, cStrides(array.shape), selection.start, selection.count, selection.step, slots);
  return { dtype: array.dtype, shape: [...selection.count], data };
}

/** Reorders Fortran-ordered (column-major) values of `shape` into C order. */
export function fortranToC<T extends ArrayValues | unknown[]>(values: T, shape: readonly number[], dtype: DType): T {
  if (shape.length < 2) return values;
  const fStrides: number[] = [];
  let s = 1;
  for (const d of shape) {
    fStrides.push(s);
    s *= d;
  }
  const zeros = shape.map(() => 0);
  const ones = shape.map(() => 1);
  return gather(values as ArrayValues, fStrides, zeros, shape, ones, slotsPerElement(dtype)) as T;
}

/**
 * The harness's plain numeric array: bool → Uint8Array, 64-bit integers → Float64Array (values
 * beyond 2^53 are rounded, as numpy's astype(float64) would), float16 → Float32Array.
 * Complex, string and record arrays have no such form and are refused.
 */
export function toNDArray(array: ArrayData): NDArray<NumericArray> {
  const { data, dtype } = array;
  if (dtype.kind === 'c' || Array.isArray(data)) {
    throw new FormatError(`a ${dtypeName(dtype)} array cannot be used as a numeric array`);
  }
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    const out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
    return { data: out, shape: [...array.shape] };
  }
  return { data: data as NumericArray, shape: [...array.shape] };
}
