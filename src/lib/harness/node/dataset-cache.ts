/**
 * The CLI's dataset cache: each generated ArraySet in its own folder
 * `<root>/<benchmark>/<key>/`, one `<name>.npy` per array plus `dataset.json` (description,
 * shapes, creation time). numpy reads the files directly. A folder that fails to read back is
 * regenerated.
 */
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ArraySet, DatasetCache, NDArray, NumericArray } from '../contract';
import { numericDType, numpyDescr, type DType } from '../../io/dtype';
import { toNDArray } from '../../io/ndarray';
import { openNpy, writeNpy } from '../../io/npy';
import { fromBytes } from '../../io/source';

export const DEFAULT_DATASET_ROOT = join(homedir(), 'sciml_bench', 'datasets');
export const DATASET_META = 'dataset.json';

interface DatasetMeta {
  key: string;
  describe: string;
  created: string;
  arrays: Record<string, { file: string; dtype: string; shape: number[] }>;
}

/** The numpy dtype of a typed array (the cache writes native little-endian arrays). */
function dtypeOf(data: NumericArray): DType {
  if (data instanceof Float32Array) return numericDType('f', 4);
  if (data instanceof Float64Array) return numericDType('f', 8);
  if (data instanceof Int8Array) return numericDType('i', 1);
  if (data instanceof Int16Array) return numericDType('i', 2);
  if (data instanceof Int32Array) return numericDType('i', 4);
  if (data instanceof Uint8Array) return numericDType('u', 1);
  if (data instanceof Uint16Array) return numericDType('u', 2);
  return numericDType('u', 4);
}

async function readNpyFile(path: string): Promise<NDArray<NumericArray>> {
  const node = await openNpy(fromBytes(new Uint8Array(await readFile(path)), path), path, 'file');
  if (node.kind !== 'dataset') throw new Error(`${path}: not a numeric array`);
  return toNDArray(await node.read());
}

/** 32-bit FNV-1a, to keep folder names unique after sanitising. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** A file-system-safe folder name for a cache key (unchanged when already safe and short). */
export function keyFolder(key: string): string {
  const safe = key.replace(/[^A-Za-z0-9._=+-]/g, '_').replace(/^\.+/, '_');
  return safe === key && key.length <= 120 ? key : `${safe.slice(0, 110)}-${fnv1a(key)}`;
}

function safeArrayName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

export class NodeDatasetCache implements DatasetCache {
  /** `<root>/<benchmark>`. */
  readonly folder: string;

  constructor(benchmark: string, root = DEFAULT_DATASET_ROOT) {
    this.folder = join(root, benchmark);
  }

  async getOrCreate(key: string, describe: string, make: () => Promise<ArraySet>): Promise<ArraySet> {
    const dir = join(this.folder, keyFolder(key));
    const hit = await readDataset(dir).catch(() => undefined);
    if (hit) return hit;
    const made = await make();
    await writeDataset(dir, key, describe, made);
    return made;
  }
}

async function readDataset(dir: string): Promise<ArraySet> {
  const meta = JSON.parse(await readFile(join(dir, DATASET_META), 'utf8')) as DatasetMeta;
  const set: ArraySet = {};
  for (const [name, entry] of Object.entries(meta.arrays)) {
    const array = await readNpyFile(join(dir, entry.file));
    if (array.shape.join(',') !== entry.shape.join(',')) throw new Error(`${entry.file}: shape changed`);
    set[name] = array;
  }
  return set;
}

/** Writes into a temporary folder and renames it into place, so a crash never leaves half a dataset. */
async function writeDataset(dir: string, key: string, describe: string, set: ArraySet): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const meta: DatasetMeta = { key, describe, created: new Date().toISOString(), arrays: {} };
  for (const [name, array] of Object.entries(set)) {
    const file = `${safeArrayName(name)}.npy`;
    const dtype = dtypeOf(array.data);
    await writeFile(join(tmp, file), writeNpy({ dtype, shape: array.shape, data: array.data }));
    meta.arrays[name] = { file, dtype: numpyDescr(dtype), shape: array.shape };
  }
  await writeFile(join(tmp, DATASET_META), JSON.stringify(meta, null, 2) + '\n');
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

export interface CachedDataset {
  benchmark: string;
  key: string;
  describe: string;
  created: string;
  bytes: number;
  dir: string;
}

/** Every cached dataset under `root` (for `sciml-bench list datasets --verify`). */
export async function listCachedDatasets(root = DEFAULT_DATASET_ROOT): Promise<CachedDataset[]> {
  const found: CachedDataset[] = [];
  const benchmarks = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const b of benchmarks) {
    if (!b.isDirectory()) continue;
    const sets = await readdir(join(root, b.name), { withFileTypes: true });
    for (const s of sets) {
      const dir = join(root, b.name, s.name);
      try {
        const meta = JSON.parse(await readFile(join(dir, DATASET_META), 'utf8')) as DatasetMeta;
        let bytes = 0;
        for (const entry of Object.values(meta.arrays)) bytes += (await stat(join(dir, entry.file))).size;
        found.push({ benchmark: b.name, key: meta.key, describe: meta.describe, created: meta.created, bytes, dir });
      } catch {
        // Not a complete cached dataset (e.g. an interrupted write): not listed.
      }
    }
  }
  return found;
}
