import { describe, expect, it } from 'vitest';
import { deflateSync } from 'fflate';
import { numericDType } from '../src/lib/io/dtype.ts';
import type { ArrayData } from '../src/lib/io/ndarray.ts';
import { writeNpz } from '../src/lib/io/npz.ts';
import { openArrayFile } from '../src/lib/io/open.ts';
import { fromBytes } from '../src/lib/io/source.ts';
import { readBlocks } from '../src/lib/io/stats.ts';
import { datasets, findNode, type DatasetNode, type ValueNode } from '../src/lib/io/tree.ts';
import { readZipDirectory } from '../src/lib/io/zip.ts';
import { arrayEntries, countingSource, encodeActual, fixtureBytes, manifest, openFixture, rng } from './fixtures/io-manifest.ts';

async function expectMatchesManifest(rel: string): Promise<void> {
  const file = await openFixture(rel);
  expect(file.format).toBe('npz');
  for (const [path, expected] of arrayEntries(rel)) {
    const node = findNode(file, path) as DatasetNode;
    expect(node?.kind, path).toBe('dataset');
    const array = await node.read();
    expect(array.shape, path).toEqual(expected.shape);
    expect(encodeActual(array), path).toEqual(expected.values);
  }
  for (const [path, entry] of Object.entries(manifest.files[rel])) {
    if (!('value' in entry)) continue;
    const node = findNode(file, path) as ValueNode;
    expect(node?.kind, path).toBe('value');
    expect(node.value, path).toEqual(entry.value);
  }
  await file.close();
}

describe('NPZ reader against numpy-written fixtures', () => {
  it.each(['stored.npz', 'deflated.npz', 'positional.npz', 'nested-names.npz', 'stack-deflated.npz', 'stack-stored.npz'])('%s', async (name) => {
    await expectMatchesManifest(`npz/${name}`);
  });

  it('reads the ZIP64 extras numpy writes into every local header', async () => {
    const bytes = fixtureBytes('npz/stored.npz');
    const view = new DataView(bytes.buffer);
    const nameLength = view.getUint16(26, true);
    expect(view.getUint16(30 + nameLength, true)).toBe(0x0001); // ZIP64 extended information
    const entries = await readZipDirectory(fromBytes(bytes));
    expect(entries.map((e) => e.name)).toContain('float64.npy');
    expect(entries.every((e) => e.method === 0 && e.compressedSize === e.uncompressedSize)).toBe(true);
  });

  it('reads members whose local headers hold 0xFFFFFFFF sizes (ZIP64 only)', async () => {
    const bytes = fixtureBytes('npz/zip64-local-sizes.npz');
    expect(new DataView(bytes.buffer).getUint32(18, true)).toBe(0xffffffff);
    await expectMatchesManifest('npz/zip64-local-sizes.npz');
  });

  it('turns member names with "/" into groups', async () => {
    const file = await openFixture('npz/nested-names.npz');
    const group = findNode(file, '/group');
    expect(group?.kind).toBe('group');
    expect(findNode(file, 'group/sub/b')?.kind).toBe('dataset');
  });
});

describe('NPZ object arrays (restricted unpickler)', () => {
  const variants = ['objects.npz', ...[2, 3, 4, 5].flatMap((p) => [`objects-p${p}.npz`, `objects-p${p}-numpy2.npz`])];

  it.each(variants)('%s opens as nested groups, arrays and values', async (name) => {
    await expectMatchesManifest(`npz/${name}`);
  });

  it('shows the issue example as 1d/x_px (an array) and metadata/phases (a list of strings)', async () => {
    const file = await openFixture('npz/objects.npz');
    const x = findNode(file, '1d/x_px') as DatasetNode;
    expect(x.kind).toBe('dataset');
    expect(x.dtype.kind).toBe('f');
    expect(x.storage).toContain('pickled objects');
    expect((findNode(file, 'metadata/phases') as ValueNode).value).toEqual(['p4mbm', 'gratia_2h']);
  });

  it('opens a bare object-array .npy too', async () => {
    const file = await openFixture('npy/object-dict.npy');
    for (const [path, expected] of arrayEntries('npy/object-dict.npy')) {
      expect(encodeActual(await (findNode(file, path) as DatasetNode).read())).toEqual(expected.values);
    }
  });
});

function sameBytes(a: Float32Array, b: Float32Array): boolean {
  return Buffer.compare(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

function bigArray(n: number, seed: number): ArrayData {
  // Noisy but compressible data: a random walk quantised to 1/16.
  const next = rng(seed);
  const data = new Float32Array(n);
  let v = 0;
  for (let i = 0; i < n; i++) data[i] = v = Math.round((v + next() - 0.5) * 16) / 16;
  return { dtype: numericDType('f', 4), shape: [n / 1024, 1024], data };
}

describe('NPZ streaming', () => {
  const big = bigArray(2 ** 21, 7); // 8 MiB of float32
  const archive = writeNpz({ small: { dtype: numericDType('i', 2), shape: [3], data: Int16Array.from([1, 2, 3]) }, big }, { compression: 'deflate', level: 1 });

  it('lists members and their shapes without decompressing them', async () => {
    const source = countingSource(fromBytes(archive, 'big.npz'));
    const file = await openArrayFile(source);
    const node = findNode(file, 'big') as DatasetNode;
    expect(node.shape).toEqual(big.shape);
    expect(node.storage).toMatch(/deflate/);
    expect(archive.length).toBeGreaterThan(2 * 2 ** 20);
    // The end records, the directory and the first slice of each member, nothing more.
    expect(source.bytesRead).toBeLessThan(300 * 1024);
  });

  it('reads a deflated member block by block, inflating it once', async () => {
    const source = countingSource(fromBytes(archive, 'big.npz'));
    const file = await openArrayFile(source);
    const node = findNode(file, 'big') as DatasetNode;
    const before = source.bytesRead;
    let offset = 0;
    for await (const block of readBlocks(node, 256 * 1024)) {
      expect(sameBytes(block.data as Float32Array, (big.data as Float32Array).subarray(offset, offset + block.data.length) as Float32Array)).toBe(true);
      offset += block.data.length;
    }
    expect(offset).toBe((big.data as Float32Array).length);
    // Consecutive blocks continue one inflate stream: about the compressed size is read.
    expect(source.bytesRead - before).toBeLessThan(archive.length * 1.1);
  });

  it('serves a read behind the stream position by starting the stream again', async () => {
    const file = await openArrayFile(fromBytes(archive, 'big.npz'));
    const node = findNode(file, 'big') as DatasetNode;
    const late = await node.read([[1500, 1501]]);
    const early = await node.read([[2, 3]]);
    expect(sameBytes(late.data as Float32Array, (big.data as Float32Array).subarray(1500 * 1024, 1501 * 1024) as Float32Array)).toBe(true);
    expect(sameBytes(early.data as Float32Array, (big.data as Float32Array).subarray(2 * 1024, 3 * 1024) as Float32Array)).toBe(true);
  });
});

describe('NPZ writer', () => {
  const arrays: Record<string, ArrayData> = {
    'a': { dtype: numericDType('f', 8), shape: [2, 2], data: Float64Array.from([1, 2, 3, 4]) },
    'g/b': { dtype: numericDType('u', 8), shape: [2], data: BigUint64Array.from([0n, 2n ** 64n - 1n]) },
    'names': { dtype: { kind: 'U', itemsize: 0, byteorder: '<' }, shape: [2], data: ['x', 'yz'] },
  };

  for (const compression of ['stored', 'deflate'] as const) {
    for (const zip64 of ['auto', 'always'] as const) {
      it(`round-trips ${compression} members with ZIP64 ${zip64}`, async () => {
        const bytes = writeNpz(arrays, { compression, zip64 });
        const file = await openArrayFile(fromBytes(bytes, 'out.npz'));
        for (const [key, array] of Object.entries(arrays)) {
          const back = await (findNode(file, key) as DatasetNode).read();
          expect(encodeActual(back)).toEqual(encodeActual(array));
        }
        const entries = await readZipDirectory(fromBytes(bytes));
        expect(entries.every((e) => e.method === (compression === 'deflate' ? 8 : 0))).toBe(true);
      });
    }
  }
});

describe('NPZ integrity', () => {
  it('detects a flipped bit in a stored member through its CRC-32', async () => {
    const bytes = fixtureBytes('npz/stored.npz');
    const entries = await readZipDirectory(fromBytes(bytes));
    const entry = entries.find((e) => e.name === 'float64.npy');
    if (!entry) throw new Error('fixture lacks float64.npy');
    const local = new DataView(bytes.buffer);
    const dataStart = entry.localHeaderOffset + 30 + local.getUint16(entry.localHeaderOffset + 26, true) + local.getUint16(entry.localHeaderOffset + 28, true);
    bytes[dataStart + entry.uncompressedSize - 3] ^= 0x10; // inside the array data, past the header
    // A small member is checked as soon as it is read through, here while opening.
    const readAll = async () => {
      const file = await openArrayFile(fromBytes(bytes, 'flipped.npz'));
      return (findNode(file, 'float64') as DatasetNode).read();
    };
    await expect(readAll()).rejects.toThrow(/^flipped\.npz: member "float64\.npy" is corrupt: CRC-32 0x[0-9a-f]{8} does not match/);
  });

  it('refuses a member that claims an impossible inflation ratio', async () => {
    const payload = deflateSync(new Uint8Array(1000));
    const bytes = writeNpz({ z: { dtype: numericDType('u', 1), shape: [1000], data: new Uint8Array(1000) } }, { compression: 'deflate' });
    expect(payload.length).toBeLessThan(100);
    const entries = await readZipDirectory(fromBytes(bytes));
    // Patch the central directory's uncompressed size to 2 GB.
    const cdOffset = bytes.length - 22 - (46 + 5) ;
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(cdOffset, true)).toBe(0x02014b50);
    view.setUint32(cdOffset + 24, 2 ** 31, true);
    expect(entries[0].uncompressedSize).toBe(1128);
    await expect(openArrayFile(fromBytes(bytes, 'bomb.npz'))).rejects.toThrow(/bomb\.npz: corrupt zip: member "z\.npy" claims 2147483648 bytes/);
  });
});

describe('NPZ listing edge cases', () => {
  it('lists datasets in member order', async () => {
    const file = await openFixture('npz/positional.npz');
    expect(datasets(file).map((d) => d.path)).toEqual(['/arr_0', '/arr_1']);
  });
});
