/**
 * What `sciml-bench inspect FILE [--json]` prints for an array file, and what the browser's
 * inspector shows: every array's path, shape, dtype, min/max/mean/sum and first values, plus
 * plain values, attributes and warnings. The same code runs in Node and in the worker.
 */
import { ArrayFileError, guard } from './errors.ts';
import { dtypeName } from './dtype.ts';
import type { PlainValue } from './ndarray.ts';
import { openArrayFile } from './open.ts';
import type { ByteSource } from './source.ts';
import { readBlocks, StatsAccumulator, type ArrayStats } from './stats.ts';
import { walk, type ArrayFile, type DatasetNode } from './tree.ts';

export interface InspectOptions {
  /** JSON instead of text. */
  json?: boolean;
  /** How many leading values to show per array (default 8). */
  firstValues?: number;
}

export interface ArrayReport {
  path: string;
  shape: number[];
  dtype: string;
  storage: string;
  attrs: Record<string, PlainValue>;
  stats: ArrayStats | null;
  /** The first values in C order, as display strings. */
  first: string[];
  error?: string;
}

export interface FileReport {
  file: string;
  format: string;
  size: number;
  arrays: ArrayReport[];
  values: { path: string; value: PlainValue; attrs: Record<string, PlainValue> }[];
  groups: { path: string; attrs: Record<string, PlainValue> }[];
  links: { path: string; target: string; file?: string }[];
  warnings: string[];
}

/** A number as numpy prints it, roughly: up to 6 significant digits, nan/inf spelled out. */
export function formatNumber(v: number | bigint | null): string {
  if (v === null) return '-';
  if (typeof v === 'bigint') return v.toString();
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e15)) return v.toExponential(5).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(6)));
}

function plainText(v: PlainValue): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

function firstValues(data: ArrayLike<unknown>, dtypeKind: string, n: number): string[] {
  const out: string[] = [];
  if (dtypeKind === 'c') {
    const values = data as ArrayLike<number>;
    for (let i = 0; i < Math.min(n, values.length / 2); i++) {
      const im = values[2 * i + 1];
      out.push(`${formatNumber(values[2 * i])}${im < 0 || Object.is(im, -0) ? '-' : '+'}${formatNumber(Math.abs(im))}j`);
    }
    return out;
  }
  for (let i = 0; i < Math.min(n, data.length); i++) {
    const v = data[i];
    if (typeof v === 'number' || typeof v === 'bigint') out.push(dtypeKind === 'b' ? (v ? 'True' : 'False') : formatNumber(v));
    else out.push(plainText(v as PlainValue));
  }
  return out;
}

async function inspectDataset(node: DatasetNode, n: number): Promise<ArrayReport> {
  const report: ArrayReport = { path: node.path, shape: node.shape, dtype: dtypeName(node.dtype), storage: node.storage, attrs: node.attrs, stats: null, first: [] };
  try {
    const acc = new StatsAccumulator(node.dtype);
    for await (const block of readBlocks(node)) {
      if (report.first.length < n) report.first.push(...firstValues(block.data, node.dtype.kind, n - report.first.length));
      acc.add(block.data, block.dtype);
    }
    report.stats = acc.result();
  } catch (error) {
    const problem = error instanceof ArrayFileError ? error.problem : (error as Error).message;
    report.error = problem.startsWith(`${node.path}: `) ? problem.slice(node.path.length + 2) : problem;
  }
  return report;
}

/** Reads every array of an open file (block by block) and summarises it. */
export async function inspectFile(file: ArrayFile, options: InspectOptions = {}): Promise<FileReport> {
  const n = options.firstValues ?? 8;
  const report: FileReport = { file: file.name, format: file.format, size: file.size, arrays: [], values: [], groups: [], links: [], warnings: [...file.warnings] };
  for (const node of walk(file.root)) {
    if (node.kind === 'dataset') report.arrays.push(await inspectDataset(node, n));
    else if (node.kind === 'value') report.values.push({ path: node.path, value: node.value, attrs: node.attrs });
    else if (node.kind === 'group') report.groups.push({ path: node.path, attrs: node.attrs });
    else report.links.push({ path: node.path, target: node.target, ...(node.file ? { file: node.file } : {}) });
  }
  return report;
}

function shapeText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function sizeText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

function attrText(attrs: Record<string, PlainValue>): string {
  return Object.entries(attrs)
    .map(([k, v]) => `@${k}=${plainText(v)}`)
    .join(' ');
}

/** Pads columns of a table to equal widths. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd());
}

/** The report as text: a table of arrays, then values, attributes, links and warnings. */
export function reportText(report: FileReport): string {
  const lines = [`${report.file}: ${report.format === 'hdf5' ? 'HDF5' : report.format}, ${sizeText(report.size)}, ${report.arrays.length} array${report.arrays.length === 1 ? '' : 's'}`];
  if (report.arrays.length) {
    const rows = [['path', 'shape', 'dtype', 'min', 'max', 'mean', 'sum', 'first values']];
    for (const a of report.arrays) {
      if (a.error) {
        rows.push([a.path, shapeText(a.shape), a.dtype, 'error:', a.error, '', '', '']);
        continue;
      }
      const s = a.stats;
      const more = a.first.length < (s?.count ?? 0) ? ', …' : '';
      const stat = (v: number | bigint | null | undefined) => (s && s.of !== 'none' ? formatNumber(v ?? null) : '-');
      rows.push([a.path, shapeText(a.shape), a.dtype, stat(s?.min), stat(s?.max), stat(s?.mean), stat(s?.sum), `[${a.first.join(', ')}${more}]`]);
    }
    lines.push(...table(rows));
    const notes = report.arrays.filter((a) => a.stats && (a.stats.nanCount > 0 || a.stats.of === 'magnitude'));
    for (const a of notes) {
      const parts = [a.stats?.of === 'magnitude' ? 'stats of |z|' : '', a.stats?.nanCount ? `${a.stats.nanCount} NaN excluded` : ''].filter(Boolean);
      lines.push(`  ${a.path}: ${parts.join(', ')}`);
    }
  }
  for (const v of report.values) lines.push(`${v.path} = ${plainText(v.value)}`);
  for (const l of report.links) lines.push(`${l.path} -> ${l.file ? `${l.file}:` : ''}${l.target}`);
  const withAttrs = [...report.groups, ...report.arrays, ...report.values].filter((x) => Object.keys(x.attrs).length > 0);
  for (const x of withAttrs) lines.push(`${x.path}  ${attrText(x.attrs)}`);
  for (const w of report.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

function reportJson(report: FileReport): string {
  return JSON.stringify(
    report,
    (_k, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'number' && !Number.isFinite(v)) return formatNumber(v);
      return v;
    },
    2,
  );
}

/**
 * `sciml-bench inspect` output for a file: a path (Node), a byte source or an open file.
 * If any array cannot be read, throws an {@link ArrayFileError} naming the file, the array and
 * the problem (one line), rather than printing a partial report as if it were complete.
 */
export async function inspectReport(file: string | ByteSource | ArrayFile, options: InspectOptions = {}): Promise<string> {
  let opened: ArrayFile;
  if (typeof file === 'string') {
    const nodeSource = './node-source.ts'; // Node only; a variable keeps it out of browser bundles
    const { openArrayPath } = (await import(/* @vite-ignore */ nodeSource)) as typeof import('./node-source.ts');
    opened = await openArrayPath(file);
  } else if ('root' in file) opened = file;
  else opened = await openArrayFile(file);
  try {
    const report = await guard(opened.name, () => inspectFile(opened, options));
    const failed = report.arrays.filter((a) => a.error);
    if (failed.length) {
      const more = failed.length > 1 ? ` (and ${failed.length - 1} more unreadable array${failed.length > 2 ? 's' : ''})` : '';
      throw new ArrayFileError(opened.name, `${failed[0].path}: ${failed[0].error}${more}`);
    }
    return options.json ? reportJson(report) : reportText(report);
  } finally {
    if (opened !== file) await opened.close().catch(() => undefined);
  }
}
