/**
 * The compute worker: owns tfjs and the GPU device, the benchmark modules, the dataset cache and
 * model storage. The whole GPU pipeline of a run (load → preprocess → train → evaluate) stays here;
 * the main thread receives plain records and typed arrays (transferred, not copied) for plots.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { deviceLost, initBackend, type BackendInfo } from '../src/lib/engine/backend';
import type {
  Artifacts,
  ArraySet,
  DatasetCache,
  EpochLogs,
  Mode,
  ParamSpecs,
  ParamValue,
  ProgressReport,
  RunContext,
  TrainedModel,
} from '../src/lib/harness/contract';
import { runBenchmark, type RunRecord } from '../src/lib/harness/runner';
import { resolveParams } from '../src/lib/harness/params';
import { benchmarks, getBenchmark } from '../src/benchmarks/registry';
import {
  deleteModelMeta,
  getModelMeta,
  getRun,
  loadDataset,
  saveDataset,
  saveModelMeta,
  saveRun,
  type StoredRun,
} from '../src/lib/storage/db';
import { exportBundle, importBundle } from '../src/lib/harness/bundle';
import { loadModel, saveModel } from '../src/lib/harness/model-io';
import type { ApplyResult } from '../src/lib/harness/contract';
import { webPoolWorker, WorkerTaskPool } from '../src/lib/harness/task-pool';
import { transferables } from '../src/lib/harness/transfer';
import { fromBlob } from '../src/lib/io/source';
import { datasets, findNode, walk, type ArrayFile, type DatasetNode, type TreeNode } from '../src/lib/io/tree';
import { dtypeName } from '../src/lib/io/dtype';
import { openArrayFile } from '../src/lib/io/open';
import { writeNpy } from '../src/lib/io/npy';
import { writeNpz } from '../src/lib/io/npz';
import { writeH5 } from '../src/lib/io/hdf5-write';
import { checkWebGpuKernels, type KernelCheck } from '../src/lib/engine/kernels/check';
import { fromNd, isNumericValues, plainText, summarise, toCsv, toFloat32 } from '../src/lib/compute/arrays';

export interface BenchmarkSummary {
  id: string;
  title: string;
  description: string;
  group: string;
  modes: readonly Mode[];
  params: ParamSpecs;
  canApply: boolean;
}

export interface RunRequest {
  benchmark: string;
  mode: Mode;
  params: Record<string, ParamValue>;
  seed: number;
  /** The trained model to evaluate (inference). */
  modelId?: string;
}

export type RunEvent =
  | { type: 'progress'; report: ProgressReport }
  | { type: 'line'; line: string }
  | { type: 'epoch'; epoch: number; logs: EpochLogs };

export interface RunResult {
  record: RunRecord;
  artifacts?: Artifacts;
}

export interface ModelSummary {
  parameterCount: number;
  trainableCount: number;
  /** float32 weights; training with Adam holds about 4× this (weights, gradients, two moments). */
  weightBytes: number;
  layers: { name: string; type: string; outputShape: string; params: number }[];
}

export interface ApplyRequest {
  benchmark: string;
  modelId: string;
  params: Record<string, ParamValue>;
  name: string;
  arrays: ArraySet;
}

export interface NodeSummary {
  path: string;
  name: string;
  depth: number;
  kind: TreeNode['kind'];
  shape?: number[];
  dtype?: string;
  storage?: string;
  attrs: Record<string, string>;
  /** A short text rendering of a plain value (pickled metadata, a link target). */
  value?: string;
}

export interface FileSummary {
  id: string;
  name: string;
  size: number;
  format: string;
  warnings: string[];
  nodes: NodeSummary[];
}

export interface ArraySlice {
  path: string;
  dtype: string;
  /** Shape of the whole array. */
  shape: number[];
  /** Shape of `data` (the selected 1-D line or 2-D image). */
  sliceShape: number[];
  data: Float32Array;
  stats: { min: number; max: number; mean: number; nanCount: number };
}

const MODEL_URL_PREFIX = 'indexeddb://sciml-model-';

let backendInfo: BackendInfo | undefined;
const openFiles = new Map<string, ArrayFile>();
let current: AbortController | undefined;
let pool: WorkerTaskPool | undefined;

/**
 * The task pool for runs: nested module workers, leaving one core to this worker (tfjs). Its
 * workers start on a run's first task and end with this worker (terminating a worker closes the
 * workers it started).
 */
function taskPool(): WorkerTaskPool {
  pool ??= new WorkerTaskPool(Math.max(1, Math.min((navigator.hardwareConcurrency || 2) - 1, 8)), (events) =>
    webPoolWorker(new Worker(new URL('./task.worker.ts', import.meta.url), { type: 'module', name: 'task' }), events),
  );
  return pool;
}

/** Generated datasets cached in IndexedDB as Blob chunks. */
function idbDatasets(benchmark: string): DatasetCache {
  return {
    async getOrCreate(key, describe, make) {
      const fullKey = `${benchmark}/${key}`;
      try {
        const hit = await loadDataset(fullKey);
        if (hit) return hit;
      } catch {
        // An unreadable cached copy is regenerated below.
      }
      const made = await make();
      try {
        await saveDataset(fullKey, benchmark, describe, made);
      } catch (e) {
        // The run goes on with the data in memory; the user learns why it was not cached.
        console.warn((e as Error).message);
      }
      return made;
    },
  };
}

async function loadTrained(modelId: string): Promise<TrainedModel> {
  const meta = await getModelMeta(modelId);
  if (!meta) throw new Error(`model ${modelId} is not stored in this browser (train it again or import its bundle)`);
  const model = await tf.loadLayersModel(meta.url);
  return {
    model,
    id: meta.id,
    benchmark: meta.benchmark,
    trainingParams: meta.trainingParams as Record<string, ParamValue>,
    info: meta.info,
  };
}

async function storeTrained(trained: TrainedModel, runId: string): Promise<void> {
  const url = MODEL_URL_PREFIX + trained.id;
  await trained.model.save(url);
  await saveModelMeta({
    id: trained.id,
    benchmark: trained.benchmark,
    created: new Date().toISOString(),
    runId,
    trainingParams: trained.trainingParams,
    info: trained.info,
    parameterCount: trained.model.countParams(),
    url,
  });
}

/** A context for work outside a recorded run (previews, applying a model to files). */
function quietContext(benchmarkId: string, signal: AbortSignal, progress: (r: ProgressReport) => void): RunContext {
  return {
    tf,
    backend: tf.getBackend(),
    seed: 0,
    signal,
    datasets: idbDatasets(benchmarkId),
    limits: backendInfo?.adapter,
    pool: taskPool(),
    log: { begin: () => {}, end: () => 0, message: () => {} },
    event: () => {},
    progress,
    epoch: () => {},
  };
}

const api = {
  async init(requested: string | undefined, userAgent: string, onDeviceLost?: (message: string) => void): Promise<BackendInfo> {
    backendInfo = await initBackend(requested, userAgent);
    const lost = deviceLost();
    if (lost && onDeviceLost) void lost.then((message) => onDeviceLost(message));
    return backendInfo;
  },

  catalog(): BenchmarkSummary[] {
    return benchmarks.map((b) => ({
      id: b.id,
      title: b.title,
      description: b.description,
      group: b.group,
      modes: b.modes,
      params: b.params,
      canApply: Boolean(b.apply),
    }));
  },

  async preview(benchmarkId: string, overrides: Record<string, ParamValue>): Promise<Artifacts> {
    const benchmark = getBenchmark(benchmarkId);
    if (!benchmark.preview) return {};
    const params = resolveParams(benchmark.params, overrides, 'training').values;
    const artifacts = await benchmark.preview(quietContext(benchmark.id, new AbortController().signal, () => {}), params);
    return Comlink.transfer(artifacts, [...transferables(artifacts)]);
  },

  describeModel(benchmarkId: string, overrides: Record<string, ParamValue>): ModelSummary | undefined {
    const benchmark = getBenchmark(benchmarkId);
    if (!benchmark.buildModel) return undefined;
    const params = resolveParams(benchmark.params, overrides, 'training').values;
    const model = benchmark.buildModel(tf, params);
    try {
      const trainableCount = model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
      const parameterCount = model.countParams();
      return {
        parameterCount,
        trainableCount,
        weightBytes: parameterCount * 4,
        layers: model.layers.map((l) => ({
          name: l.name,
          type: l.getClassName(),
          outputShape: JSON.stringify(l.outputShape).replace(/null/g, 'N'),
          params: l.countParams(),
        })),
      };
    } finally {
      model.dispose();
    }
  },

  /** Runs a benchmark in one mode; the record and any trained model are stored before returning. */
  async run(request: RunRequest, onEvent: (e: RunEvent) => void): Promise<RunResult> {
    if (current) throw new Error('another run is in progress in this worker; stop it first');
    const controller = new AbortController();
    current = controller;
    const benchmark = getBenchmark(request.benchmark);
    try {
      const outcome = await runBenchmark({
        benchmark,
        mode: request.mode,
        overrides: request.params,
        seed: request.seed,
        tf,
        backend: tf.getBackend(),
        datasets: idbDatasets(benchmark.id),
        signal: controller.signal,
        model: request.modelId ? () => loadTrained(request.modelId!) : undefined,
        limits: backendInfo?.adapter,
        pool: taskPool(),
        environment: {
          runtime: 'browser',
          userAgent: navigator.userAgent,
          task_workers: String(taskPool().size),
          adapter: backendInfo?.adapter ? `${backendInfo.adapter.vendor} ${backendInfo.adapter.architecture}` : 'none',
        },
        onLine: (line) => onEvent({ type: 'line', line }),
        onProgress: (report) => onEvent({ type: 'progress', report }),
        onEpoch: (epoch, logs) => onEvent({ type: 'epoch', epoch, logs }),
      });
      if (outcome.trained && outcome.record.status !== 'error') await storeTrained(outcome.trained, outcome.record.id);
      outcome.trained?.model.dispose();
      await saveRun(outcome.record as unknown as StoredRun);
      const result: RunResult = { record: outcome.record, artifacts: outcome.artifacts };
      return Comlink.transfer(result, [...transferables(outcome.artifacts)]);
    } finally {
      current = undefined;
    }
  },

  /** Asks the run in progress to stop at its next step. */
  stop(): void {
    current?.abort();
  },

  async apply(request: ApplyRequest, onEvent: (e: RunEvent) => void) {
    const benchmark = getBenchmark(request.benchmark);
    if (!benchmark.apply) throw new Error(`${benchmark.title} cannot be applied to files`);
    const controller = new AbortController();
    current = controller;
    const trained = await loadTrained(request.modelId);
    try {
      const params = resolveParams(benchmark.params, request.params, 'inference').values;
      const result = await benchmark.apply(
        quietContext(benchmark.id, controller.signal, (report) => onEvent({ type: 'progress', report })),
        params,
        trained,
        { name: request.name, arrays: request.arrays },
      );
      return Comlink.transfer(result, [...transferables(result)]);
    } finally {
      trained.model.dispose();
      current = undefined;
    }
  },

  /** A run bundle (.zip laid out like SciML-Bench output) with the model files when stored. */
  async exportRunBundle(runId: string): Promise<Uint8Array> {
    const run = (await getRun(runId)) as unknown as RunRecord | undefined;
    if (!run) throw new Error(`run ${runId} is not stored`);
    let model;
    if (run.modelId && run.mode === 'training') {
      try {
        const trained = await loadTrained(run.modelId);
        model = await saveModel(tf, trained);
        trained.model.dispose();
      } catch {
        model = undefined; // the run's model was deleted: export the records alone
      }
    }
    const bytes = exportBundle(run, model);
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },

  /** Imports a bundle: its run record, and its model if it has one. */
  async importRunBundle(bytes: Uint8Array): Promise<RunRecord> {
    const { record, model } = importBundle(bytes);
    if (model) {
      const trained = await loadModel(tf, model);
      await storeTrained(trained, record.id);
      trained.model.dispose();
    }
    await saveRun(record as unknown as StoredRun);
    return record;
  },

  async deleteModel(modelId: string): Promise<void> {
    const meta = await getModelMeta(modelId);
    if (meta) await tf.io.removeModel(meta.url).catch(() => undefined);
    await deleteModelMeta(modelId);
  },

  /** Opens a dropped file (format from its magic bytes) and lists what is inside. */
  async openFile(file: File): Promise<FileSummary> {
    const opened = await openArrayFile(fromBlob(file, file.name));
    const id = crypto.randomUUID();
    openFiles.set(id, opened);
    const nodes: NodeSummary[] = [];
    for (const node of walk(opened.root)) {
      nodes.push({
        path: node.path,
        name: node.name || file.name,
        depth: node.path === '/' ? 0 : node.path.split('/').length - 1,
        kind: node.kind,
        shape: node.kind === 'dataset' ? node.shape : undefined,
        dtype: node.kind === 'dataset' ? dtypeName(node.dtype) : undefined,
        storage: node.kind === 'dataset' ? node.storage : undefined,
        attrs: Object.fromEntries(Object.entries(node.attrs).map(([k, v]) => [k, plainText(v)])),
        value: node.kind === 'value' ? plainText(node.value) : node.kind === 'link' ? `→ ${node.file ? node.file + ':' : ''}${node.target}` : undefined,
      });
    }
    return { id, name: opened.name, size: opened.size, format: opened.format, warnings: opened.warnings, nodes };
  },

  async closeFile(id: string): Promise<void> {
    await openFiles.get(id)?.close();
    openFiles.delete(id);
  },

  /**
   * Reads what the inspector shows: a 1-D array whole, or one 2-D image of an N-D array (the last
   * two axes, at `index` along the others) — only that hyperslab is read from disk.
   */
  async readSlice(fileId: string, path: string, index: number[] = []): Promise<ArraySlice> {
    const node = datasetAt(fileId, path);
    const lead = node.shape.length > 2 ? node.shape.length - 2 : 0;
    const selection = node.shape.map((_, axis) => (axis < lead ? ([index[axis] ?? 0, (index[axis] ?? 0) + 1, 1] as const) : null));
    const array = await node.read(node.shape.length > 2 ? selection : undefined);
    const data = toFloat32(array);
    const result: ArraySlice = {
      path,
      dtype: dtypeName(node.dtype),
      shape: node.shape,
      sliceShape: node.shape.length >= 2 ? node.shape.slice(-2) : [data.length],
      data,
      stats: summarise(data),
    };
    return Comlink.transfer(result, [data.buffer]);
  },

  /** Exports one array as .npy (its own dtype) or CSV (2-D at most, one row per line). */
  async exportArray(fileId: string, path: string, format: 'npy' | 'csv'): Promise<Uint8Array> {
    const node = datasetAt(fileId, path);
    const array = await node.read();
    const bytes = format === 'npy' ? writeNpy(array) : new TextEncoder().encode(toCsv(array));
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },

  /** Applies a trained model to every array of an opened file. */
  async applyToFile(
    request: { benchmark: string; modelId: string; params: Record<string, ParamValue>; fileId: string },
    onEvent: (e: RunEvent) => void,
  ): Promise<ApplyResult> {
    const opened = openFiles.get(request.fileId);
    if (!opened) throw new Error('the file is no longer open; drop it again');
    const arrays: ArraySet = {};
    for (const node of datasets(opened)) {
      const array = await node.read();
      if (!isNumericValues(array.data)) continue;
      const key = node.path.replace(/^\//, '');
      arrays[key] = { data: toFloat32(array), shape: array.shape };
    }
    if (!Object.keys(arrays).length) throw new Error(`${opened.name}: no numeric arrays to apply the model to`);
    return api.apply({ benchmark: request.benchmark, modelId: request.modelId, params: request.params, name: opened.name, arrays }, onEvent);
  },

  /** Encodes result arrays for download: one .npy, an .npz of several, or an .h5 file. */
  async encodeArrays(arrays: ArraySet, format: 'npy' | 'npz' | 'h5', attrs: Record<string, string> = {}): Promise<Uint8Array> {
    const entries = Object.entries(arrays);
    let bytes: Uint8Array;
    if (format === 'npy') {
      if (entries.length !== 1) throw new Error('.npy holds one array; choose .npz or .h5 for several');
      bytes = writeNpy(fromNd(entries[0][1]));
    } else if (format === 'npz') {
      bytes = writeNpz(Object.fromEntries(entries.map(([k, v]) => [k, fromNd(v)])));
    } else {
      bytes = await writeH5(Object.fromEntries(entries.map(([k, v]) => [k, fromNd(v)])), attrs);
    }
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },

  /** Checks this project's WebGPU kernels against the cpu backend on the user's own GPU. */
  async checkKernels(): Promise<KernelCheck[]> {
    if (current) throw new Error('a run is in progress; check the kernels when it ends');
    if (tf.getBackend() !== 'webgpu') throw new Error(`the kernel check needs WebGPU; the backend is ${tf.getBackend()}`);
    return checkWebGpuKernels(tf);
  },

  memory(): { numTensors: number; numBytes: number } {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  },

  /** For the error-handling tests: an uncaught error that kills the worker's current task. */
  crashForTest(): void {
    setTimeout(() => {
      throw new Error('simulated worker crash');
    });
  },
};

function datasetAt(fileId: string, path: string): DatasetNode {
  const opened = openFiles.get(fileId);
  if (!opened) throw new Error('the file is no longer open; drop it again');
  const node = findNode(opened, path);
  if (!node || node.kind !== 'dataset') throw new Error(`${opened.name}: ${path} is not an array`);
  return node;
}

export type ComputeApi = typeof api;

Comlink.expose(api);
