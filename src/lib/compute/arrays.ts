/**
 * Conversions between what the file readers hand out (ArrayData: any dtype) and what models and
 * plots take (float32), plus the inspector's summaries. Pure, used inside the compute worker.
 */
import type { NDArray, NumericArray } from '../harness/contract';
import type { ArrayData, PlainValue } from '../io/ndarray';
import { numericDType, type DType } from '../io/dtype';

export function isNumericValues(data: ArrayData['data']): data is Exclude<ArrayData['data'], string[] | PlainValue[]> {
  return ArrayBuffer.isView(data);
}

/**
 * Float32 copy of a numeric array (bool/int/uint/float; complex → magnitude; int64 via Number).
 * Strings and records are refused with a message naming the dtype.
 */
export function toFloat32(array: ArrayData): Float32Array {
  const { data, dtype } = array;
  if (!isNumericValues(data)) throw new Error(`arrays of ${dtype.kind === 'U' || dtype.kind === 'S' ? 'strings' : 'records'} cannot be shown or used as numbers`);
  if (dtype.kind === 'c') {
    const out = new Float32Array(data.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = Math.hypot(Number(data[2 * i]), Number(data[2 * i + 1]));
    return out;
  }
  if (data instanceof Float32Array) return data.slice();
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

export interface Summary {
  min: number;
  max: number;
  mean: number;
  nanCount: number;
}

/** min, max and mean over finite values; NaN count. */
export function summarise(values: ArrayLike<number>): Summary {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  let nanCount = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) nanCount++;
    else if (Number.isFinite(v)) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      n++;
    }
  }
  return { min: n ? min : NaN, max: n ? max : NaN, mean: n ? sum / n : NaN, nanCount };
}

/** CSV text of a 0-, 1- or 2-D array: one row per line. */
export function toCsv(array: ArrayData): string {
  if (array.shape.length > 2) throw new Error(`CSV holds at most 2 dimensions; this array has shape (${array.shape.join(', ')}) — export it as .npy`);
  const cols = array.shape.length === 2 ? array.shape[1] : 1;
  const values = Array.from(array.data as ArrayLike<unknown>, (v) => String(v));
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += cols) lines.push(values.slice(i, i + cols).join(','));
  return lines.join('\n') + '\n';
}

const DTYPE_OF: [new (...a: never[]) => NumericArray, DType][] = [
  [Float32Array, numericDType('f', 4)],
  [Float64Array, numericDType('f', 8)],
  [Int8Array, numericDType('i', 1)],
  [Int16Array, numericDType('i', 2)],
  [Int32Array, numericDType('i', 4)],
  [Uint8Array, numericDType('u', 1)],
  [Uint16Array, numericDType('u', 2)],
  [Uint32Array, numericDType('u', 4)],
];

/** ArrayData view of a plain NDArray (for the writers). */
export function fromNd(array: NDArray<NumericArray>): ArrayData {
  const entry = DTYPE_OF.find(([ctor]) => array.data instanceof ctor);
  if (!entry) throw new Error(`unsupported array type ${array.data.constructor.name}`);
  return { dtype: entry[1], shape: array.shape, data: array.data };
}

/** Short display text of an attribute or a pickled value. */
export function plainText(value: PlainValue, max = 200): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return text.length > max ? text.slice(0, max) + '…' : text;
}
