/** `sciml-bench list` and `sciml-bench info`. */
import { benchmarks, datasetIndex, getBenchmark } from '../../src/benchmarks/registry';
import type { Benchmark, ParamSpecs } from '../../src/lib/harness/contract';
import { DEFAULT_DATASET_ROOT, listCachedDatasets, type CachedDataset } from '../../src/lib/harness/node/dataset-cache';
import { describeType } from '../../src/lib/harness/params';
import { choice, parseArgs, UsageError } from '../args';
import { formatBytes, table } from '../format';
import { latestModelDir } from '../paths';

/** The benchmark named on the command line; an unknown name is a usage error listing the known ones. */
export function benchmarkArg(name: string): Benchmark<ParamSpecs> {
  try {
    return getBenchmark(name);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const LIST_WHAT = ['all', 'benchmarks', 'datasets'] as const;

/** SciML-Bench's runnable status words. */
function runnable(b: Benchmark<ParamSpecs>): string {
  const training = b.modes.includes('training') && Boolean(b.training);
  const inference = b.modes.includes('inference') && Boolean(b.inference);
  if (training && inference) return 'Runnable (Training & Inference)';
  if (training) return 'Runnable (Training)';
  if (inference) return 'Runnable (Inference)';
  return 'Not runnable';
}

async function listBenchmarks(verify: boolean): Promise<string> {
  const lines = ['Benchmarks'];
  const groups = [...new Set(benchmarks.map((b) => b.group))];
  for (const group of groups) {
    lines.push(`  ${group}`);
    const rows: string[][] = [];
    for (const b of benchmarks.filter((x) => x.group === group)) {
      const row = [b.id, b.title];
      if (verify) {
        const model = await latestModelDir(b.id);
        row.push(runnable(b), model ? `trained model: ${model}` : 'no trained model yet');
      }
      rows.push(row);
    }
    lines.push(table(rows, '    '));
  }
  return lines.join('\n');
}

function datasetStatus(cached: CachedDataset[], benchmarkIds: string[]): string {
  const mine = cached.filter((c) => benchmarkIds.includes(c.benchmark));
  if (!mine.length) return 'Not generated';
  const bytes = mine.reduce((s, c) => s + c.bytes, 0);
  return `Generated (${mine.length} cached set${mine.length > 1 ? 's' : ''}, ${formatBytes(bytes)})`;
}

async function listDatasets(verify: boolean, root: string): Promise<string> {
  const cached = verify ? await listCachedDatasets(root) : [];
  const rows: string[][] = [];
  for (const [name, ids] of datasetIndex()) {
    const row = [name, `used by ${ids.join(', ')}`];
    if (verify) row.push(datasetStatus(cached, ids));
    rows.push(row);
  }
  const lines = ['Datasets (generated from a seed, cached under ' + root + ')', table(rows, '    ')];
  if (verify) {
    for (const c of cached) lines.push(`      ${c.benchmark}/${c.key}: ${c.describe} — ${formatBytes(c.bytes)}, ${c.created}`);
  }
  return lines.join('\n');
}

export async function listCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { flags: ['--verify'], options: ['--dataset_dir'] });
  if (args.positionals.length > 1) throw new UsageError('usage: sciml-bench list [all|benchmarks|datasets] [--verify]');
  const what = choice(args.positionals[0], 'list', LIST_WHAT, 'all');
  const verify = args.flags.has('--verify');
  const parts: string[] = [];
  if (what !== 'datasets') parts.push(await listBenchmarks(verify));
  if (what !== 'benchmarks') parts.push(await listDatasets(verify, args.options['--dataset_dir'] ?? DEFAULT_DATASET_ROOT));
  process.stdout.write(parts.join('\n\n') + '\n');
  return 0;
}

function benchmarkInfo(b: Benchmark<ParamSpecs>): string {
  const rows: string[][] = [['KEY', 'TYPE', 'DEFAULT', 'MODES', 'HELP']];
  for (const [key, spec] of Object.entries(b.params)) {
    rows.push([key, describeType(spec), String(spec.default), (spec.modes ?? b.modes).join(', '), spec.help]);
  }
  return [
    `${b.id}: ${b.title}`,
    `group: ${b.group}    modes: ${b.modes.join(', ')}    datasets: ${b.datasets.join(', ')}    ${runnable(b)}`,
    '',
    b.description,
    '',
    'Parameters (set with -b KEY VALUE):',
    table(rows, '  '),
  ].join('\n');
}

export async function infoCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, {});
  if (args.positionals.length !== 1) throw new UsageError('usage: sciml-bench info NAME (a benchmark or a dataset)');
  const name = args.positionals[0];
  const users = datasetIndex().get(name);
  if (users && !benchmarks.some((b) => b.id === name)) {
    process.stdout.write(
      `${name}: a dataset generated from a seed by ${users.join(', ')}; cached under ${DEFAULT_DATASET_ROOT}/<benchmark>/\n` +
        `(see sciml-bench info ${users[0]} for the generator's parameters)\n`,
    );
    return 0;
  }
  process.stdout.write(benchmarkInfo(benchmarkArg(name)) + '\n');
  return 0;
}
