/**
 * Local storage in IndexedDB (idb): notebooks, runs, model metadata and cached datasets.
 * Works in the main thread and in the compute worker. Model weights live in tfjs's own
 * `indexeddb://` store under the model's uuid; big arrays are stored as Blob chunks, never
 * as one huge value (Chromium caps a non-Blob value at ~127 MiB in some profiles).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ArraySet, NDArray, NumericArray } from '../harness/contract';
import type { Notebook } from '../notebook/model';

export const DB_NAME = 'sciml-notebook';
const DB_VERSION = 1;
/** Arrays are split into Blobs of at most this many bytes. */
export const CHUNK_BYTES = 32 * 1024 * 1024;

export interface ModelMeta {
  id: string;
  benchmark: string;
  created: string;
  runId: string;
  trainingParams: Record<string, unknown>;
  info: Record<string, unknown>;
  parameterCount?: number;
  /** Where tfjs keeps the weights, e.g. indexeddb://sciml-model-<uuid>. */
  url: string;
}

export interface DatasetArrayMeta {
  name: string;
  dtype: string;
  shape: number[];
  chunks: number;
  bytes: number;
}

export interface DatasetMeta {
  key: string;
  benchmark: string;
  describe: string;
  created: string;
  bytes: number;
  arrays: DatasetArrayMeta[];
}

/** A stored run: the harness's RunRecord, kept opaque here. */
export interface StoredRun {
  id: string;
  benchmark: string;
  mode: string;
  started: string;
  [key: string]: unknown;
}

interface Schema extends DBSchema {
  notebooks: { key: string; value: Notebook };
  runs: { key: string; value: StoredRun; indexes: { byBenchmark: string } };
  models: { key: string; value: ModelMeta; indexes: { byBenchmark: string } };
  datasets: { key: string; value: DatasetMeta };
  datasetChunks: { key: [string, string, number]; value: Blob };
}

export class StorageError extends Error {
  override name = 'StorageError';
}

/** Turns IndexedDB failures into messages a scientist can act on. */
export function explainStorageError(e: unknown, what: string): StorageError {
  const err = e as DOMException;
  if (err?.name === 'QuotaExceededError') {
    return new StorageError(
      `Storage is full while saving ${what}. Nothing already stored was changed. ` +
        'Free space in the Storage panel (delete old datasets or models) and try again.',
    );
  }
  if (err?.name === 'NotReadableError') {
    return new StorageError(`The stored data for ${what} is missing on disk (removed by a cleaning tool?). Delete it and create it again.`);
  }
  return new StorageError(`Could not save ${what}: ${err?.message ?? String(e)}`);
}

let dbPromise: Promise<IDBPDatabase<Schema>> | undefined;

export function db(): Promise<IDBPDatabase<Schema>> {
  dbPromise ??= openDB<Schema>(DB_NAME, DB_VERSION, {
    upgrade(database) {
      database.createObjectStore('notebooks', { keyPath: 'id' });
      database.createObjectStore('runs', { keyPath: 'id' }).createIndex('byBenchmark', 'benchmark');
      database.createObjectStore('models', { keyPath: 'id' }).createIndex('byBenchmark', 'benchmark');
      database.createObjectStore('datasets', { keyPath: 'key' });
      database.createObjectStore('datasetChunks');
    },
    // Another tab (or a new app version) wants to upgrade: let it.
    blocking() {
      void dbPromise?.then((d) => d.close());
      dbPromise = undefined;
    },
  });
  return dbPromise;
}

async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw explainStorageError(e, what);
  }
}

// --- notebooks -------------------------------------------------------------------------------

export async function saveNotebook(nb: Notebook): Promise<void> {
  await guarded(`notebook "${nb.title}"`, async () => void (await db()).put('notebooks', nb));
}
export async function listNotebooks(): Promise<Notebook[]> {
  return (await db()).getAll('notebooks');
}
export async function getNotebook(id: string): Promise<Notebook | undefined> {
  return (await db()).get('notebooks', id);
}
export async function deleteNotebook(id: string): Promise<void> {
  await (await db()).delete('notebooks', id);
}

// --- runs ------------------------------------------------------------------------------------

export async function saveRun(run: StoredRun): Promise<void> {
  await guarded(`run ${run.id}`, async () => void (await db()).put('runs', run));
}
export async function listRuns(): Promise<StoredRun[]> {
  const runs = await (await db()).getAll('runs');
  return runs.sort((a, b) => b.started.localeCompare(a.started));
}
export async function getRun(id: string): Promise<StoredRun | undefined> {
  return (await db()).get('runs', id);
}
export async function deleteRun(id: string): Promise<void> {
  await (await db()).delete('runs', id);
}

// --- models ----------------------------------------------------------------------------------

export async function saveModelMeta(meta: ModelMeta): Promise<void> {
  await guarded(`model ${meta.id}`, async () => void (await db()).put('models', meta));
}
export async function listModels(): Promise<ModelMeta[]> {
  const models = await (await db()).getAll('models');
  return models.sort((a, b) => b.created.localeCompare(a.created));
}
export async function getModelMeta(id: string): Promise<ModelMeta | undefined> {
  return (await db()).get('models', id);
}
export async function deleteModelMeta(id: string): Promise<void> {
  await (await db()).delete('models', id);
}

// --- datasets (Blob chunks) ------------------------------------------------------------------

const DTYPES: Record<string, new (b: ArrayBuffer) => NumericArray> = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
};

function dtypeOf(a: NumericArray): string {
  const entry = Object.entries(DTYPES).find(([, ctor]) => a instanceof ctor);
  if (!entry) throw new StorageError(`unsupported array type ${a.constructor.name}`);
  return entry[0];
}

export async function saveDataset(key: string, benchmark: string, describe: string, set: ArraySet): Promise<DatasetMeta> {
  // Prepare every Blob before the transaction: no foreign awaits may happen inside it.
  const arrays: DatasetArrayMeta[] = [];
  const chunks: { key: [string, string, number]; blob: Blob }[] = [];
  let total = 0;
  for (const [name, arr] of Object.entries(set)) {
    const bytes = new Uint8Array(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength);
    const n = Math.max(1, Math.ceil(bytes.byteLength / CHUNK_BYTES));
    for (let i = 0; i < n; i++) {
      chunks.push({ key: [key, name, i], blob: new Blob([bytes.slice(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES)]) });
    }
    arrays.push({ name, dtype: dtypeOf(arr.data), shape: arr.shape, chunks: n, bytes: bytes.byteLength });
    total += bytes.byteLength;
  }
  const meta: DatasetMeta = { key, benchmark, describe, created: new Date().toISOString(), bytes: total, arrays };
  await guarded(`dataset "${describe}"`, async () => {
    const tx = (await db()).transaction(['datasets', 'datasetChunks'], 'readwrite');
    // One transaction: on QuotaExceededError the whole dataset is rolled back, nothing half-written.
    await Promise.all([
      ...chunks.map((c) => tx.objectStore('datasetChunks').put(c.blob, c.key)),
      tx.objectStore('datasets').put(meta),
      tx.done,
    ]);
  });
  return meta;
}

export async function loadDataset(key: string): Promise<ArraySet | undefined> {
  const database = await db();
  const meta = await database.get('datasets', key);
  if (!meta) return undefined;
  const set: ArraySet = {};
  for (const a of meta.arrays) {
    const blobs: Blob[] = [];
    for (let i = 0; i < a.chunks; i++) {
      const blob = await database.get('datasetChunks', [key, a.name, i]);
      if (!blob) throw new StorageError(`dataset "${meta.describe}" is incomplete (array ${a.name}, chunk ${i}); delete it and generate again`);
      blobs.push(blob);
    }
    const buffer = await new Blob(blobs).arrayBuffer();
    const ctor = DTYPES[a.dtype];
    const array: NDArray<NumericArray> = { data: new ctor(buffer), shape: a.shape };
    set[a.name] = array;
  }
  return set;
}

export async function listDatasets(): Promise<DatasetMeta[]> {
  return (await db()).getAll('datasets');
}

export async function deleteDataset(key: string): Promise<void> {
  const tx = (await db()).transaction(['datasets', 'datasetChunks'], 'readwrite');
  await Promise.all([
    tx.objectStore('datasets').delete(key),
    tx.objectStore('datasetChunks').delete(IDBKeyRange.bound([key, '', 0], [key, '\uffff', Infinity])),
    tx.done,
  ]);
}

// --- quota -----------------------------------------------------------------------------------

export interface StorageEstimate {
  usage: number;
  quota: number;
  persisted: boolean;
}

export async function estimateStorage(): Promise<StorageEstimate> {
  const est = await navigator.storage.estimate();
  const persisted = (await navigator.storage.persisted?.()) ?? false;
  return { usage: est.usage ?? 0, quota: est.quota ?? 0, persisted };
}

export async function requestPersistence(): Promise<boolean> {
  return (await navigator.storage.persist?.()) ?? false;
}
