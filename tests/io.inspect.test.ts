import { describe, expect, it } from 'vitest';
import { numericDType } from '../src/lib/io/dtype.ts';
import { formatNumber, inspectReport } from '../src/lib/io/inspect.ts';
import { toNDArray } from '../src/lib/io/ndarray.ts';
import { readBlocks, StatsAccumulator } from '../src/lib/io/stats.ts';
import { memoryDataset } from '../src/lib/io/tree.ts';
import { fixture, rng } from './fixtures/io-manifest.ts';

describe('statistics', () => {
  it('streams: blocks give the same result as the whole array; NaN counted, not summed', () => {
    const next = rng(3);
    const data = Float64Array.from({ length: 10_000 }, (_, i) => (i % 997 === 0 ? NaN : next() * 200 - 100));
    const whole = new StatsAccumulator(numericDType('f', 8));
    whole.add(data, numericDType('f', 8));
    const blocks = new StatsAccumulator(numericDType('f', 8));
    for (let i = 0; i < data.length; i += 777) blocks.add(data.subarray(i, i + 777), numericDType('f', 8));
    const finite = Array.from(data).filter((v) => !Number.isNaN(v));
    const expected = { count: data.length, nanCount: data.length - finite.length, min: Math.min(...finite), max: Math.max(...finite) };
    expect(whole.result()).toMatchObject(expected);
    expect(blocks.result()).toMatchObject(expected);
    expect(blocks.result().sum).toBeCloseTo(finite.reduce((a, b) => a + b, 0), 9);
    expect(blocks.result().mean).toBeCloseTo(finite.reduce((a, b) => a + b, 0) / finite.length, 12);
  });

  it('keeps the low digits of long sums (compensated summation)', () => {
    const dtype = numericDType('f', 4);
    const acc = new StatsAccumulator(dtype);
    const ones = new Float32Array(1000).fill(1);
    acc.add(Float32Array.of(1e16), dtype);
    for (let k = 0; k < 10; k++) acc.add(ones, dtype);
    acc.add(Float32Array.of(-1e16), dtype);
    // Plain float64 addition would lose every 1 added to 1e16 and return 0.
    expect(acc.result().sum).toBe(10_000);
  });

  it('keeps exact 64-bit extremes and summarises complex numbers by magnitude', () => {
    const i64 = new StatsAccumulator(numericDType('i', 8));
    i64.add(BigInt64Array.from([2n ** 63n - 1n, -(2n ** 63n), 5n]), numericDType('i', 8));
    expect(i64.result()).toMatchObject({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    const c = new StatsAccumulator(numericDType('c', 8));
    c.add(Float32Array.from([3, 4, 0, -1]), numericDType('c', 8));
    expect(c.result()).toMatchObject({ count: 2, min: 1, max: 5, sum: 6, of: 'magnitude' });
    const s = new StatsAccumulator({ kind: 'U', itemsize: 0, byteorder: '<' });
    s.add(['a', 'b'], { kind: 'U', itemsize: 0, byteorder: '<' });
    expect(s.result()).toMatchObject({ count: 2, min: null, of: 'none' });
  });

  it('reads big arrays in row blocks of bounded size, in C order', async () => {
    const data = Float32Array.from({ length: 100 * 50 }, (_, i) => i);
    const node = memoryDataset({ dtype: numericDType('f', 4), shape: [100, 50], data }, '/x', 'memory');
    const shapes: number[][] = [];
    const seen: number[] = [];
    for await (const block of readBlocks(node, 50 * 4 * 30)) {
      shapes.push(block.shape);
      seen.push(...(block.data as Float32Array));
    }
    expect(shapes).toEqual([[30, 50], [30, 50], [30, 50], [10, 50]]);
    expect(seen).toEqual(Array.from(data));
  });

  it('formats numbers like numpy prints them', () => {
    expect([0.1 + 0.2, 1e-7, 2 ** 64, -0, NaN, -Infinity, 42, 123456789012345678n].map(formatNumber)).toEqual(['0.3', '1e-7', '1.84467e+19', '0', 'nan', '-inf', '42', '123456789012345678']);
  });
});

describe('toNDArray (arrays handed to benchmarks)', () => {
  it('widens 64-bit integers to float64 and refuses complex and strings', () => {
    const wide = toNDArray({ dtype: numericDType('i', 8), shape: [2], data: BigInt64Array.from([3n, -(2n ** 60n)]) });
    expect(wide.data).toBeInstanceOf(Float64Array);
    expect(Array.from(wide.data)).toEqual([3, -(2 ** 60)]);
    const f4 = Float32Array.from([1, 2]);
    expect(toNDArray({ dtype: numericDType('f', 4), shape: [2], data: f4 }).data).toBe(f4);
    expect(() => toNDArray({ dtype: numericDType('c', 8), shape: [1], data: new Float32Array(2) })).toThrow(/complex64 array cannot be used/);
    expect(() => toNDArray({ dtype: { kind: 'U', itemsize: 4, byteorder: '<' }, shape: [1], data: ['a'] })).toThrow(/<U1 array cannot be used/);
  });
});

describe('inspect report (the CLI and the browser use it)', () => {
  it('lists every array with shape, dtype, min/max/mean/sum and first values, then values and attributes', async () => {
    const text = await inspectReport(fixture('npz/objects.npz'));
    const lines = text.split('\n');
    expect(lines[0]).toBe('objects.npz: npz, 2.3 KiB, 5 arrays');
    expect(lines[1].split(/\s{2,}/)).toEqual(['path', 'shape', 'dtype', 'min', 'max', 'mean', 'sum', 'first values']);
    expect(lines.find((l) => l.startsWith('/1d/x_px'))?.split(/\s{2,}/)).toEqual(['/1d/x_px', '(5,)', 'float64', '0', '1', '0.5', '2.5', '[0, 0.25, 0.5, 0.75, 1]']);
    expect(lines).toContain('/metadata/phases = ["p4mbm","gratia_2h"]');
    const nexus = await inspectReport(fixture('h5/scan.nxs'));
    expect(nexus).toContain('/entry/data  @NX_class="NXdata" @axes=["two_theta"] @signal="counts"');
    expect(nexus.split('\n').find((l) => l.startsWith('/entry/data/counts'))?.split(/\s{2,}/)).toEqual(['/entry/data/counts', '(8,)', 'int64', '0', '49', '17.5', '140', '[0, 1, 4, 9, 16, 25, 36, 49]']);
  });

  it('truncates long arrays after the first values and notes NaN and complex', async () => {
    const text = await inspectReport(fixture('npz/deflated.npz'), { firstValues: 3 });
    expect(text).toContain('[1+2j, 0-3.5j, 0+0j, …]');
    expect(text).toContain('  /float64: 1 NaN excluded');
    expect(text).toContain('  /complex64: stats of |z|, 1 NaN excluded');
  });

  it('prints JSON with exact 64-bit values and spelled-out non-finite numbers', async () => {
    const report = JSON.parse(await inspectReport(fixture('npy/int64.npy'), { json: true }));
    expect(report).toMatchObject({ file: 'int64.npy', format: 'npy', warnings: [] });
    expect(report.arrays[0]).toMatchObject({ path: '/int64', shape: [2, 3], dtype: 'int64', stats: { min: '-9223372036854775808', max: '9223372036854775807', count: 6 } });
    const floats = JSON.parse(await inspectReport(fixture('npy/float64.npy'), { json: true }));
    expect(floats.arrays[0].stats).toMatchObject({ min: '-inf', max: 'inf', mean: 'nan', nanCount: 1 });
  });
});
