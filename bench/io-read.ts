/**
 * Read throughput of the array-file layer next to numpy / h5py:
 *   a stored .npz (np.savez) and a gzip-compressed chunked .h5 (h5py), 1 GB of float32 each.
 *
 *   npx tsx bench/io-read.ts [--mb 1024] [--keep]
 *
 * The files are written by Debian's /usr/bin/python3 (numpy, h5py) into a temporary folder,
 * then read whole by numpy/h5py and by this layer (whole, and in 64 MiB blocks as the
 * inspector streams them). MB/s counts uncompressed array bytes (1 MB = 10^6 bytes).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArrayPath } from '../src/lib/io/node-source.ts';
import { readBlocks } from '../src/lib/io/stats.ts';
import { datasets } from '../src/lib/io/tree.ts';

const PYTHON = '/usr/bin/python3';
const args = process.argv.slice(2);
const mbArg = args.indexOf('--mb');
const megabytes = mbArg >= 0 ? Number(args[mbArg + 1]) : 1024;
const keep = args.includes('--keep');

function python(code: string, ...argv: string[]): string {
  const run = spawnSync(PYTHON, ['-c', code, ...argv], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.error || run.status !== 0) throw new Error(`${PYTHON} failed: ${run.error?.message ?? run.stderr}`);
  return run.stdout.trim();
}

const GENERATE = String.raw`
import sys, numpy as np, h5py
npz, h5, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = n // 1024
# A smooth field plus noise, quantised: compressible like detector data, not trivially so.
rng = np.random.default_rng(0)
x = np.empty((rows, 1024), dtype=np.float32)
base = np.sin(np.arange(1024, dtype=np.float32) / 40)
for r in range(0, rows, 4096):
    k = min(4096, rows - r)
    x[r:r + k] = np.round((base + rng.normal(0, 0.05, (k, 1024)).astype(np.float32)) * 64) / 64
np.savez(npz, x=x)
with h5py.File(h5, 'w') as f:
    f.create_dataset('x', data=x, chunks=(256, 1024), compression='gzip', compression_opts=4)
`;

const TIME_READ = String.raw`
import sys, time, numpy as np, h5py
kind, path = sys.argv[1], sys.argv[2]
t = time.perf_counter()
if kind == 'npz':
    with np.load(path) as z:
        a = z['x']
else:
    with h5py.File(path, 'r') as f:
        a = f['x'][()]
print(time.perf_counter() - t, a.nbytes)
`;

interface Row {
  file: string;
  reader: string;
  seconds: number;
  bytes: number;
}

async function timeOurs(path: string, mode: 'whole' | 'blocks'): Promise<{ seconds: number; bytes: number }> {
  const t0 = performance.now();
  const file = await openArrayPath(path);
  let bytes = 0;
  for (const node of datasets(file)) {
    if (mode === 'whole') {
      const array = await node.read();
      bytes += (array.data as Float32Array).byteLength;
    } else {
      for await (const block of readBlocks(node, 64 * 2 ** 20)) bytes += (block.data as Float32Array).byteLength;
    }
  }
  await file.close();
  return { seconds: (performance.now() - t0) / 1000, bytes };
}

async function main(): Promise<void> {
  const probe = spawnSync(PYTHON, ['-c', 'import numpy, h5py'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    console.log(`skipped: ${PYTHON} with numpy and h5py is needed to write the test files`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sciml-io-bench-'));
  const npz = join(dir, 'stored.npz');
  const h5 = join(dir, 'gzip.h5');
  try {
    const elements = Math.floor((megabytes * 1e6) / 4 / 1024) * 1024;
    const t0 = performance.now();
    python(GENERATE, npz, h5, String(elements));
    console.log(`wrote ${(elements * 4) / 1e6} MB of float32 twice in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    console.log(`  ${npz}: ${(statSync(npz).size / 1e6).toFixed(0)} MB, ${h5}: ${(statSync(h5).size / 1e6).toFixed(0)} MB on disk`);
    // Start the HDF5 worker (tsx + h5wasm load) before timing anything.
    await (await openArrayPath(h5)).close();
    const rows: Row[] = [];
    for (const [label, path, kind] of [['stored .npz', npz, 'npz'], ['gzip .h5', h5, 'h5']] as const) {
      const [seconds, bytes] = python(TIME_READ, kind, path).split(' ').map(Number);
      rows.push({ file: label, reader: kind === 'npz' ? 'numpy np.load' : 'h5py dset[()]', seconds, bytes });
      for (const mode of ['whole', 'blocks'] as const) {
        const ours = await timeOurs(path, mode);
        rows.push({ file: label, reader: mode === 'whole' ? 'sciml read()' : 'sciml 64 MiB blocks', ...ours });
      }
    }
    const header = ['file', 'reader', 'MB', 's', 'MB/s'];
    const body = rows.map((r) => [r.file, r.reader, (r.bytes / 1e6).toFixed(0), r.seconds.toFixed(2), (r.bytes / 1e6 / r.seconds).toFixed(0)]);
    const widths = header.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)));
    for (const line of [header, ...body]) console.log(line.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  } finally {
    if (keep) console.log(`files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
