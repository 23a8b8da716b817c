/**
 * The benchmark contract: what every benchmark module provides, and what the harness gives it.
 *
 * Pure TypeScript, no DOM: the same benchmark module runs in the browser's compute worker,
 * in Node for the `sciml-bench` CLI and in vitest.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TaskArgs, TaskName, TaskResult } from '../../benchmarks/tasks';

/** The tfjs namespace (core + layers), with a backend already chosen by the harness. */
export type TF = typeof tfType;

export type Mode = 'training' | 'inference';

// ---------------------------------------------------------------------------------------------
// Parameters

interface ParamBase {
  /** One line shown beside the control and by `sciml-bench info`. */
  help: string;
  /** Shown in the UI; defaults to the key. */
  label?: string;
  /** Which modes use this parameter; both when omitted. */
  modes?: readonly Mode[];
  /** The notebook cell that shows it: data, model or train (default train). */
  group?: ParamGroup;
}
export type ParamGroup = 'data' | 'model' | 'train' | 'evaluate' | 'apply';
export interface NumberParam extends ParamBase {
  kind: 'number' | 'int';
  default: number;
  min?: number;
  max?: number;
}
export interface BoolParam extends ParamBase {
  kind: 'bool';
  default: boolean;
}
export interface StringParam extends ParamBase {
  kind: 'string';
  default: string;
}
export interface EnumParam extends ParamBase {
  kind: 'enum';
  default: string;
  options: readonly string[];
}
export type ParamSpec = NumberParam | BoolParam | StringParam | EnumParam;
export type ParamSpecs = Record<string, ParamSpec>;
export type ParamValue = number | boolean | string;

/** The typed values of a parameter set, derived from its specs. */
export type ParamValues<S extends ParamSpecs> = {
  [K in keyof S]: S[K] extends BoolParam ? boolean : S[K] extends NumberParam ? number : string;
};

// ---------------------------------------------------------------------------------------------
// Arrays crossing module boundaries

export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

/** A dense, C-ordered array: the common currency between generators, files, models and plots. */
export interface NDArray<T extends NumericArray = Float32Array> {
  data: T;
  shape: number[];
}

/** A named set of arrays (a generated or loaded dataset). */
export type ArraySet = Record<string, NDArray<NumericArray>>;

// ---------------------------------------------------------------------------------------------
// What the harness gives a benchmark

/** SciML-Bench style console log: nested BEGIN / ENDED (with elapsed seconds) / MESSG lines. */
export interface RunLogger {
  begin(name: string): void;
  /** Closes the innermost open block; returns its elapsed seconds. */
  end(name?: string): number;
  message(text: string): void;
}

export interface ProgressReport {
  /** 0..1 of the whole run. */
  fraction: number;
  /** What is happening now, e.g. "epoch 2/5, batch 30/40". */
  label: string;
}

/** A per-epoch record; keys like loss, val_loss, accuracy. */
export type EpochLogs = Record<string, number>;

/**
 * Caches generated datasets so a second run with the same generator parameters skips generation.
 * The browser keeps them in IndexedDB (as Blob chunks), the CLI in --dataset_dir, tests in memory.
 */
export interface DatasetCache {
  getOrCreate(key: string, describe: string, make: () => Promise<ArraySet>): Promise<ArraySet>;
}

/**
 * Worker threads running the pure functions registered in src/benchmarks/tasks.ts: CPU-bound
 * generation split into chunks runs on several cores. Arguments are copied to the worker,
 * results transferred back (not copied).
 */
export interface TaskPool {
  /** Number of workers. */
  readonly size: number;
  /** Runs `task(args)` on a worker; rejects with the worker's error, or at once when `signal` aborts. */
  run<N extends TaskName>(task: N, args: TaskArgs<N>, signal?: AbortSignal): Promise<TaskResult<N>>;
}

export interface RunContext {
  tf: TF;
  /** Backend in use: 'webgpu' | 'webgl' | 'cpu' | 'tensorflow'. */
  backend: string;
  log: RunLogger;
  /** Stamps an event (e.g. "epoch 3") onto the monitor's time series. */
  event(name: string): void;
  progress(report: ProgressReport): void;
  /** Live per-epoch history for plots, called after every epoch. */
  epoch(epoch: number, logs: EpochLogs): void;
  /** Aborted when the user presses stop; long loops check `signal.aborted` between steps. */
  signal: AbortSignal;
  /** Seed for generators and weight initialisers (runs are reproducible on the cpu backend). */
  seed: number;
  datasets: DatasetCache;
  /** Device limits when on WebGPU, to refuse models that cannot fit. */
  limits?: { maxBufferSize: number; maxStorageBufferBindingSize: number };
  /** Workers for chunked CPU work (absent: run it on this thread). */
  pool?: TaskPool;
}

// ---------------------------------------------------------------------------------------------
// What a benchmark returns

/** SciML-Bench metrics.yml keys. `throughput` is always items per second. */
export interface Metrics {
  time?: number;
  loss?: number;
  accuracy?: number;
  f1?: number;
  mse?: number;
  psnr?: number;
  mae?: number;
  throughput?: number;
  [key: string]: number | undefined;
}

/** Per-epoch history: metric name → one value per epoch. */
export type History = Record<string, number[]>;

/**
 * Results a benchmark hands to its panels: plain JSON-able values and typed arrays,
 * transferred (not copied) from the worker to the main thread.
 */
export type Artifacts = Record<string, unknown>;

export interface TrainingResult {
  model: tfType.LayersModel;
  metrics: Metrics;
  history: History;
  /** Extra model metadata saved beside the weights (e.g. class names, input shape). */
  modelInfo?: Record<string, unknown>;
  artifacts?: Artifacts;
}

export interface InferenceResult {
  metrics: Metrics;
  artifacts?: Artifacts;
}

export interface TrainedModel {
  model: tfType.LayersModel;
  /** uuid4 assigned when the model was trained. */
  id: string;
  benchmark: string;
  /** Parameters of the training run that made it. */
  trainingParams: Record<string, ParamValue>;
  info: Record<string, unknown>;
}

/** One or more user arrays to apply a trained model to (from .npy/.npz/.h5 files). */
export interface ApplyInput {
  name: string;
  arrays: ArraySet;
}

export interface ApplyResult {
  /** Arrays to offer as downloads (shape preserved), keyed by name. */
  outputs: ArraySet;
  /** Ready-made files in the benchmark's own format (e.g. `scan_probability_pred.npz`), by file name. */
  files?: Record<string, Uint8Array>;
  artifacts?: Artifacts;
  /** Warnings shown to the user (e.g. "q axis interpolated onto the model's"). */
  warnings: string[];
}

export interface Benchmark<S extends ParamSpecs = ParamSpecs> {
  id: string;
  title: string;
  /** Markdown shown in the notebook's About cell and by `sciml-bench info`. */
  description: string;
  group: 'science' | 'examples';
  /** Names of the datasets this benchmark uses (SciML-Bench `list datasets`). */
  datasets: readonly string[];
  params: S;
  modes: readonly Mode[];
  /** A small sample of the data for the notebook's Data cell (images, profiles, statistics). */
  preview?(ctx: RunContext, params: ParamValues<S>): Promise<Artifacts>;
  /** The untrained model for these parameters (the Model cell shows its summary and size). */
  buildModel?(tf: TF, params: ParamValues<S>): tfType.LayersModel;
  /** Generate (or load) data, build and train the model. */
  training?(ctx: RunContext, params: ParamValues<S>): Promise<TrainingResult>;
  /** Evaluate a trained model on the benchmark's inference data. */
  inference?(ctx: RunContext, params: ParamValues<S>, model: TrainedModel): Promise<InferenceResult>;
  /** Apply a trained model to a user's own arrays. */
  apply?(ctx: RunContext, params: ParamValues<S>, model: TrainedModel, input: ApplyInput): Promise<ApplyResult>;
}

/** Lets a module declare its benchmark with full parameter typing. */
export function defineBenchmark<S extends ParamSpecs>(b: Benchmark<S>): Benchmark<S> {
  return b;
}
