import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { dtypeName, float32ToHalf, halfToNumber, numericDType, parseNumpyDescr } from '../src/lib/io/dtype.ts';
import { ArrayFileError } from '../src/lib/io/errors.ts';
import { cStrides, resolveSelection, sliceArray, type ArrayData } from '../src/lib/io/ndarray.ts';
import { readNpyHeader, writeNpy } from '../src/lib/io/npy.ts';
import { openArrayFile } from '../src/lib/io/open.ts';
import { fromBytes } from '../src/lib/io/source.ts';
import { datasets, findNode, type DatasetNode } from '../src/lib/io/tree.ts';
import { arrayEntries, encodeActual, fixtureBytes, FIXTURES, openFixture } from './fixtures/io-manifest.ts';

const npyFiles = readdirSync(`${FIXTURES}/npy`).filter((f) => f.endsWith('.npy') && !f.startsWith('object'));

async function onlyDataset(rel: string): Promise<DatasetNode> {
  const file = await openFixture(rel);
  const [node] = datasets(file);
  return node;
}

describe('NPY reader against numpy-written fixtures', () => {
  it('has fixtures for every dtype, byte order, order, version, scalar and empty case', () => {
    for (const name of ['bool', 'int8', 'uint64', 'float16-be', 'complex128-be', 'unicode-be', 'bytes', 'fortran-f8', 'version-3.0', 'scalar-U', 'empty-3d']) {
      expect(npyFiles).toContain(`${name}.npy`);
    }
  });

  it.each(npyFiles)('%s: shape, dtype and every value as numpy reads them', async (name) => {
    const [[path, expected]] = arrayEntries(`npy/${name}`);
    const file = await openFixture(`npy/${name}`);
    expect(file.format).toBe('npy');
    const node = findNode(file, path) as DatasetNode;
    expect(node.kind).toBe('dataset');
    expect(node.shape).toEqual(expected.shape);
    const array = await node.read();
    expect(array.shape).toEqual(expected.shape);
    expect(encodeActual(array)).toEqual(expected.values);
    // The dtype name is numpy's, whatever the byte order on disk.
    const numpyType = parseNumpyDescr(expected.dtype);
    expect(dtypeName(node.dtype)).toBe(dtypeName(numpyType));
    await file.close();
  });

  it('hands 64-bit integers out as BigInt64Array / BigUint64Array, exactly', async () => {
    const i64 = await (await onlyDataset('npy/int64.npy')).read();
    expect(i64.data).toBeInstanceOf(BigInt64Array);
    expect((i64.data as BigInt64Array)[3]).toBe(2n ** 53n + 1n);
    const u64 = await (await onlyDataset('npy/uint64-be.npy')).read();
    expect(u64.data).toBeInstanceOf(BigUint64Array);
    expect((u64.data as BigUint64Array)[5]).toBe(2n ** 64n - 1n);
  });

  it('exposes Fortran-ordered data in C order and says so in storage', async () => {
    const node = await onlyDataset('npy/fortran-f8.npy');
    expect(node.storage).toContain('Fortran order');
    const array = await node.read();
    expect(Array.from(array.data as Float64Array)).toEqual(Array.from({ length: 24 }, (_, i) => i * 0.5));
  });

  it('reads one image of a stack by reading only its bytes', async () => {
    const bytes = fixtureBytes('npy/stack.npy');
    let bytesRead = 0;
    const source = fromBytes(bytes, 'stack.npy');
    const counted = { ...source, read: async (o: number, l: number) => { const r = await source.read(o, l); bytesRead += r.length; return r; } };
    const file = await openArrayFile(counted);
    const node = datasets(file)[0];
    const afterOpen = bytesRead;
    const image = await node.read([[3, 4]]);
    expect(image.shape).toEqual([1, 6, 7]);
    expect(bytesRead - afterOpen).toBe(6 * 7);
    const whole = await node.read();
    expect(Array.from(image.data as Uint8Array)).toEqual(Array.from((whole.data as Uint8Array).subarray(3 * 42, 4 * 42)));
  });

  it('slices with Python rules: negative bounds, steps, axes left out', async () => {
    const node = await onlyDataset('npy/stack.npy'); // shape (5, 6, 7), value = flat index % 251
    const whole = await node.read();
    const picked = await node.read([[-2], [1, 6, 2], [null, null, 3]]);
    expect(picked.shape).toEqual([2, 3, 3]);
    const strides = cStrides([5, 6, 7]);
    const expected: number[] = [];
    for (const i of [3, 4]) for (const j of [1, 3, 5]) for (const k of [0, 3, 6]) expected.push((whole.data as Uint8Array)[i * strides[0] + j * strides[1] + k]);
    expect(Array.from(picked.data as Uint8Array)).toEqual(expected);
    const empty = await node.read([[2, 2]]);
    expect(empty.shape).toEqual([0, 6, 7]);
    expect(empty.data.length).toBe(0);
  });

  it('detects the format from magic bytes, not the extension', async () => {
    const file = await openFixture('npy/really-npy.h5');
    expect(file.format).toBe('npy');
    expect(datasets(file)[0].path).toBe('/really-npy');
  });

  it('reads the header fields of each version', async () => {
    for (const version of ['1.0', '2.0', '3.0'] as const) {
      const header = await readNpyHeader(fromBytes(fixtureBytes(`npy/version-${version}.npy`)));
      expect(header.version).toBe(version);
      expect(header.dataOffset % 64).toBe(0);
    }
  });
});

describe('NPY writer', () => {
  const arrays: Record<string, ArrayData> = {
    f4: { dtype: numericDType('f', 4), shape: [2, 3], data: Float32Array.from([1.5, -2, 0, Infinity, NaN, 3e-40]) },
    i8: { dtype: numericDType('i', 8), shape: [3], data: BigInt64Array.from([-(2n ** 63n), 2n ** 53n + 1n, 7n]) },
    u2: { dtype: numericDType('u', 2), shape: [2, 2], data: Uint16Array.from([0, 1, 65535, 300]) },
    b: { dtype: numericDType('b', 1), shape: [4], data: Uint8Array.from([1, 0, 0, 1]) },
    c8: { dtype: numericDType('c', 8), shape: [2], data: Float32Array.from([1, 2, -3, 0.5]) },
    f2: { dtype: numericDType('f', 2), shape: [3], data: Float32Array.from([65504, -0.5, 6.103515625e-5]) },
    U: { dtype: { kind: 'U', itemsize: 0, byteorder: '<' }, shape: [3], data: ['', 'héllo', '😀'] },
    S: { dtype: { kind: 'S', itemsize: 0, byteorder: '|' }, shape: [2, 1], data: ['ab', '\xff\x00z'] },
    scalar: { dtype: numericDType('f', 8), shape: [], data: Float64Array.from([2.5]) },
    empty: { dtype: numericDType('i', 2), shape: [2, 0, 3], data: new Int16Array(0) },
  };

  it.each(Object.keys(arrays))('round-trips %s through every format version and both orders', async (key) => {
    const array = arrays[key];
    for (const version of ['1.0', '2.0', '3.0'] as const) {
      for (const fortranOrder of [false, true]) {
        const bytes = writeNpy(array, { version, fortranOrder });
        expect(bytes[6]).toBe(Number(version[0]));
        const file = await openArrayFile(fromBytes(bytes, `${key}.npy`));
        const back = await datasets(file)[0].read();
        expect(back.shape).toEqual(array.shape);
        expect(encodeActual(back)).toEqual(encodeActual(array));
      }
    }
  });

  it('pads the header so data starts on a 64-byte boundary, as numpy does', () => {
    const bytes = writeNpy(arrays.f4);
    const headerLength = new DataView(bytes.buffer).getUint16(8, true);
    expect((10 + headerLength) % 64).toBe(0);
    expect(bytes[10 + headerLength - 1]).toBe(0x0a);
    expect(new TextDecoder().decode(bytes.subarray(10, 10 + headerLength))).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
  });

  it('refuses data that does not fill the shape', () => {
    expect(() => writeNpy({ dtype: numericDType('f', 4), shape: [2, 2], data: new Float32Array(3) })).toThrow(/needs 4/);
  });
});

describe('dtype helpers', () => {
  it('decodes every float16 bit pattern and encodes it back to the same bits', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = halfToNumber(h);
      if (Number.isNaN(v)) {
        expect(float32ToHalf(v) & 0x7c00).toBe(0x7c00);
        continue;
      }
      expect(float32ToHalf(v)).toBe(h);
    }
  });

  it('rounds float32 to float16 to nearest even', () => {
    // 1 + 2^-11 lies halfway between 1 and the next half (1 + 2^-10): ties go to even (1).
    expect(halfToNumber(float32ToHalf(1 + 2 ** -11))).toBe(1);
    expect(halfToNumber(float32ToHalf(1 + 3 * 2 ** -11))).toBe(1 + 2 * 2 ** -10);
    expect(halfToNumber(float32ToHalf(70000))).toBe(Infinity);
    expect(halfToNumber(float32ToHalf(2 ** -25))).toBe(0); // below half the smallest subnormal
  });

  it('names dtypes as numpy does and refuses the unsupported ones', () => {
    expect(dtypeName(parseNumpyDescr('>c16'))).toBe('complex128');
    expect(dtypeName(parseNumpyDescr('<U12'))).toBe('<U12');
    expect(dtypeName(parseNumpyDescr('|b1'))).toBe('bool');
    expect(() => parseNumpyDescr('<M8[D]')).toThrow(/unsupported dtype.*datetime64/);
    expect(() => parseNumpyDescr('<f16')).toThrow(/unsupported dtype/);
  });

  it('slices in-memory arrays of complex values pairwise', () => {
    const array: ArrayData = { dtype: numericDType('c', 16), shape: [2, 2], data: Float64Array.from([1, 1, 2, 2, 3, 3, 4, 4]) };
    const col = sliceArray(array, resolveSelection(array.shape, [null, [1, 2]]));
    expect(Array.from(col.data as Float64Array)).toEqual([2, 2, 4, 4]);
  });

  it('gives errors that are ArrayFileErrors naming the file', async () => {
    await expect(openArrayFile(fromBytes(new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 9, 0, 0, 0]), 'x.npy'))).rejects.toThrow(
      new ArrayFileError('x.npy', 'unsupported .npy format version 9.0'),
    );
  });
});
