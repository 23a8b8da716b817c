/**
 * `npm run bench`: every registered benchmark, training then inference, on a small fixed budget
 * (its `benchParams`), on every backend available here (cpu, and webgpu when Dawn finds an
 * adapter). Prints items/s, ms/step, warm-up and peak tensor memory, and writes them as JSON.
 * A benchmark, not a test: nothing here fails on speed.
 *
 *   npm run bench -- [--only ID[,ID]] [--backend cpu|webgpu] [-b KEY VALUE]... [--out FILE] [--compare FILE]
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getBenchParams, modules } from '../src/benchmarks/registry';
import type { ArraySet, Benchmark, DatasetCache, Mode, ParamSpecs, ParamValue, TrainedModel } from '../src/lib/harness/contract';
import { adapterLabel, initNodeTf, probeWebGpu, type NodeBackendName } from '../src/lib/engine/node-backend';
import { runBenchmark, type RunOutcome } from '../src/lib/harness/runner';
import { choice, pairsToOverrides, parseArgs, UsageError } from '../cli/args';
import { BENCH_FORMAT, formatTable, parseReport, type BenchReport, type BenchRow } from './lib/report';
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
  const args = parseArgs(argv, { options: ['--only', '--backend', '--out', '--compare'], pairs: true });
  if (args.positionals.length) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const only = args.options['--only']?.split(',').filter(Boolean);
  const selected = only ? modules.filter((m) => only.includes(m.benchmark.id)) : [...modules];
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
  const environment: Record<string, string> = {
    runtime: `node ${process.version} (${process.platform}-${process.arch})`,
    cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
    tfjs: tf.version.tfjs,
  };
  for (const { benchmark } of selected) {
    const datasets = memoryCache();
    const params = { ...getBenchParams(benchmark.id), ...extra };
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
      if (benchmark.modes.includes('training')) {
        const t = await measure(benchmark, 'training', node.backend, adapter, params, datasets);
        rows.push(t.row);
        trained = t.outcome.trained;
        console.log(formatTable([t.row]).split('\n')[1]);
      }
      if (benchmark.modes.includes('inference') && trained) {
        const i = await measure(benchmark, 'inference', node.backend, adapter, params, datasets, trained);
        rows.push(i.row);
        console.log(formatTable([i.row]).split('\n')[1]);
      }
      trained?.model.dispose();
    }
  }

  const report: BenchReport = { format: BENCH_FORMAT, created: new Date().toISOString(), environment, rows };
  const out = args.options['--out'] ?? join('.bench-out', `bench-${report.created.replace(/[:.]/g, '-')}.json`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(report, null, 2) + '\n');
  console.log('\n' + formatTable(rows, baseline));
  if (baseline) console.log(`ratios: this run / ${args.options['--compare']} (${baseline.created})`);
  for (const r of rows.filter((x) => x.error)) console.log(`${r.benchmark} ${r.backend} ${r.mode}: ${r.error}`);
  console.log(`wrote ${out}`);
  return 0;
}

try {
  process.exit(await main(process.argv.slice(2)));
} catch (err) {
  console.error(`bench: ${(err as Error).message}`);
  process.exit(2);
}
