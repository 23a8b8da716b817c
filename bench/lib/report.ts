/** The benchmark table: rows, the JSON file, printing, and ratios against an earlier file. */
import type { Metrics, Mode } from '../../src/lib/harness/contract';
import type { GeneratorRow } from './simulation-throughput';
import type { QualityCheck } from '../../src/benchmarks/registry';

export const BENCH_FORMAT = 'sciml-notebook-bench/1';

export interface BenchRow {
  benchmark: string;
  backend: string;
  /** Adapter description on webgpu. */
  adapter?: string;
  mode: Mode;
  status: string;
  error?: string;
  /** The benchmark's own throughput metric (items/s). */
  itemsPerS?: number;
  msPerStep?: number;
  steps: number;
  warmupS?: number;
  /** Largest tf.memory().numBytes seen at any step or monitor sample. */
  peakTensorBytes: number;
  timeS: number;
  params: Record<string, unknown>;
  metrics: Metrics;
}

/** One judged (or reported) quality metric of a run with the default parameters. */
export interface QualityRow {
  benchmark: string;
  backend: string;
  label: string;
  value?: number;
  /** The floor it had to reach, when the bar sets one. */
  floor?: number;
  met?: boolean;
}

export interface BenchReport {
  format: typeof BENCH_FORMAT;
  created: string;
  environment: Record<string, string>;
  rows: BenchRow[];
  quality?: QualityRow[];
  /** Data-generation throughput on the main thread and on the task pool. */
  generators?: GeneratorRow[];
}

function fmt(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

function rowKey(r: Pick<BenchRow, 'benchmark' | 'backend' | 'mode'>): string {
  return `${r.benchmark}/${r.backend}/${r.mode}`;
}

/** new/old, or undefined when either is missing. */
function ratio(now: number | undefined, before: number | undefined): number | undefined {
  return now === undefined || before === undefined || before === 0 ? undefined : now / before;
}

export function formatTable(rows: readonly BenchRow[], baseline?: BenchReport): string {
  const old = new Map((baseline?.rows ?? []).map((r) => [rowKey(r), r]));
  const header = ['benchmark', 'backend', 'mode', 'items/s', 'ms/step', 'warm-up s', 'peak MB', 'time s', 'status'];
  if (baseline) header.push('items/s ×', 'ms/step ×');
  const lines = [header];
  for (const r of rows) {
    const line = [
      r.benchmark,
      r.backend,
      r.mode,
      fmt(r.itemsPerS, 1),
      fmt(r.msPerStep, 2),
      fmt(r.warmupS, 3),
      fmt(r.peakTensorBytes / (1024 * 1024), 2),
      fmt(r.timeS, 2),
      r.status,
    ];
    if (baseline) {
      const b = old.get(rowKey(r));
      line.push(fmt(ratio(r.itemsPerS, b?.itemsPerS), 2), fmt(ratio(r.msPerStep, b?.msPerStep), 2));
    }
    lines.push(line);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return lines.map((l) => l.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

/** Judges a quality bar against the metrics of a training and an inference run. */
export function judgeQuality(
  benchmark: string,
  backend: string,
  checks: readonly QualityCheck[],
  metrics: Partial<Record<Mode, Metrics>>,
): QualityRow[] {
  return checks.map((check) => {
    const m = metrics[check.mode] ?? {};
    const value = m[check.metric];
    const floor = typeof check.atLeast === 'string' ? m[check.atLeast] : check.atLeast;
    const row: QualityRow = { benchmark, backend, label: check.label, value };
    if (check.atLeast === undefined) return row;
    return { ...row, floor, met: value !== undefined && floor !== undefined && value >= floor };
  });
}

export function formatQuality(rows: readonly QualityRow[]): string {
  const verdict = (r: QualityRow) => (r.met === undefined ? 'reported' : r.met ? 'met' : 'NOT MET');
  const lines = [['benchmark', 'backend', 'quality metric', 'value', 'floor', 'bar']];
  for (const r of rows) lines.push([r.benchmark, r.backend, r.label, fmt(r.value, 4), fmt(r.floor, 4), verdict(r)]);
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return lines.map((l) => l.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

export function parseReport(text: string, where: string): BenchReport {
  const report = JSON.parse(text) as BenchReport;
  if (report.format !== BENCH_FORMAT || !Array.isArray(report.rows)) throw new Error(`${where}: not a ${BENCH_FORMAT} file`);
  return report;
}
