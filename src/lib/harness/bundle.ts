/**
 * Run bundles: a run laid out like a SciML-Bench output folder, zipped.
 *
 *     <mode>_arguments_used.yml          benchmark parameters used (flat key: value)
 *     metrics.yml                        time, loss, accuracy, f1, mse, psnr, mae, throughput (items/s), …
 *     training_history.yml               per-epoch values (training runs)
 *     sciml_bench_run_logs/console.log   <BEGIN>/<ENDED>/<MESSG> log
 *     sciml_bench_run_sys/monitor.csv    monitor time series with its Event column
 *     model/model.json, model/weights.bin, model/model_info.json   (training runs)
 *     run.json                           the full record, for an exact re-import
 *
 * The same files go into the CLI's output folder (see node/bundle-dir.ts).
 */
import { unzipSync, zipSync } from 'fflate';
import YAML from 'yaml';
import type { Metrics, Mode, ParamValue } from './contract';
import { monitorToCSV, parseMonitorCSV } from './monitor';
import { modelFilesFromEntries, modelFilesToEntries, type ModelFiles } from './model-io';
import { RUN_FORMAT, type RunRecord, type RunStatus } from './runner';

export const METRICS_YML = 'metrics.yml';
export const HISTORY_YML = 'training_history.yml';
export const CONSOLE_LOG = 'sciml_bench_run_logs/console.log';
export const MONITOR_CSV = 'sciml_bench_run_sys/monitor.csv';
export const MODEL_DIR = 'model';
export const RUN_JSON = 'run.json';

export function argumentsFileName(mode: Mode): string {
  return `${mode}_arguments_used.yml`;
}

export interface Bundle {
  record: RunRecord;
  model?: ModelFiles;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// JSON has no NaN or ±Infinity (a diverged loss, the PSNR of a perfect match): spell them as strings.
const NON_FINITE = ['NaN', 'Infinity', '-Infinity'];

function encodeNumber(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

function decodeNumber(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && NON_FINITE.includes(x)) return Number(x);
  throw new Error(`run.json: expected a number, got ${JSON.stringify(x)}`);
}

/** The header line of the arguments file; importBundle reads it back when run.json is absent. */
function argumentsHeader(record: RunRecord): string {
  return (
    `# sciml-notebook run ${record.id}: benchmark ${record.benchmark}, mode ${record.mode}, ` +
    `backend ${record.backend}, seed ${record.seed}, status ${record.status}\n`
  );
}

const HEADER_PATTERN = /^# sciml-notebook run (\S+): benchmark (\S+), mode (\S+), backend (\S+), seed (-?\d+), status (\S+)/;

function yamlBytes(value: unknown, header = ''): Uint8Array {
  return encoder.encode(header + YAML.stringify(value));
}

/** All bundle files, keyed by path. */
export function bundleFiles(record: RunRecord, model?: ModelFiles): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {
    [argumentsFileName(record.mode)]: yamlBytes(record.args, argumentsHeader(record)),
    [METRICS_YML]: yamlBytes(record.metrics),
  };
  if (record.mode === 'training') files[HISTORY_YML] = yamlBytes(record.history);
  files[CONSOLE_LOG] = encoder.encode(record.log.map((l) => l + '\n').join(''));
  files[MONITOR_CSV] = encoder.encode(monitorToCSV(record.monitor));
  if (model) {
    for (const [name, bytes] of Object.entries(modelFilesToEntries(model))) files[`${MODEL_DIR}/${name}`] = bytes;
  }
  const json = {
    ...record,
    metrics: Object.fromEntries(Object.entries(record.metrics).map(([k, v]) => [k, encodeNumber(v as number)])),
    history: Object.fromEntries(Object.entries(record.history).map(([k, v]) => [k, v.map(encodeNumber)])),
  };
  files[RUN_JSON] = encoder.encode(JSON.stringify(json, null, 2) + '\n');
  return files;
}

/** The run as a .zip (deflated; weights stored as they are, they do not compress). */
export function exportBundle(record: RunRecord, model?: ModelFiles): Uint8Array {
  const files = bundleFiles(record, model);
  const entries: Record<string, [Uint8Array, { level: 0 | 6 }]> = {};
  for (const [path, bytes] of Object.entries(files)) entries[path] = [bytes, { level: path.endsWith('.bin') ? 0 : 6 }];
  return zipSync(entries);
}

/** A file name for downloads: demo_cnn_training_20250101-120000.zip. */
export function bundleFileName(record: RunRecord): string {
  const stamp = record.started.replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${record.benchmark}_${record.mode}_${stamp}.zip`;
}

/** Drops a folder prefix shared by every entry (a zipped output folder): a bundle always has top-level files. */
function stripCommonFolder(files: Record<string, Uint8Array>): Record<string, Uint8Array> {
  const paths = Object.keys(files).filter((p) => !p.endsWith('/'));
  const first = paths[0]?.split('/')[0];
  if (!first || !paths.every((p) => p.startsWith(first + '/'))) return files;
  return Object.fromEntries(paths.map((p) => [p.slice(first.length + 1), files[p]]));
}

function text(files: Record<string, Uint8Array>, path: string): string | undefined {
  const bytes = files[path];
  return bytes ? decoder.decode(bytes) : undefined;
}

function parseRunJson(source: string): RunRecord {
  const raw = JSON.parse(source) as RunRecord & { metrics: Record<string, unknown>; history: Record<string, unknown[]> };
  if (raw.format !== RUN_FORMAT) throw new Error(`run.json: not a ${RUN_FORMAT} record`);
  return {
    ...raw,
    metrics: Object.fromEntries(Object.entries(raw.metrics).map(([k, v]) => [k, decodeNumber(v)])),
    history: Object.fromEntries(Object.entries(raw.history).map(([k, v]) => [k, v.map(decodeNumber)])),
  };
}

function numberRecord(value: unknown, what: string): Record<string, number> {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object') throw new Error(`${what}: expected a mapping`);
  for (const [k, v] of Object.entries(value)) if (typeof v !== 'number') throw new Error(`${what}: ${k} is not a number`);
  return value as Record<string, number>;
}

/** Rebuilds a record from the SciML-Bench-style files alone (a bundle without run.json). */
function recordFromFiles(files: Record<string, Uint8Array>, model: ModelFiles | undefined): RunRecord {
  const mode: Mode | undefined = files[argumentsFileName('training')] ? 'training' : files[argumentsFileName('inference')] ? 'inference' : undefined;
  if (!mode) throw new Error('not a run bundle: no run.json and no training_ or inference_arguments_used.yml');
  const argsText = text(files, argumentsFileName(mode))!;
  const header = HEADER_PATTERN.exec(argsText);
  const history: Record<string, number[]> = {};
  const historyText = text(files, HISTORY_YML);
  if (historyText) {
    const parsed = (YAML.parse(historyText) ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(parsed)) {
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) throw new Error(`${HISTORY_YML}: ${k} is not a list of numbers`);
      history[k] = v as number[];
    }
  }
  const log = (text(files, CONSOLE_LOG) ?? '').split('\n').filter((l) => l !== '');
  return {
    format: RUN_FORMAT,
    id: header?.[1] ?? crypto.randomUUID(),
    benchmark: header?.[2] ?? model?.info.benchmark ?? 'unknown',
    mode,
    args: (YAML.parse(argsText) ?? {}) as Record<string, ParamValue>,
    seed: header ? Number(header[5]) : 0,
    backend: header?.[4] ?? 'unknown',
    metrics: numberRecord(YAML.parse(text(files, METRICS_YML) ?? '{}'), METRICS_YML) as Metrics,
    history,
    log,
    monitor: parseMonitorCSV(text(files, MONITOR_CSV) ?? ''),
    started: '',
    finished: '',
    status: (header?.[6] as RunStatus | undefined) ?? 'ok',
    modelId: model?.info.id,
    environment: {},
  };
}

/** Reads bundle files (from a zip or a folder); run.json wins, otherwise the SciML-Bench files are parsed. */
export function importBundleFiles(input: Record<string, Uint8Array>): Bundle {
  const files = stripCommonFolder(input);
  const modelEntries: Record<string, Uint8Array> = {};
  for (const [path, bytes] of Object.entries(files)) {
    if (path.startsWith(MODEL_DIR + '/')) modelEntries[path.slice(MODEL_DIR.length + 1)] = bytes;
  }
  const model = Object.keys(modelEntries).length ? modelFilesFromEntries(modelEntries, 'bundle model/') : undefined;
  const runJson = text(files, RUN_JSON);
  const record = runJson ? parseRunJson(runJson) : recordFromFiles(files, model);
  return model ? { record, model } : { record };
}

/** Reads a bundle .zip back. */
export function importBundle(zip: Uint8Array): Bundle {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch (err) {
    throw new Error(`not a zip file (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  return importBundleFiles(files);
}
