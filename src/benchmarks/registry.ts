/**
 * The benchmarks this app and the `sciml-bench` CLI know.
 *
 * To add one: its module exports `benchmark` (from defineBenchmark) and, optionally, `benchParams`
 * (a small fixed parameter budget for `npm run bench`) and `qualityBar` (what its default budget
 * must reach, checked by `npm run bench -- --quality`); import it as a namespace and list it below.
 */
import type { Benchmark, Mode, ParamSpecs, ParamValue } from '../lib/harness/contract';
import * as demo from './demo';
import * as diffsims from './diffsims/spec';
import * as emDenoise from './em_denoise/spec';
import * as opticalDamage from './optical_damage/spec';

/**
 * One line of a quality bar: a metric of a run with the default parameters, optionally with a
 * floor — a number, or the name of another metric of the same run (a baseline to beat).
 * Without a floor the metric is reported, not judged.
 */
export interface QualityCheck {
  mode: Mode;
  metric: string;
  label: string;
  atLeast?: number | string;
}

export interface BenchmarkModule {
  benchmark: Benchmark<ParamSpecs>;
  benchParams?: Record<string, ParamValue>;
  qualityBar?: readonly QualityCheck[];
}

export const modules: readonly BenchmarkModule[] = [demo, diffsims, emDenoise, opticalDamage];

export const benchmarks: readonly Benchmark<ParamSpecs>[] = modules.map((m) => m.benchmark);

export function getBenchmark(id: string): Benchmark<ParamSpecs> {
  const found = benchmarks.find((b) => b.id === id);
  if (!found) throw new Error(`unknown benchmark "${id}"; known benchmarks: ${benchmarks.map((b) => b.id).join(', ')}`);
  return found;
}

/** The `benchParams` budget of a benchmark, or {} when it declares none. */
export function getBenchParams(id: string): Record<string, ParamValue> {
  return modules.find((m) => m.benchmark.id === id)?.benchParams ?? {};
}

/** Dataset name → ids of the benchmarks that use it (SciML-Bench `list datasets`). */
export function datasetIndex(): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const b of benchmarks) for (const name of b.datasets) index.set(name, [...(index.get(name) ?? []), b.id]);
  return index;
}
