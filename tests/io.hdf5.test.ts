import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dtypeName, numericDType } from '../src/lib/io/dtype.ts';
import { condenseHdf5Error, loadH5wasm } from '../src/lib/io/h5env.ts';
import { writeH5 } from '../src/lib/io/hdf5-write.ts';
import type { ArrayData } from '../src/lib/io/ndarray.ts';
import { openArrayPath } from '../src/lib/io/node-source.ts';
import { openArrayFile } from '../src/lib/io/open.ts';
import { fromBytes } from '../src/lib/io/source.ts';
import { datasets, findNode, type DatasetNode, type LinkNode, type ValueNode } from '../src/lib/io/tree.ts';
import { arrayEntries, encodeActual, fixture, manifest, openFixture } from './fixtures/io-manifest.ts';

async function expectMatchesManifest(rel: string): Promise<void> {
  const file = await openFixture(rel);
  expect(file.format).toBe('hdf5');
  for (const [path, expected] of arrayEntries(rel)) {
    const node = findNode(file, path) as DatasetNode;
    expect(node?.kind, path).toBe('dataset');
    expect(node.shape, path).toEqual(expected.shape);
    const array = await node.read();
    expect(encodeActual(array), path).toEqual(expected.values);
  }
  await file.close();
}

describe('HDF5 reader against h5py-written fixtures', () => {
  it('reads every numeric type, both byte orders, bool, complex and float16 as h5py wrote them', async () => {
    await expectMatchesManifest('h5/types.h5');
  });

  it('shows h5py conventions: bool enum → bool, {r, i} compound → complex', async () => {
    const file = await openFixture('h5/types.h5');
    expect(dtypeName((findNode(file, 'numeric/bool') as DatasetNode).dtype)).toBe('bool');
    expect(dtypeName((findNode(file, 'numeric/complex64-be') as DatasetNode).dtype)).toBe('complex64');
    expect(dtypeName((findNode(file, 'numeric/float16') as DatasetNode).dtype)).toBe('float16');
  });

  it('keeps compound and enum types as such', async () => {
    const file = await openFixture('h5/types.h5');
    const records = findNode(file, 'compound/records') as DatasetNode;
    expect(dtypeName(records.dtype)).toBe('{x: float32, n: int16, tag: |S2}');
    const expected = manifest.files['h5/types.h5']['/compound/records'] as { records: [number, number, string][] };
    expect((await records.read()).data).toEqual(expected.records.map(([x, n, tag]) => ({ x, n, tag })));
    const colors = findNode(file, 'compound/colors') as DatasetNode;
    const colorEntry = manifest.files['h5/types.h5']['/compound/colors'] as { enum: Record<string, number>; values: number[] };
    expect(colors.dtype.kind).toBe('E');
    expect(colors.dtype.enumMembers).toEqual(colorEntry.enum);
    expect(Array.from((await colors.read()).data as Uint8Array)).toEqual(colorEntry.values);
  });

  it('reads strings, scalars, empty and null datasets, variable-length sequences', async () => {
    const file = await openFixture('h5/types.h5');
    const utf8 = (await (findNode(file, 'strings/vlen_utf8') as DatasetNode).read()).data;
    expect(utf8).toEqual((manifest.files['h5/types.h5']['/strings/vlen_utf8'] as { value: string[] }).value);
    expect((await (findNode(file, 'strings/scalar_str') as DatasetNode).read()).data).toEqual(['just one']);
    const scalar = await (findNode(file, 'scalar') as DatasetNode).read();
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data as Float64Array)).toEqual([6.25]);
    const empty = await (findNode(file, 'empty') as DatasetNode).read();
    expect(empty.shape).toEqual([0, 3]);
    expect((findNode(file, 'null') as ValueNode).value).toBeNull();
    const vlen = findNode(file, 'vlen_ints') as DatasetNode;
    expect(dtypeName(vlen.dtype)).toBe('vlen(int32)');
    expect((await vlen.read()).data).toEqual([[1, 2, 3], [4]]);
  });

  it('reads attributes of the file, groups and datasets; lists links without following loops', async () => {
    const file = await openFixture('h5/types.h5');
    expect(file.root.attrs).toEqual({ title: 'dtype zoo', version: 3, limits: [0.5, 1.5] });
    expect(findNode(file, 'numeric')?.attrs).toEqual({ NX_class: 'NXcollection' });
    expect((findNode(file, 'dangling') as LinkNode).target).toBe('/nowhere');
    expect(findNode(file, 'external')).toMatchObject({ kind: 'link', file: 'other.h5', target: '/data' });
    const soft = findNode(file, 'soft') as DatasetNode;
    expect(soft.storage).toContain('soft link → /numeric/int8');
    expect(encodeActual(await soft.read())).toEqual(arrayEntries('h5/types.h5').find(([p]) => p === '/numeric/int8')?.[1].values);
  });

  it('opens NeXus files, whatever their extension, by their HDF5 signature', async () => {
    await expectMatchesManifest('h5/scan.nxs');
    const file = await openFixture('h5/really-h5.npy');
    expect(file.format).toBe('hdf5');
    expect(findNode(file, 'entry/data')?.attrs).toMatchObject({ NX_class: 'NXdata', signal: 'counts' });
  });

  it('opens HDF5 bytes held in memory (through a temporary file)', async () => {
    const bytes = new Uint8Array(readFileSync(fixture('h5/scan.nxs')));
    const file = await openArrayFile(fromBytes(bytes, 'memory.nxs'));
    expect(datasets(file).map((d) => d.path)).toEqual(['/entry/data/counts', '/entry/data/two_theta']);
    await file.close();
  });
});

describe('HDF5 filters', () => {
  it('decodes gzip, shuffle, fletcher32, scaleoffset, szip (built in) and LZF (plugin) written by h5py', async () => {
    const names = arrayEntries('h5/filters.h5').map(([p]) => p);
    expect(names).toEqual(expect.arrayContaining(['/gzip', '/gzip_shuffle', '/fletcher32', '/lzf', '/scaleoffset']));
    await expectMatchesManifest('h5/filters.h5');
    const file = await openFixture('h5/filters.h5');
    expect((findNode(file, 'lzf') as DatasetNode).storage).toBe('chunked 1×32×32, lzf');
    expect((findNode(file, 'gzip_shuffle') as DatasetNode).storage).toBe('chunked 1×32×32, shuffle, deflate(4)');
  });

  it('decodes blosc (blosclz, lz4, zstd) and bzip2 written by PyTables, through plugins', async () => {
    await expectMatchesManifest('h5/pytables-filters.h5');
  });

  it('says which filter is missing (LZO has no plugin) instead of returning garbage', async () => {
    const file = await openFixture('h5/pytables-filters.h5');
    await expect((findNode(file, 'lzo') as DatasetNode).read()).rejects.toThrow(
      'pytables-filters.h5: /lzo: compression filter "lzo" (id 305) is not available: no decoder for it is bundled',
    );
  });

  it.each([
    ['bshuf', 32008, [0, 2]],
    ['zstd', 32015, [3]],
    ['lz4', 32004, [0]],
    ['blosc2', 32026, [0, 0, 0, 0, 5, 1, 0]],
  ])('decodes %s through its plugin (file written by h5wasm with the plugin)', async (_name, id, opts) => {
    const { lib, tempDir } = await loadH5wasm();
    const path = `${tempDir}/sciml-plugin-${id}.h5`;
    const values = Float32Array.from({ length: 64 * 40 }, (_, i) => (i % 64) * 0.25);
    const f = new lib.File(path, 'w');
    f.create_dataset({ name: 'data', data: values, shape: [64, 40], dtype: '<f', chunks: [16, 40], compression: id, compression_opts: opts });
    f.close();
    const file = await openArrayPath(path);
    const node = findNode(file, 'data') as DatasetNode;
    expect(node.storage).toMatch(/chunked 16×40/);
    expect((await node.read()).data).toEqual(values);
    await file.close();
  });
});

describe('HDF5 hyperslabs', () => {
  it('reads one image of a chunked stack and strided selections', async () => {
    const file = await openFixture('h5/filters.h5');
    const node = findNode(file, 'gzip') as DatasetNode;
    const all = (await node.read()).data as Float32Array;
    const image = await node.read([[5, 6]]);
    expect(image.shape).toEqual([1, 32, 32]);
    expect(image.data).toEqual(all.subarray(5 * 1024, 6 * 1024));
    const strided = await node.read([[-1], [0, 32, 8], [31, 32]]);
    expect(strided.shape).toEqual([1, 4, 1]);
    expect(Array.from(strided.data as Float32Array)).toEqual([0, 8, 16, 24].map((r) => all[7 * 1024 + r * 32 + 31]));
  });

  it('reads only the chunks of the requested image: a corrupt chunk 0 spoils image 0 alone', async () => {
    const file = await openFixture('bad/corrupt-chunk.h5');
    const expected = arrayEntries('h5/filters.h5').find(([p]) => p === '/gzip')?.[1].values ?? [];
    for (const name of ['gzip', 'fletcher32']) {
      const node = findNode(file, name) as DatasetNode;
      const image1 = await node.read([[1, 2]]);
      expect(encodeActual(image1)).toEqual(expected.slice(1024, 2048));
      await expect(node.read([[0, 1]])).rejects.toThrow(new RegExp(`^corrupt-chunk\\.h5: /${name}: HDF5: filter returned failure during read`));
    }
  });
});

describe('HDF5 writer', () => {
  const arrays: Record<string, ArrayData> = {
    'image': { dtype: numericDType('f', 4), shape: [4, 5], data: Float32Array.from({ length: 20 }, (_, i) => i / 4) },
    'results/counts': { dtype: numericDType('i', 8), shape: [3], data: BigInt64Array.from([-(2n ** 62n), 0n, 2n ** 53n + 1n]) },
    'results/mask': { dtype: numericDType('b', 1), shape: [2], data: Uint8Array.from([1, 0]) },
    'results/half': { dtype: numericDType('f', 2), shape: [2], data: Float32Array.from([0.5, -2]) },
    'labels': { dtype: { kind: 'U', itemsize: 0, byteorder: '<' }, shape: [2], data: ['α', 'beta'] },
    'scalar': { dtype: numericDType('u', 2), shape: [], data: Uint16Array.from([65535]) },
  };

  it.each([undefined, 4])('writes datasets, groups and attributes that read back (gzip level %s)', async (gzipLevel) => {
    const bytes = await writeH5(arrays, { benchmark: 'demo', epochs: 3, loss: 0.125, ok: true, axes: ['x', 'y'] }, { gzipLevel, datasetAttrs: { image: { units: 'counts' } } });
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
    const file = await openArrayFile(fromBytes(bytes, 'results.h5'));
    expect(file.root.attrs).toEqual({ benchmark: 'demo', epochs: 3, loss: 0.125, ok: 1, axes: ['x', 'y'] });
    const image = findNode(file, 'image') as DatasetNode;
    expect(image.attrs).toEqual({ units: 'counts' });
    expect(image.storage).toBe(gzipLevel ? 'chunked 4×5, deflate(4)' : 'contiguous');
    for (const [key, array] of Object.entries(arrays)) {
      const back = await (findNode(file, key) as DatasetNode).read();
      expect(back.shape, key).toEqual(array.shape);
      if (key === 'results/mask') {
        // h5wasm's writer has no enum type, so bool is stored as uint8.
        expect(dtypeName(back.dtype)).toBe('uint8');
        expect(Array.from(back.data as Uint8Array)).toEqual([1, 0]);
        continue;
      }
      expect(encodeActual(back), key).toEqual(encodeActual(array));
    }
    // ... and float16 as float32 (every float16 is a float32 exactly).
    expect(dtypeName((findNode(file, 'results/half') as DatasetNode).dtype)).toBe('float32');
    await file.close();
  });

  it('refuses strings with NUL characters rather than cutting them', async () => {
    await expect(writeH5({ s: { dtype: { kind: 'S', itemsize: 0, byteorder: '|' }, shape: [1], data: ['a\0b'] } })).rejects.toThrow(/cannot hold NUL/);
  });

  it('refuses complex arrays with a clear message', async () => {
    await expect(writeH5({ z: { dtype: numericDType('c', 8), shape: [1], data: Float32Array.from([1, 2]) } })).rejects.toThrow(/complex64 arrays cannot be written to HDF5/);
  });
});

describe('HDF5 error messages', () => {
  it('condenses the HDF5 error stack to its telling line', () => {
    const stack = [
      'HDF5-DIAG: Error detected in HDF5 (1.14.6):',
      '  #000: H5D.c line 1044 in H5Dread(): can\'t synchronously read data',
      '    major: Dataset',
      '    minor: Read failed',
      '  #001: H5Z.c line 1411 in H5Z_pipeline(): required filter \'lzo\' is not registered',
      '    major: Data filters',
      '    minor: Read failed',
      '  #002: H5PLpath.c line 858 in H5PL__find_plugin_in_path(): can\'t open directory (/usr/local/hdf5/lib/plugin)',
      '    major: Plugin for dynamically loaded library',
      '    minor: Can\'t open directory or file',
      '',
    ].join('\n');
    expect(condenseHdf5Error(stack)).toBe("HDF5: required filter 'lzo' is not registered (read failed)");
  });
});
