/**
 * `sciml-bench run NAME`: runs a benchmark module (the same one the browser runs) in Node and
 * writes the SciML-Bench output layout into the output folder.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Mode } from '../../src/lib/harness/contract';
import { loadModel, saveModel } from '../../src/lib/harness/model-io';
import { adapterLabel, initNodeTf, type NodeBackendName } from '../../src/lib/engine/node-backend';
import { loadModelFiles, writeBundleDir } from '../../src/lib/harness/node/bundle-dir';
import { DEFAULT_DATASET_ROOT, NodeDatasetCache } from '../../src/lib/harness/node/dataset-cache';
import { defaultPoolSize, nodeTaskPool } from '../../src/lib/harness/node/task-pool';
import { resolveParams } from '../../src/lib/harness/params';
import { runBenchmark } from '../../src/lib/harness/runner';
import { choice, pairsToOverrides, parseArgs, UsageError, workersOption } from '../args';
import { latestModelDir, OUTPUT_ROOT, outputDir } from '../paths';
import { TerminalProgress } from '../progress';
import { formatMetric } from '../format';
import { benchmarkArg } from './catalog';

export const RUN_USAGE = `sciml-bench run NAME [--mode training|inference] [-b KEY VALUE]... [--model PATH]
                   [--dataset_dir DIR] [--output_dir DIR|@NAME] [--backend cpu|webgpu]
                   [--seed N] [--monitor_interval SECONDS] [--workers N]`;

const MODES: readonly Mode[] = ['training', 'inference'];
const BACKENDS: readonly NodeBackendName[] = ['cpu', 'webgpu'];

function parseNumber(value: string | undefined, name: string, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isSafeInteger(n))) {
    throw new UsageError(`${name} must be ${integer ? 'an integer' : 'a number'}; got "${value}"`);
  }
  return n;
}

export async function runCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, {
    options: ['--mode', '--model', '--dataset_dir', '--output_dir', '--backend', '--seed', '--monitor_interval', '--workers'],
    pairs: true,
  });
  if (args.positionals.length !== 1) throw new UsageError(`run needs one benchmark name\nusage: ${RUN_USAGE}`);
  const benchmark = benchmarkArg(args.positionals[0]);
  const mode = choice(args.options['--mode'], '--mode', MODES, 'training');
  const requestedBackend = choice(args.options['--backend'], '--backend', BACKENDS, 'cpu');
  const seed = parseNumber(args.options['--seed'], '--seed', 0, true);
  const monitorIntervalS = parseNumber(args.options['--monitor_interval'], '--monitor_interval', 1, false);
  if (!(monitorIntervalS > 0)) throw new UsageError('--monitor_interval must be > 0');
  const workers = workersOption(args.options['--workers'], defaultPoolSize());
  if (!benchmark.modes.includes(mode)) {
    throw new UsageError(`${benchmark.id} has no ${mode} mode (modes: ${benchmark.modes.join(', ')})`);
  }

  // Check the parameters before loading anything, so a typo fails at once.
  const overrides = pairsToOverrides(args.pairs);
  const resolved = resolveParams(benchmark.params, overrides, mode);
  const out = process.stdout;
  for (const key of resolved.otherMode) out.write(`note: -b ${key} is not used in ${mode} mode\n`);

  let modelPath: string | undefined = args.options['--model'];
  if (mode === 'inference' && modelPath === undefined) {
    modelPath = await latestModelDir(benchmark.id);
    if (!modelPath) {
      throw new UsageError(
        `inference needs a trained model: pass --model PATH (a model folder, a training output folder or a bundle .zip); ` +
          `none found under ${join(OUTPUT_ROOT, benchmark.id)}`,
      );
    }
    out.write(`using the latest trained model: ${modelPath}\n`);
  }
  const modelFiles = mode === 'inference' && modelPath ? await loadModelFiles(modelPath) : undefined;

  const started = new Date();
  const dir = outputDir(args.options['--output_dir'], benchmark.id, mode, started);
  const datasetRoot = args.options['--dataset_dir'] ?? DEFAULT_DATASET_ROOT;

  const node = await initNodeTf(requestedBackend);
  if (node.notice) out.write(`note: ${node.notice}\n`);
  const adapter = node.adapter ? adapterLabel(node.adapter) : 'none';
  out.write(`${benchmark.id} (${mode}) on ${node.backend}${node.adapter ? ` [${adapter}]` : ''}, seed ${seed}\n`);
  out.write(`datasets: ${join(datasetRoot, benchmark.id)}\noutput:   ${dir}\n`);

  const progress = new TerminalProgress(out);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    progress.line('stopping after the current step (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const pool = workers > 0 ? nodeTaskPool(workers) : undefined;

  try {
    const outcome = await runBenchmark({
      benchmark,
      mode,
      overrides,
      seed,
      tf: node.tf,
      backend: node.backend,
      datasets: new NodeDatasetCache(benchmark.id, datasetRoot),
      signal: controller.signal,
      model: modelFiles ? () => loadModel(node.tf, modelFiles) : undefined,
      monitorIntervalS,
      limits: node.limits,
      pool,
      environment: {
        runtime: `node ${process.version} (${process.platform}-${process.arch})`,
        cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
        adapter,
        task_workers: String(workers),
        ...(modelPath ? { model: modelPath } : {}),
      },
      onLine: (line) => progress.line(line),
      onProgress: (report) => progress.update(report),
    });
    progress.done();
    const { record, trained } = outcome;
    const files = trained && record.status !== 'error' ? await saveModel(node.tf, trained) : undefined;
    trained?.model.dispose();
    const written = await writeBundleDir(dir, record, files);

    out.write(`\n${record.status === 'ok' ? 'done' : record.status}: ${benchmark.id} ${mode} in ${formatMetric(record.metrics.time ?? 0)} s\n`);
    if (record.error) out.write(`error: ${record.error}\n`);
    for (const [key, value] of Object.entries(record.metrics)) out.write(`  ${key.padEnd(14)} ${formatMetric(value ?? NaN)}\n`);
    out.write(`wrote ${written.length} files to ${dir}\n`);
    if (files) out.write(`model ${files.info.id}: ${join(dir, 'model')}\n`);
    return record.status === 'ok' ? 0 : record.status === 'stopped' ? 130 : 1;
  } finally {
    pool?.terminate();
    process.off('SIGINT', onSigint);
  }
}
