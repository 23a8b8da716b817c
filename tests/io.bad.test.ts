/**
 * Bad input: every broken file ends in a one-line ArrayFileError naming the file and the
 * problem, never a hang, a crash or an uncaught exception. Ends with a fuzz test over mutated
 * valid files.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ArrayFileError, FormatError } from '../src/lib/io/errors.ts';
import { inspectReport } from '../src/lib/io/inspect.ts';
import { elementCount } from '../src/lib/io/ndarray.ts';
import { openArrayPath } from '../src/lib/io/node-source.ts';
import { writeNpy } from '../src/lib/io/npy.ts';
import { openArrayFile } from '../src/lib/io/open.ts';
import { fromBytes } from '../src/lib/io/source.ts';
import { datasets, type ArrayFile } from '../src/lib/io/tree.ts';
import { concatBytes, encodeZip } from '../src/lib/io/zip.ts';
import { numericDType } from '../src/lib/io/dtype.ts';
import { fixture, fixtureBytes, rng } from './fixtures/io-manifest.ts';

/** Opens `bytes` and reads every dataset (big ones only partly); resolves to the error or null. */
async function openAndReadAll(bytes: Uint8Array, name: string): Promise<ArrayFileError | null> {
  let file: ArrayFile | undefined;
  try {
    // HDF5 can loop forever on a corrupt file: the worker is stopped after this long.
    file = await openArrayFile(fromBytes(bytes, name), { hdf5: { timeoutMs: 2000 } });
    for (const node of datasets(file)) {
      const bytesNeeded = elementCount(node.shape) * Math.max(1, node.dtype.itemsize);
      await node.read(bytesNeeded > 64 * 2 ** 20 ? [[0, 1]] : undefined);
    }
    return null;
  } catch (error) {
    if (!(error instanceof ArrayFileError)) throw error;
    return error;
  } finally {
    await file?.close().catch(() => undefined);
  }
}

function expectOneLine(error: ArrayFileError | null, name: string, problem: RegExp): void {
  expect(error, `${name} should fail`).toBeInstanceOf(ArrayFileError);
  expect(error?.message.startsWith(`${name}: `)).toBe(true);
  expect(error?.message).not.toContain('\n');
  expect(error?.problem).toMatch(problem);
}

describe('bad input gives one-line errors naming the file', () => {
  it('empty file', async () => {
    expectOneLine(await openAndReadAll(new Uint8Array(0), 'empty.npy'), 'empty.npy', /^the file is empty$/);
  });

  it('random bytes and wrong magic', async () => {
    const next = rng(1);
    const random = Uint8Array.from({ length: 4096 }, () => Math.floor(next() * 256));
    random[0] = 0x42; // not by chance a valid magic
    expectOneLine(await openAndReadAll(random, 'noise.npz'), 'noise.npz', /^not a \.npy, \.npz or HDF5 file \(it starts with bytes 42 /);
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expectOneLine(await openAndReadAll(png, 'image.h5'), 'image.h5', /starts with bytes 89 50 4e 47 0d 0a 1a 0a/);
    expectOneLine(await openAndReadAll(new TextEncoder().encode('a,b\n1,2\n'), 'table.npy'), 'table.npy', /not a \.npy, \.npz or HDF5 file/);
  });

  it('a missing file', async () => {
    await expect(openArrayPath(fixture('nope.npz'))).rejects.toThrow(/^nope\.npz: no such file$/);
  });

  it.each([
    ['npy/float64.npy', /truncated/],
    ['npy/unicode.npy', /truncated/],
    ['npz/stored.npz', /truncated|corrupt zip/],
    ['npz/deflated.npz', /truncated|corrupt zip/],
    ['npz/objects-p3.npz', /truncated|corrupt zip/],
    ['h5/scan.nxs', /HDF5/],
  ])('truncated %s, at ten lengths', async (rel, problem) => {
    const bytes = fixtureBytes(rel);
    const name = rel.split('/')[1];
    for (let k = 1; k <= 10; k++) {
      const cut = Math.floor((bytes.length * k) / 11);
      expectOneLine(await openAndReadAll(bytes.subarray(0, cut), name), name, problem);
    }
  });

  it.each([
    ['bad/datetime.npy', /^unsupported dtype <M8\[D\] \(datetime64\)$/],
    ['bad/structured.npy', /^unsupported dtype: structured arrays/],
    ['bad/void.npy', /^unsupported dtype \|V4 \(void\/structured\)$/],
    ['bad/foreign-pickle.npz', /^refused pickle global fractions\.Fraction/],
    ['bad/evil-pickle.npz', /^refused pickle global os\.system/],
    ['bad/bzip2-member.npz', /^member "x\.npy" uses bzip2 compression; only stored and deflate are supported$/],
    ['bad/corrupt-chunk.h5', /^\/fletcher32: HDF5: filter returned failure during read/],
  ])('%s', async (rel, problem) => {
    const name = rel.split('/')[1];
    expectOneLine(await openAndReadAll(fixtureBytes(rel), name), name, problem);
  });

  it('a file on which the HDF5 library loops forever: stopped after the time limit, the next file opens', async () => {
    const t0 = performance.now();
    const error = await openAndReadAll(fixtureBytes('bad/hdf5-loop.nxs'), 'hdf5-loop.nxs');
    expectOneLine(error, 'hdf5-loop.nxs', /^HDF5 did not finish opening the file within 2 s; the file is probably corrupt$/);
    expect(performance.now() - t0).toBeLessThan(6000);
    expect(await openAndReadAll(fixtureBytes('h5/scan.nxs'), 'scan.nxs')).toBeNull();
  });

  it('inspect fails with one line for a file with an unreadable array', async () => {
    await expect(inspectReport(fixture('bad/corrupt-chunk.h5'))).rejects.toThrow(
      /^corrupt-chunk\.h5: \/fletcher32: HDF5: filter returned failure during read \(read failed\) \(and 1 more unreadable array\)$/,
    );
  });

  it('an .npz with one unsupported member opens the rest, with a warning', async () => {
    const good = writeNpy({ dtype: numericDType('f', 4), shape: [2], data: Float32Array.from([1, 2]) });
    const bytes = concatBytes(encodeZip([{ name: 'when.npy', data: fixtureBytes('bad/datetime.npy') }, { name: 'x.npy', data: good }, { name: 'notes.txt', data: new Uint8Array(3) }]));
    const file = await openArrayFile(fromBytes(bytes, 'mixed.npz'));
    expect(datasets(file).map((d) => d.path)).toEqual(['/x']);
    expect(file.warnings).toEqual([
      'skipped member "when.npy": unsupported dtype <M8[D] (datetime64)',
      'skipped member "notes.txt": not an .npy array',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzzing

type Mutation = (bytes: Uint8Array, next: () => number) => Uint8Array;

const pick = (next: () => number, n: number) => Math.floor(next() * n);

const mutations: Record<string, Mutation> = {
  bitFlips(bytes, next) {
    const out = bytes.slice();
    for (let k = 1 + pick(next, 8); k > 0; k--) out[pick(next, out.length)] ^= 1 << pick(next, 8);
    return out;
  },
  truncate(bytes, next) {
    return bytes.slice(0, pick(next, bytes.length));
  },
  swapBytes(bytes, next) {
    const out = bytes.slice();
    for (let k = 1 + pick(next, 4); k > 0; k--) {
      const i = pick(next, out.length);
      const j = pick(next, out.length);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  },
  swapBlocks(bytes, next) {
    const out = bytes.slice();
    const len = 1 + pick(next, 64);
    const i = pick(next, Math.max(1, out.length - len));
    const j = pick(next, Math.max(1, out.length - len));
    const a = out.slice(i, i + len);
    out.copyWithin(i, j, j + len);
    out.set(a.subarray(0, Math.max(0, Math.min(len, out.length - j))), j);
    return out;
  },
  randomRun(bytes, next) {
    const out = bytes.slice();
    const len = 1 + pick(next, 16);
    const i = pick(next, out.length);
    for (let k = i; k < Math.min(out.length, i + len); k++) out[k] = pick(next, 256);
    return out;
  },
};

/** Which exceptions under an ArrayFileError count as clear errors, and which would be bugs. */
function classify(error: ArrayFileError): 'clear' | 'bug' {
  const cause = error.cause;
  if (cause instanceof FormatError) return 'clear';
  if (cause instanceof RangeError && !/call stack/i.test(cause.message)) return 'clear'; // absurd sizes
  if (cause instanceof TypeError || cause instanceof ReferenceError || cause instanceof SyntaxError || cause instanceof RangeError) return 'bug';
  return 'clear'; // h5wasm's own checks throw plain Errors / strings with a message
}

async function fuzz(files: string[], cases: number, seed: number, perCaseMs: number): Promise<{ data: number; errors: number; slowest: number }> {
  const next = rng(seed);
  const sources = files.map((rel) => ({ rel, bytes: new Uint8Array(readFileSync(fixture(rel))) }));
  const names = Object.keys(mutations);
  const bugs: string[] = [];
  let data = 0;
  let errors = 0;
  let slowest = 0;
  for (let c = 0; c < cases; c++) {
    const { rel, bytes } = sources[c % sources.length];
    const kind = names[pick(next, names.length)];
    const mutated = mutations[kind](bytes, next);
    const name = `case${c}-${kind}-${rel.replace(/\//g, '_')}`;
    const t0 = performance.now();
    const error = await openAndReadAll(mutated, name);
    const ms = performance.now() - t0;
    slowest = Math.max(slowest, ms);
    if (ms > perCaseMs) bugs.push(`${name}: took ${ms.toFixed(0)} ms`);
    if (error === null) data++;
    else {
      errors++;
      if (!error.message.startsWith(`${name}: `) || error.message.includes('\n')) bugs.push(`${name}: malformed message ${JSON.stringify(error.message)}`);
      if (classify(error) === 'bug') bugs.push(`${name}: ${String(error.cause)}`);
    }
  }
  expect(bugs).toEqual([]);
  return { data, errors, slowest };
}

describe('fuzz: mutated valid files end in data or a clear error, quickly', () => {
  it('3000 mutated .npy and .npz files', async () => {
    const files = [
      'npy/float64.npy',
      'npy/unicode-be.npy',
      'npy/fortran-c16-be.npy',
      'npy/version-2.0.npy',
      'npy/object-dict.npy',
      'npz/stored.npz',
      'npz/deflated.npz',
      'npz/objects-p2.npz',
      'npz/objects-p4-numpy2.npz',
      'npz/objects-p5.npz',
      'npz/zip64-local-sizes.npz',
    ];
    const result = await fuzz(files, 3000, 20261123, 2000);
    // Both outcomes occur: some mutations hit only array values, most break structure.
    expect(result.data).toBeGreaterThan(100);
    expect(result.errors).toBeGreaterThan(1000);
  });

  it('600 mutated HDF5 files', async () => {
    const result = await fuzz(['h5/scan.nxs', 'h5/pytables-filters.h5', 'h5/types.h5'], 600, 7, 5000);
    expect(result.errors).toBeGreaterThan(50);
  });
});
