/**
 * Notebooks: an ordered list of typed cells. Pure data and pure functions, so the same code
 * is used by the UI, by storage and by the import/export tests.
 */
import type { ParamValue } from '../harness/contract';

export const CELL_KINDS = ['markdown', 'data', 'model', 'train', 'evaluate', 'apply', 'export'] as const;
export type CellKind = (typeof CELL_KINDS)[number];

export type CellStatus = 'idle' | 'running' | 'done' | 'stopped' | 'error';

/** What a cell last produced: metric tables, plot series and panel artifacts, persisted with the notebook. */
export interface CellOutput {
  status: CellStatus;
  message?: string;
  runId?: string;
  modelId?: string;
  metrics?: Record<string, number>;
  history?: Record<string, number[]>;
  log?: string[];
  /** Benchmark-specific results for its panels (may hold typed arrays). */
  artifacts?: Record<string, unknown>;
  finished?: string;
}

export interface Cell {
  id: string;
  kind: CellKind;
  title: string;
  /** Markdown source (markdown cells). */
  source?: string;
  /** Parameter overrides for this cell's run. */
  params: Record<string, ParamValue>;
  output?: CellOutput;
}

export interface Notebook {
  format: 'sciml-notebook';
  version: 1;
  id: string;
  title: string;
  /** Benchmark id this notebook runs. */
  benchmark: string;
  cells: Cell[];
  created: string;
  updated: string;
}

export class NotebookFormatError extends Error {
  override name = 'NotebookFormatError';
}

export function newId(): string {
  return crypto.randomUUID();
}

const DEFAULT_TITLES: Record<CellKind, string> = {
  markdown: 'Notes',
  data: 'Data',
  model: 'Model',
  train: 'Train',
  evaluate: 'Evaluate',
  apply: 'Apply to my files',
  export: 'Export',
};

export function makeCell(kind: CellKind, init: Partial<Omit<Cell, 'id' | 'kind'>> = {}): Cell {
  return { id: newId(), kind, title: init.title ?? DEFAULT_TITLES[kind], params: init.params ?? {}, source: init.source, output: init.output };
}

/** The standard notebook for a benchmark: about → data → model → train → evaluate → apply → export. */
export function notebookFor(benchmark: { id: string; title: string; description: string }): Notebook {
  const now = new Date().toISOString();
  return {
    format: 'sciml-notebook',
    version: 1,
    id: newId(),
    title: benchmark.title,
    benchmark: benchmark.id,
    created: now,
    updated: now,
    cells: [
      makeCell('markdown', { title: 'About', source: benchmark.description }),
      makeCell('data'),
      makeCell('model'),
      makeCell('train'),
      makeCell('evaluate'),
      makeCell('apply'),
      makeCell('export'),
    ],
  };
}

function touched(nb: Notebook, cells: Cell[]): Notebook {
  return { ...nb, cells, updated: new Date().toISOString() };
}

export function addCell(nb: Notebook, cell: Cell, index = nb.cells.length): Notebook {
  const cells = [...nb.cells];
  cells.splice(Math.max(0, Math.min(index, cells.length)), 0, cell);
  return touched(nb, cells);
}

export function removeCell(nb: Notebook, cellId: string): Notebook {
  return touched(nb, nb.cells.filter((c) => c.id !== cellId));
}

/** Moves a cell by `delta` places (−1 up, +1 down), clamped to the notebook. */
export function moveCell(nb: Notebook, cellId: string, delta: number): Notebook {
  const from = nb.cells.findIndex((c) => c.id === cellId);
  if (from < 0) return nb;
  const to = Math.max(0, Math.min(nb.cells.length - 1, from + delta));
  if (to === from) return nb;
  const cells = [...nb.cells];
  const [cell] = cells.splice(from, 1);
  cells.splice(to, 0, cell);
  return touched(nb, cells);
}

export function updateCell(nb: Notebook, cellId: string, patch: Partial<Omit<Cell, 'id' | 'kind'>>): Notebook {
  return touched(nb, nb.cells.map((c) => (c.id === cellId ? { ...c, ...patch } : c)));
}

// ---------------------------------------------------------------------------------------------
// JSON export / import. Typed arrays in outputs are written as base64 so a round trip is exact.

const TYPED = {
  Float32Array,
  Float64Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint16Array,
  Uint32Array,
  Uint8ClampedArray,
} as const;
type TypedName = keyof typeof TYPED;

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function notebookToJson(nb: Notebook): string {
  return JSON.stringify(
    nb,
    (_key, value: unknown) => {
      if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
        const name = value.constructor.name as TypedName;
        if (name in TYPED) {
          const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
          return { $typed: name, base64: toBase64(bytes) };
        }
      }
      return value;
    },
    1,
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and validates a notebook file; throws NotebookFormatError saying what is wrong. */
export function notebookFromJson(text: string): Notebook {
  let raw: unknown;
  try {
    raw = JSON.parse(text, (_key, value: unknown) => {
      if (isRecord(value) && typeof value.$typed === 'string' && typeof value.base64 === 'string') {
        const ctor = TYPED[value.$typed as TypedName];
        if (!ctor) throw new NotebookFormatError(`unknown typed array "${value.$typed}"`);
        const bytes = fromBase64(value.base64);
        if (bytes.byteLength % ctor.BYTES_PER_ELEMENT) throw new NotebookFormatError(`truncated ${value.$typed} data`);
        return new ctor(bytes.buffer as ArrayBuffer, 0, bytes.byteLength / ctor.BYTES_PER_ELEMENT);
      }
      return value;
    });
  } catch (e) {
    if (e instanceof NotebookFormatError) throw e;
    throw new NotebookFormatError(`not valid JSON (${(e as Error).message})`);
  }
  if (!isRecord(raw)) throw new NotebookFormatError('the file does not hold a notebook object');
  if (raw.format !== 'sciml-notebook') throw new NotebookFormatError('missing "format": "sciml-notebook" — not a SciML Notebook file');
  if (raw.version !== 1) throw new NotebookFormatError(`unsupported notebook version ${String(raw.version)}`);
  for (const key of ['id', 'title', 'benchmark', 'created', 'updated'] as const) {
    if (typeof raw[key] !== 'string') throw new NotebookFormatError(`"${key}" must be a string`);
  }
  if (!Array.isArray(raw.cells)) throw new NotebookFormatError('"cells" must be a list');
  raw.cells.forEach((cell: unknown, i: number) => {
    if (!isRecord(cell)) throw new NotebookFormatError(`cell ${i + 1} is not an object`);
    if (typeof cell.id !== 'string') throw new NotebookFormatError(`cell ${i + 1} has no id`);
    if (!CELL_KINDS.includes(cell.kind as CellKind)) {
      throw new NotebookFormatError(`cell ${i + 1} has unknown kind "${String(cell.kind)}" (expected ${CELL_KINDS.join(', ')})`);
    }
    if (typeof cell.title !== 'string') throw new NotebookFormatError(`cell ${i + 1} has no title`);
    if (!isRecord(cell.params)) throw new NotebookFormatError(`cell ${i + 1} has no params object`);
    if (cell.source !== undefined && typeof cell.source !== 'string') throw new NotebookFormatError(`cell ${i + 1}: "source" must be text`);
  });
  return raw as unknown as Notebook;
}
