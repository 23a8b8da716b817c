/**
 * Runs one benchmark in one mode and records everything SciML-Bench would write for it:
 * the arguments used, metrics, per-epoch history, the console log and the monitor series.
 *
 * Storage-agnostic: the caller supplies the tfjs namespace, the dataset cache and (for inference)
 * the trained model; the result is a plain RunRecord plus the freshly trained model, which the
 * caller persists (IndexedDB in the app, a folder in the CLI, a zip via bundle.ts).
 */
import type {
  Artifacts,
  Benchmark,
  DatasetCache,
  EpochLogs,
  History,
  Metrics,
  Mode,
  ParamSpecs,
  ParamValue,
  ProgressReport,
  RunContext,
  TF,
  TrainedModel,
} from './contract';
import { Rng } from '../engine/random';
import { ConsoleLogger } from './logger';
import { Monitor, tfSampler, type MonitorRow, type Sampler } from './monitor';
import { resolveParams } from './params';

export const RUN_FORMAT = 'sciml-notebook-run/1';

export type RunStatus = 'ok' | 'stopped' | 'error';

export interface RunRecord {
  format: typeof RUN_FORMAT;
  /** uuid4 of this run. */
  id: string;
  benchmark: string;
  mode: Mode;
  /** The benchmark parameters this mode used (SciML-Bench's `<mode>_arguments_used.yml`). */
  args: Record<string, ParamValue>;
  seed: number;
  backend: string;
  metrics: Metrics;
  /** Per-epoch history (training). */
  history: History;
  /** Console log lines, without newlines. */
  log: string[];
  monitor: MonitorRow[];
  /** ISO times. */
  started: string;
  finished: string;
  status: RunStatus;
  error?: string;
  /** The model trained (training) or used (inference). */
  modelId?: string;
  /** Runtime, adapter and other facts about where the run happened. */
  environment: Record<string, string>;
}

export interface RunOptions {
  benchmark: Benchmark<ParamSpecs>;
  mode: Mode;
  /** `-b KEY VALUE` pairs or typed form values. */
  overrides?: Record<string, string | ParamValue>;
  /** Default 0, as SciML-Bench's set_seeds(0). */
  seed?: number;
  tf: TF;
  backend: string;
  datasets: DatasetCache;
  signal?: AbortSignal;
  /**
   * The trained model for inference (the caller keeps ownership), or a loader called inside the
   * run's "Loading model" block (the run disposes what it loaded when it ends).
   */
  model?: TrainedModel | (() => Promise<TrainedModel>);
  monitorIntervalS?: number;
  /** Monitor sampler; tf.memory() + JS heap by default. */
  sampler?: Sampler;
  limits?: RunContext['limits'];
  /** Workers for chunked CPU work, handed to the benchmark as ctx.pool. */
  pool?: RunContext['pool'];
  environment?: Record<string, string>;
  onLine?: (line: string) => void;
  onProgress?: (report: ProgressReport) => void;
  onEpoch?: (epoch: number, logs: EpochLogs) => void;
  onEvent?: (name: string) => void;
}

export interface RunOutcome {
  record: RunRecord;
  /** The model a training run produced (absent when it failed). The caller owns and disposes it. */
  trained?: TrainedModel;
  /** Benchmark results for its panels (not part of the record). */
  artifacts?: Artifacts;
}

/**
 * Replaces Math.random by a seeded generator while `fn` runs. tfjs draws its default seeds
 * (weight initialisers, dropout, fit's shuffling) from Math.random, so this makes a whole run
 * reproducible on the cpu backend without every benchmark threading seeds through tfjs.
 * One run at a time per JS realm (the app's compute worker runs one).
 */
export async function withSeededMathRandom<T>(seed: number, fn: () => Promise<T>): Promise<T> {
  const original = Math.random;
  const rng = new Rng(seed);
  Math.random = () => rng.next();
  try {
    return await fn();
  } finally {
    Math.random = original;
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** Keeps numeric metrics only (a benchmark may leave optional keys undefined). */
function numericMetrics(metrics: Metrics): Metrics {
  const out: Metrics = {};
  for (const [key, value] of Object.entries(metrics)) if (typeof value === 'number') out[key] = value;
  return out;
}

/** Wraps the cache so the log says whether each dataset was generated (and how long it took) or cached. */
function loggedDatasets(cache: DatasetCache, log: ConsoleLogger): DatasetCache {
  return {
    async getOrCreate(key, describe, make) {
      let generatedS: number | undefined;
      const set = await cache.getOrCreate(key, describe, async () => {
        const start = performance.now();
        const made = await make();
        generatedS = (performance.now() - start) / 1000;
        return made;
      });
      log.message(
        generatedS === undefined ? `dataset from cache: ${describe}` : `dataset generated in ${generatedS.toFixed(3)} s: ${describe}`,
      );
      return set;
    },
  };
}

/**
 * Runs `benchmark` in `mode`.
 * @throws ParamError for bad overrides, Error when the benchmark lacks the mode or inference has no model —
 *   all before anything runs. Failures during the run are recorded (status 'error'), not thrown.
 */
export async function runBenchmark(options: RunOptions): Promise<RunOutcome> {
  const { benchmark, mode, tf, backend } = options;
  const run = mode === 'training' ? benchmark.training : benchmark.inference;
  if (!run || !benchmark.modes.includes(mode)) {
    throw new Error(`${benchmark.id} has no ${mode} mode (modes: ${benchmark.modes.join(', ')})`);
  }
  if (mode === 'inference' && !options.model) {
    throw new Error(`${benchmark.id}: inference needs a trained model (train one first, or pass --model PATH)`);
  }
  const resolved = resolveParams(benchmark.params, options.overrides ?? {}, mode);
  const seed = options.seed ?? 0;
  const signal = options.signal ?? new AbortController().signal;

  const log = new ConsoleLogger({ onLine: options.onLine });
  const monitor = new Monitor({ sampler: options.sampler ?? tfSampler(tf, backend), intervalS: options.monitorIntervalS });
  const record: RunRecord = {
    format: RUN_FORMAT,
    id: crypto.randomUUID(),
    benchmark: benchmark.id,
    mode,
    args: resolved.used,
    seed,
    backend,
    metrics: {},
    history: {},
    log: log.lines,
    monitor: monitor.rows,
    started: new Date().toISOString(),
    finished: '',
    status: 'ok',
    environment: { ...options.environment },
  };
  const ctx: RunContext = {
    tf,
    backend,
    log,
    seed,
    signal,
    datasets: loggedDatasets(options.datasets, log),
    limits: options.limits,
    pool: options.pool,
    event: (name) => {
      monitor.event(name);
      options.onEvent?.(name);
    },
    progress: (report) => {
      monitor.tick();
      options.onProgress?.(report);
    },
    epoch: (epoch, logs) => options.onEpoch?.(epoch, logs),
  };

  const outcome: RunOutcome = { record };
  monitor.start();
  log.begin(`Running benchmark ${benchmark.id} in ${mode} mode`);
  try {
    log.message(`run id ${record.id}, backend ${backend}, seed ${seed}`);
    log.begin('Parsing input arguments');
    for (const [key, value] of Object.entries(resolved.used)) log.message(`${key}: ${String(value)}`);
    if (resolved.otherMode.length) log.message(`not used in ${mode} mode: ${resolved.otherMode.join(', ')}`);
    log.end('Parsing input arguments');

    await withSeededMathRandom(seed, async () => {
      if (mode === 'training') {
        ctx.event(`start ${mode}`);
        const result = await benchmark.training!(ctx, resolved.values);
        // A TrainedModel is for saving and inference. Release the optimizer's state (Adam keeps two
        // moments per weight, on the GPU), which model.dispose() leaves behind for an optimizer
        // passed to compile() as an object.
        result.model.optimizer?.dispose();
        outcome.trained = {
          model: result.model,
          id: crypto.randomUUID(),
          benchmark: benchmark.id,
          trainingParams: resolved.used,
          info: result.modelInfo ?? {},
        };
        record.modelId = outcome.trained.id;
        record.metrics = numericMetrics(result.metrics);
        record.history = result.history;
        outcome.artifacts = result.artifacts;
      } else {
        log.begin('Loading model');
        const loaded = typeof options.model === 'function' ? await options.model() : undefined;
        const model = loaded ?? (options.model as TrainedModel);
        try {
          if (model.benchmark !== benchmark.id) {
            throw new Error(`the model was trained by ${model.benchmark}, not ${benchmark.id}`);
          }
          log.message(`model ${model.id}`);
          log.end('Loading model');
          record.modelId = model.id;
          ctx.event(`start ${mode}`);
          const result = await benchmark.inference!(ctx, resolved.values, model);
          record.metrics = numericMetrics(result.metrics);
          outcome.artifacts = result.artifacts;
        } finally {
          loaded?.model.dispose();
        }
      }
    });
    if (signal.aborted) {
      record.status = 'stopped';
      log.message('stopped by the user');
    }
  } catch (err) {
    record.status = signal.aborted ? 'stopped' : 'error';
    record.error = errorText(err);
    // Close the benchmark's own open blocks so the error line sits at the run's level.
    while (log.depth > 1) log.end();
    log.message(`${record.status === 'stopped' ? 'STOPPED' : 'ERROR'}: ${record.error}`);
  }
  ctx.event(`end ${mode}`);
  const elapsedS = log.end(`Running benchmark ${benchmark.id} in ${mode} mode`);
  monitor.stop();
  record.metrics.time ??= elapsedS;
  record.finished = new Date().toISOString();
  return outcome;
}
