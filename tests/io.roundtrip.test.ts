/**
 * Files written by the app, read back by the real numpy and h5py (Debian's /usr/bin/python3).
 * Skipped, with the reason in the test name, where that Python lacks numpy or h5py.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numericDType } from '../src/lib/io/dtype.ts';
import { writeH5 } from '../src/lib/io/hdf5-write.ts';
import type { ArrayData } from '../src/lib/io/ndarray.ts';
import { writeNpy } from '../src/lib/io/npy.ts';
import { writeNpz } from '../src/lib/io/npz.ts';
import { encodeActual, type Encoded } from './fixtures/io-manifest.ts';

const PYTHON = '/usr/bin/python3';

function pythonLacks(module: string): string | null {
  const probe = spawnSync(PYTHON, ['-c', `import ${module}`], { encoding: 'utf8' });
  if (probe.error) return `${PYTHON} not found`;
  return probe.status === 0 ? null : `${PYTHON} has no ${module}`;
}

const numpyMissing = pythonLacks('numpy');
const h5pyMissing = numpyMissing ?? pythonLacks('h5py');

/** Reads a file with numpy/h5py and prints {key: {shape, dtype, values}} in the manifest encoding. */
const READER = String.raw`
import sys, json, math
import numpy as np

def enc(v):
    if isinstance(v, (bool, np.bool_)): return bool(v)
    if isinstance(v, (np.int64, np.uint64)): return str(int(v))
    if isinstance(v, (np.integer, int)): return int(v)
    if isinstance(v, (np.complexfloating, complex)): return [enc(float(v.real)), enc(float(v.imag))]
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return 'nan' if math.isnan(f) else ('inf' if f == math.inf else ('-inf' if f == -math.inf else f))
    if isinstance(v, bytes): return v.decode('latin-1')
    return str(v)

def describe(a):
    a = np.asarray(a)
    return {'shape': list(a.shape), 'dtype': a.dtype.str, 'values': [enc(x) for x in a.reshape(-1)]}

def read(kind, path):
    out = {}
    if kind == 'npy':
        out['/'] = describe(np.load(path))
    elif kind == 'npz':
        with np.load(path) as z:
            for k in z.files:
                out[k] = describe(z[k])
    else:
        import h5py
        with h5py.File(path, 'r') as f:
            out['@'] = {k: enc(v) if np.ndim(v) == 0 else [enc(x) for x in np.asarray(v).reshape(-1)] for k, v in f.attrs.items()}
            def visit(name, obj):
                if isinstance(obj, h5py.Dataset):
                    data = obj.asstr()[()] if h5py.check_string_dtype(obj.dtype) else obj[()]
                    out[name] = describe(data)
                    out[name]['attrs'] = {k: enc(v) for k, v in obj.attrs.items()}
            f.visititems(visit)
    return out

args = sys.argv[1:]
print(json.dumps([read(args[i], args[i + 1]) for i in range(0, len(args), 2)]))
`;

interface PyArray {
  shape: number[];
  dtype: string;
  values: Encoded[];
  attrs?: Record<string, Encoded>;
}

const dir = mkdtempSync(join(tmpdir(), 'sciml-io-roundtrip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the files, reads them all in one Python run, returns one result per file. */
function readWithPython(files: { kind: 'npy' | 'npz' | 'h5'; bytes: Uint8Array; name: string }[]): Record<string, PyArray>[] {
  const args = files.flatMap(({ kind, bytes, name }) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return [kind, path];
  });
  const run = spawnSync(PYTHON, ['-c', READER, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, PyArray>[];
}

const arrays: Record<string, ArrayData> = {
  bool: { dtype: numericDType('b', 1), shape: [2, 2], data: Uint8Array.from([1, 0, 0, 1]) },
  int8: { dtype: numericDType('i', 1), shape: [3], data: Int8Array.from([-128, 0, 127]) },
  int64: { dtype: numericDType('i', 8), shape: [3], data: BigInt64Array.from([-(2n ** 63n), 2n ** 53n + 1n, 2n ** 63n - 1n]) },
  uint64: { dtype: numericDType('u', 8), shape: [2], data: BigUint64Array.from([0n, 2n ** 64n - 1n]) },
  uint32: { dtype: numericDType('u', 4), shape: [2], data: Uint32Array.from([0, 2 ** 32 - 1]) },
  float16: { dtype: numericDType('f', 2), shape: [3], data: Float32Array.from([65504, -0.5, 2 ** -24]) },
  float32: { dtype: numericDType('f', 4), shape: [2, 3], data: Float32Array.from([1.5, -0, NaN, Infinity, -Infinity, 1e-40]) },
  float64: { dtype: numericDType('f', 8), shape: [2, 1, 2], data: Float64Array.from([Math.PI, -1e-310, 1e308, -2]) },
  complex64: { dtype: numericDType('c', 8), shape: [2], data: Float32Array.from([1, -2, NaN, 0.5]) },
  complex128: { dtype: numericDType('c', 16), shape: [1, 2], data: Float64Array.from([1e300, -1e-300, 0, 1]) },
  unicode: { dtype: { kind: 'U', itemsize: 0, byteorder: '<' }, shape: [3], data: ['', 'héllo', '日本😀'] },
  bytes: { dtype: { kind: 'S', itemsize: 0, byteorder: '|' }, shape: [2], data: ['ab', '\xff\x00z'] },
  scalar: { dtype: numericDType('f', 8), shape: [], data: Float64Array.from([2.5]) },
  empty: { dtype: numericDType('i', 2), shape: [2, 0], data: new Int16Array(0) },
};

function expectSame(py: PyArray, array: ArrayData, key: string): void {
  expect(py.shape, key).toEqual(array.shape);
  expect(py.values, key).toEqual(encodeActual(array));
}

describe.skipIf(numpyMissing !== null)(`numpy reads what the app writes${numpyMissing ? ` (skipped: ${numpyMissing})` : ''}`, () => {
  it('.npy of every dtype, versions 1.0/2.0/3.0, C and Fortran order', () => {
    const cases = Object.keys(arrays).flatMap((key) =>
      (['1.0', '2.0', '3.0'] as const).flatMap((version) => [false, true].map((fortranOrder) => ({ key, version, fortranOrder }))),
    );
    const results = readWithPython(
      cases.map(({ key, version, fortranOrder }) => ({ kind: 'npy', bytes: writeNpy(arrays[key], { version, fortranOrder }), name: `${key}-${version}-${fortranOrder}.npy` })),
    );
    cases.forEach(({ key, version, fortranOrder }, i) => expectSame(results[i]['/'], arrays[key], `${key} v${version}${fortranOrder ? ' F' : ''}`));
  });

  for (const compression of ['stored', 'deflate'] as const) {
    for (const zip64 of ['auto', 'always'] as const) {
      it(`.npz, ${compression}, ZIP64 ${zip64}, nested names`, () => {
        const named = Object.fromEntries(Object.entries(arrays).map(([k, v]) => [k === 'int64' ? 'group/int64' : k, v]));
        const [py] = readWithPython([{ kind: 'npz', bytes: writeNpz(named, { compression, zip64 }), name: `all-${compression}-${zip64}.npz` }]);
        expect(Object.keys(py).sort()).toEqual(Object.keys(named).sort());
        for (const [key, array] of Object.entries(named)) expectSame(py[key], array, key);
      });
    }
  }
});

describe.skipIf(h5pyMissing !== null)(`h5py reads what the app writes${h5pyMissing ? ` (skipped: ${h5pyMissing})` : ''}`, () => {
  it('.h5 with groups, attributes and gzip', async () => {
    // Complex has no HDF5 writer here; variable-length strings cannot hold NUL.
    const { complex64: _c64, complex128: _c128, bytes: _bytes, ...rest } = arrays;
    const writable: Record<string, ArrayData> = { ...rest, bytes: { ...arrays.bytes, data: ['ab', '\xffz'] } };
    const named = Object.fromEntries(Object.entries(writable).map(([k, v]) => [k.startsWith('float') ? `floats/${k}` : k, v]));
    const bytes = await writeH5(named, { benchmark: 'em_denoise', epochs: 4, psnr: 31.25, seed: 2n ** 60n + 3n }, { gzipLevel: 5, datasetAttrs: { 'floats/float32': { units: 'counts' } } });
    const [py] = readWithPython([{ kind: 'h5', bytes, name: 'results.h5' }]);
    expect(py['@']).toEqual({ benchmark: 'em_denoise', epochs: 4, psnr: 31.25, seed: String(2n ** 60n + 3n) });
    expect(py['floats/float32'].attrs).toEqual({ units: 'counts' });
    for (const [key, array] of Object.entries(named)) {
      if (key === 'bool') {
        expect(py[key].values).toEqual([1, 0, 0, 1]); // stored as uint8
        continue;
      }
      expectSame(py[key], array, key);
    }
  });
});
