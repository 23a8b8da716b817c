/**
 * Streaming statistics over an array read block by block: count, NaN count, min, max, sum and
 * mean, as numpy's nanmin / nanmax / nansum / nanmean give them (NaN excluded and counted;
 * ±inf included). 64-bit integers keep exact min/max as bigint. Complex values are summarised
 * by magnitude |z|. The sum is compensated (Neumaier's variant of Kahan summation), so a long
 * float32 array does not lose its low digits.
 */
import { slotsPerElement, type DType } from './dtype.ts';
import type { ArrayData, ArrayValues, Selection } from './ndarray.ts';
import type { DatasetNode } from './tree.ts';

export interface ArrayStats {
  /** Elements seen (NaN included). */
  count: number;
  nanCount: number;
  min: number | bigint | null;
  max: number | bigint | null;
  sum: number | null;
  mean: number | null;
  /** 'magnitude' for complex arrays; null stats for strings and records. */
  of: 'values' | 'magnitude' | 'none';
}

export class StatsAccumulator {
  private count = 0;
  private nanCount = 0;
  private valid = 0;
  private min: number | bigint | null = null;
  private max: number | bigint | null = null;
  private sum = 0;
  private compensation = 0;
  private readonly of: ArrayStats['of'];

  constructor(dtype: DType) {
    this.of = dtype.kind === 'c' ? 'magnitude' : ['b', 'i', 'u', 'f', 'E'].includes(dtype.kind) ? 'values' : 'none';
  }

  private addNumber(v: number): void {
    // Neumaier: keep the rounding error of each addition and add it back at the end.
    const t = this.sum + v;
    if (Number.isFinite(t)) this.compensation += Math.abs(this.sum) >= Math.abs(v) ? this.sum - t + v : v - t + this.sum;
    this.sum = t;
  }

  add(values: ArrayValues, dtype: DType): void {
    const slots = slotsPerElement(dtype);
    const n = values.length / slots;
    this.count += n;
    if (this.of === 'none') return;
    if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
      let lo = this.min as bigint | null;
      let hi = this.max as bigint | null;
      for (const v of values) {
        if (lo === null || v < lo) lo = v;
        if (hi === null || v > hi) hi = v;
        this.addNumber(Number(v));
      }
      this.min = lo;
      this.max = hi;
      this.valid += n;
      return;
    }
    const data = values as ArrayLike<number>;
    let lo = (this.min as number | null) ?? Infinity;
    let hi = (this.max as number | null) ?? -Infinity;
    let seen = 0;
    for (let i = 0; i < n; i++) {
      const v = slots === 2 ? Math.hypot(data[2 * i], data[2 * i + 1]) : data[i];
      if (Number.isNaN(v)) {
        this.nanCount++;
        continue;
      }
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      this.addNumber(v);
      seen++;
    }
    this.valid += seen;
    if (this.valid > 0) {
      this.min = lo;
      this.max = hi;
    }
  }

  result(): ArrayStats {
    if (this.of === 'none' || this.valid === 0) {
      return { count: this.count, nanCount: this.nanCount, min: null, max: null, sum: this.of === 'none' ? null : 0, mean: null, of: this.of };
    }
    const sum = Number.isFinite(this.sum) ? this.sum + this.compensation : this.sum;
    return { count: this.count, nanCount: this.nanCount, min: this.min, max: this.max, sum, mean: sum / this.valid, of: this.of };
  }
}

/**
 * Reads a dataset in C order, block by block along the first axis, each block at most about
 * `maxBytes` (at least one row), so big arrays never need to be held whole.
 */
export async function* readBlocks(node: DatasetNode, maxBytes = 16 * 2 ** 20): AsyncGenerator<ArrayData> {
  if (node.shape.length === 0 || node.shape[0] === 0) {
    yield await node.read();
    return;
  }
  const rowBytes = node.shape.slice(1).reduce((a, b) => a * b, 1) * Math.max(1, node.dtype.itemsize);
  const rowsPerBlock = Math.max(1, Math.floor(maxBytes / Math.max(1, rowBytes)));
  for (let row = 0; row < node.shape[0]; row += rowsPerBlock) {
    const selection: Selection = [[row, Math.min(node.shape[0], row + rowsPerBlock)]];
    yield await node.read(selection);
  }
}

/** Statistics of a whole dataset, streamed. */
export async function datasetStats(node: DatasetNode, maxBytes?: number): Promise<ArrayStats> {
  const acc = new StatsAccumulator(node.dtype);
  for await (const block of readBlocks(node, maxBytes)) acc.add(block.data, block.dtype);
  return acc.result();
}
