/**
 * `sciml-bench inspect FILE [--json]`: a run bundle (.zip or output folder) is summarised here;
 * any other file (.npy, .npz, .h5, …) goes to the array-file inspector of src/lib/io.
 */
import { readFile, stat } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import { importBundleFiles, RUN_JSON, type Bundle } from '../../src/lib/harness/bundle';
import { parseConsoleLog, type LogBlock } from '../../src/lib/harness/logger';
import { readBundleDir } from '../../src/lib/harness/node/bundle-dir';
import { parseArgs, UsageError } from '../args';
import { formatBytes, formatMetric, table } from '../format';

function isBundleEntryList(paths: string[]): boolean {
  return paths.some((p) => p.endsWith(RUN_JSON) || /(^|\/)(training|inference)_arguments_used\.yml$/.test(p));
}

/** The bundle at `path`, or undefined when it is not one (a plain .npz is a zip too). */
async function readBundle(path: string): Promise<Bundle | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UsageError(`${path}: no such file or folder`);
  if (info.isDirectory()) return readBundleDir(path);
  if (!/\.zip$/i.test(path)) return undefined;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(new Uint8Array(await readFile(path)));
  } catch {
    return undefined;
  }
  return isBundleEntryList(Object.keys(files)) ? importBundleFiles(files) : undefined;
}

function blockLines(block: LogBlock, depth: number, maxDepth: number, out: string[]): void {
  for (const child of block.children) {
    const elapsed = child.elapsedS === undefined ? 'not ended' : `${formatMetric(child.elapsedS)} s`;
    out.push(`${'  '.repeat(depth + 1)}${child.name}: ${elapsed}`);
    if (depth + 1 < maxDepth) blockLines(child, depth + 1, maxDepth, out);
  }
}

function summary(bundle: Bundle): string {
  const r = bundle.record;
  const lines = [
    `run ${r.id}: ${r.benchmark} ${r.mode} on ${r.backend}, seed ${r.seed}, status ${r.status}${r.error ? ` (${r.error})` : ''}`,
  ];
  if (r.started) lines.push(`started ${r.started}, finished ${r.finished}`);
  for (const [key, value] of Object.entries(r.environment)) lines.push(`${key}: ${value}`);
  lines.push('arguments:', table(Object.entries(r.args).map(([k, v]) => [k, String(v)]), '  '));
  lines.push('metrics:', table(Object.entries(r.metrics).map(([k, v]) => [k, formatMetric(v ?? NaN)]), '  '));
  const history = Object.entries(r.history);
  if (history.length) {
    lines.push('history (first → last epoch):');
    lines.push(table(history.map(([k, v]) => [k, `${v.length} epochs`, `${formatMetric(v[0])} → ${formatMetric(v[v.length - 1])}`]), '  '));
  }
  lines.push('timings (console.log):');
  blockLines(parseConsoleLog(r.log.join('\n')), 0, 2, lines);
  const last = r.monitor[r.monitor.length - 1];
  if (last) {
    const peak = Math.max(...r.monitor.map((row) => (typeof row.TFBytes === 'number' ? row.TFBytes : 0)));
    lines.push(`monitor: ${r.monitor.length} samples over ${formatMetric(Number(last['Elapsed (sec)']))} s, peak tensor memory ${formatBytes(peak)}`);
  }
  if (bundle.model) {
    const m = bundle.model;
    lines.push(`model ${m.info.id}: ${formatBytes(m.weights.byteLength)} of weights, trained by ${m.info.benchmark}`);
  } else if (r.modelId) {
    lines.push(`model used: ${r.modelId}`);
  }
  return lines.join('\n');
}

export async function inspectCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { flags: ['--json'] });
  if (args.positionals.length !== 1) throw new UsageError('usage: sciml-bench inspect FILE [--json]');
  const path = args.positionals[0];
  const json = args.flags.has('--json');
  const bundle = await readBundle(path);
  if (bundle) {
    const text = json ? JSON.stringify({ ...bundle.record, model: bundle.model?.info }, null, 2) : summary(bundle);
    process.stdout.write(text + '\n');
    return 0;
  }
  // Array files: loaded only here, so run/list do not pay for the HDF5 and npz readers.
  const { inspectReport } = await import('../../src/lib/io/inspect');
  process.stdout.write((await inspectReport(path, { json })) + '\n');
  return 0;
}
