/**
 * `npm run bench`: every registered benchmark, training then inference, on a small fixed budget
 * (its `benchParams`), on every backend available here (cpu, and webgpu when Dawn finds an
 * adapter). Prints items/s, ms/step, warm-up and peak tensor memory, and writes them as JSON.
 * A benchmark, not a test: nothing here fails on speed.
 *
 * `--quality` runs the benchmarks that declare a `qualityBar` with their default parameters
 * instead (the budget a user gets) and judges the bar; it exits 1 when a bar is not met.
 *
 * Generators run on a task pool of `--workers N` threads (default min(cores, 8); 0 = none); the
 * diffsims simulation's profiles/s is measured on the main thread and on the pool.
 *
 *   npm run bench -- [--only ID[,ID]] [--backend cpu|webgpu] [--quality] [--workers N] [-b KEY VALUE]... [--out FILE] [--compare FILE]
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getBenchParams, modules } from '../src/benchmarks/registry';
import type { ArraySet, Benchmark, DatasetCache, Metrics, Mode, ParamSpecs, ParamValue, TaskPool, TrainedModel } from '../src/lib/harness/contract';
import { adapterLabel, initNodeTf, probeWebGpu, type NodeBackendName } from '../src/lib/engine/node-backend';
import { runBenchmark, type RunOutcome } from '../src/lib/harness/runner';
import { defaultPoolSize, nodeTaskPool } from '../src/lib/harness/node/task-pool';
import { choice, pairsToOverrides, parseArgs, UsageError, workersOption } from '../cli/args';
import { BENCH_FORMAT, formatQuality, formatTable, judgeQuality, parseReport, type BenchReport, type BenchRow, type QualityRow } from './lib/report';
import { diffsimsSimulationRows, formatGenerators, type GeneratorRow } from './lib/simulation-throughput';
import { StepTimer } from './lib/step-timer';

function memoryCache(): DatasetCache {
  const sets = new Map<string, ArraySet>();
  return {
    async getOrCreate(key, _describe, make) {
      const hit = sets.get(key);
      if (hit) return hit;
      const made = await make();
      sets.set(key, made);
      return made;
    },
  };
}

interface Measured {
  row: BenchRow;
  outcome: RunOutcome;
}

async function measure(
  benchmark: Benchmark<ParamSpecs>,
  mode: Mode,
  backend: string,
  adapter: string | undefined,
  params: Record<string, ParamValue>,
  datasets: DatasetCache,
  pool: TaskPool | undefined,
  model?: TrainedModel,
): Promise<Measured> {
  const timer = new StepTimer();
  let peakBytes = 0;
  const sampleMemory = () => (peakBytes = Math.max(peakBytes, tf.memory().numBytes));
  const outcome = await runBenchmark({
    benchmark,
    mode,
    overrides: params,
    tf,
    backend,
    datasets,
    pool,
    model,
    onEvent: () => {
      sampleMemory();
      timer.event();
    },
    onProgress: (report) => {
      sampleMemory();
      timer.progress(report.label);
    },
  });
  const { record } = outcome;
  for (const row of record.monitor) if (typeof row.TFBytes === 'number') peakBytes = Math.max(peakBytes, row.TFBytes);
  const steps = timer.summary();
  return {
    outcome,
    row: {
      benchmark: benchmark.id,
      backend,
      adapter,
      mode,
      status: record.status,
      error: record.error,
      itemsPerS: record.metrics.throughput,
      msPerStep: steps.msPerStep,
      steps: steps.steps,
      warmupS: steps.warmupS,
      peakTensorBytes: peakBytes,
      timeS: record.metrics.time ?? NaN,
      params: record.args,
      metrics: record.metrics,
    },
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { options: ['--only', '--backend', '--out', '--compare', '--workers'], flags: ['--quality'], pairs: true });
  if (args.positionals.length) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const quality = args.flags.has('--quality');
  const workers = workersOption(args.options['--workers'], defaultPoolSize());
  const only = args.options['--only']?.split(',').filter(Boolean);
  const selected = (only ? modules.filter((m) => only.includes(m.benchmark.id)) : [...modules]).filter((m) => !quality || m.qualityBar);
  const unknown = (only ?? []).filter((id) => !modules.some((m) => m.benchmark.id === id));
  if (unknown.length) throw new UsageError(`unknown benchmark ${unknown.join(', ')}; known: ${modules.map((m) => m.benchmark.id).join(', ')}`);
  if (args.pairs.length && selected.length !== 1) throw new UsageError('-b overrides need --only with a single benchmark');
  const extra = pairsToOverrides(args.pairs);
  const baseline = args.options['--compare']
    ? parseReport(await readFile(args.options['--compare'], 'utf8'), args.options['--compare'])
    : undefined;

  tf.enableProdMode();
  const backends: NodeBackendName[] = [];
  const wanted = args.options['--backend'] ? [choice(args.options['--backend'], '--backend', ['cpu', 'webgpu'] as const, 'cpu')] : ['cpu', 'webgpu'];
  if (wanted.includes('cpu')) backends.push('cpu');
  if (wanted.includes('webgpu')) {
    const probe = await probeWebGpu();
    if (probe.adapter) backends.push('webgpu');
    else console.log(`webgpu skipped: ${probe.failure}`);
  }

  const rows: BenchRow[] = [];
  const qualityRows: QualityRow[] = [];
  const environment: Record<string, string> = {
    runtime: `node ${process.version} (${process.platform}-${process.arch})`,
    cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
    tfjs: tf.version.tfjs,
    task_workers: String(workers),
  };
  const pool = workers > 0 ? nodeTaskPool(workers) : undefined;
  const generators: GeneratorRow[] = [];
  if (!quality && selected.some((m) => m.benchmark.id === 'diffsims')) {
    generators.push(...(await diffsimsSimulationRows(tf, pool, 2000)));
    console.log(formatGenerators(generators));
  }
  for (const { benchmark, qualityBar } of selected) {
    const datasets = memoryCache();
    const params = { ...(quality ? {} : getBenchParams(benchmark.id)), ...extra };
    for (const backendName of backends) {
      const node = await initNodeTf(backendName);
      if (node.backend !== backendName) {
        console.log(`${backendName} skipped: ${node.notice}`);
        continue;
      }
      const adapter = node.adapter && adapterLabel(node.adapter);
      if (adapter) environment.adapter = adapter;
      console.log(`${benchmark.id} on ${node.backend}: ${JSON.stringify(params)}`);
      let trained: TrainedModel | undefined;
      const metrics: Partial<Record<Mode, Metrics>> = {};
      if (benchmark.modes.includes('training')) {
        const t = await measure(benchmark, 'training', node.backend, adapter, params, datasets, pool);
        rows.push(t.row);
        metrics.training = t.row.metrics;
        trained = t.outcome.trained;
        console.log(formatTable([t.row]).split('\n')[1]);
      }
      if (benchmark.modes.includes('inference') && trained) {
        const i = await measure(benchmark, 'inference', node.backend, adapter, params, datasets, pool, trained);
        rows.push(i.row);
        metrics.inference = i.row.metrics;
        console.log(formatTable([i.row]).split('\n')[1]);
      }
      trained?.model.dispose();
      if (quality && qualityBar) qualityRows.push(...judgeQuality(benchmark.id, node.backend, qualityBar, metrics));
    }
  }

  const report: BenchReport = {
    format: BENCH_FORMAT,
    created: new Date().toISOString(),
    environment,
    rows,
    ...(quality ? { quality: qualityRows } : {}),
    ...(generators.length ? { generators } : {}),
  };
  pool?.terminate();
  const out = args.options['--out'] ?? join('.bench-out', `bench-${report.created.replace(/[:.]/g, '-')}.json`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(report, null, 2) + '\n');
  console.log('\n' + formatTable(rows, baseline));
  if (baseline) console.log(`ratios: this run / ${args.options['--compare']} (${baseline.created})`);
  for (const r of rows.filter((x) => x.error)) console.log(`${r.benchmark} ${r.backend} ${r.mode}: ${r.error}`);
  if (quality) console.log('\nQuality bars after the default budget\n' + formatQuality(qualityRows));
  if (generators.length) console.log('\n' + formatGenerators(generators));
  console.log(`wrote ${out}`);
  return qualityRows.some((r) => r.met === false) ? 1 : 0;
}

try {
  process.exit(await main(process.argv.slice(2)));
} catch (err) {
  console.error(`bench: ${(err as Error).message}`);
  process.exit(2);
}
