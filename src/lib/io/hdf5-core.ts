/**
 * The HDF5 side of the HDF5 worker: opens files with h5wasm, describes their groups, datasets,
 * attributes and links as plain (structured-cloneable) nodes, and reads hyperslabs.
 *
 * Everything here is synchronous wasm and runs inside a worker (see hdf5.worker.ts): the HDF5
 * library can loop forever on some corrupt files, and only a worker can be stopped then.
 *
 * Types are shown as h5py users know them: h5py's enum {FALSE, TRUE} is bool, a compound {r, i}
 * of two floats is complex; other compounds and enums stay compound and enum.
 */
import type { Metadata } from 'h5wasm';
import type { Dataset, Group, File as H5File } from 'h5wasm';
import { FormatError } from './errors.ts';
import { condenseHdf5Error, type H5Env } from './h5env.ts';
import { decodeElements, numericDType, type DType } from './dtype.ts';
import type { ArrayData, PlainValue } from './ndarray.ts';
import { joinPath, type LinkNode, type ValueNode } from './tree.ts';

/** HDF5 type classes (H5Tpublic.h, H5T_class_t). */
const H5T = { INTEGER: 0, FLOAT: 1, TIME: 2, STRING: 3, BITFIELD: 4, OPAQUE: 5, COMPOUND: 6, REFERENCE: 7, ENUM: 8, VLEN: 9, ARRAY: 10 } as const;
const CLASS_NAMES: Record<number, string> = { 2: 'time', 4: 'bitfield', 5: 'opaque', 7: 'reference', 10: 'array' };

const MAX_DEPTH = 64;
const MAX_NODES = 200_000;

/**
 * HDF5 calls are synchronous; their error stacks become one-line {@link FormatError}s. A wasm
 * trap (e.g. a compression plugin aborting on corrupt data) becomes one too; h5wasm's module
 * stays usable after it.
 */
function h5call<T>(body: () => T, context = ''): T {
  try {
    return body();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof WebAssembly.RuntimeError) {
      throw new FormatError(`the HDF5 library failed${context} (${message.replace(/\. perhaps.*$/s, '')}); the file is probably corrupt`);
    }
    if (!message.includes('HDF5-DIAG')) throw error;
    throw new FormatError(condenseHdf5Error(message));
  }
}

// ---------------------------------------------------------------------------------------------
// Types

/** A type the tree lists but `read` refuses (references, opaque, long double, …). */
function unsupported(label: string): DType {
  return { kind: 'V', itemsize: 0, byteorder: '|', unsupported: label };
}

/** The dtype of an HDF5 type as h5py would report it. */
export function dtypeFromMetadata(m: Metadata): DType {
  const order = m.littleEndian ? '<' : '>';
  switch (m.type) {
    case H5T.INTEGER:
      return [1, 2, 4, 8].includes(m.size) ? numericDType(m.signed ? 'i' : 'u', m.size, order) : unsupported(`int${m.size * 8}`);
    case H5T.FLOAT:
      return [2, 4, 8].includes(m.size) ? numericDType('f', m.size, order) : unsupported(`float${m.size * 8}`);
    case H5T.STRING:
      // h5py: fixed-length ASCII is |S<n>; variable-length strings are str (UTF-8) or bytes.
      if (m.cset === 1) return { kind: 'U', itemsize: 0, byteorder: '|' };
      return { kind: 'S', itemsize: m.vlen ? 0 : m.size, byteorder: '|' };
    case H5T.COMPOUND: {
      const members = m.compound_type?.members ?? [];
      const [re, im] = members;
      if (members.length === 2 && re.name === 'r' && im.name === 'i' && re.type === H5T.FLOAT && im.type === H5T.FLOAT && re.size === im.size && re.offset === 0 && im.offset === re.size && [4, 8].includes(re.size)) {
        return numericDType('c', 2 * re.size, re.littleEndian ? '<' : '>');
      }
      return { kind: 'V', itemsize: m.size, byteorder: '|', fields: members.map((f) => ({ name: f.name, dtype: dtypeFromMetadata(f) })) };
    }
    case H5T.ENUM: {
      const members = m.enum_type?.members ?? {};
      const names = Object.keys(members);
      if (names.length === 2 && members.FALSE === 0 && members.TRUE === 1) return numericDType('b', 1);
      const base = [1, 2, 4, 8].includes(m.size) ? numericDType(m.signed ? 'i' : 'u', m.size, order) : unsupported(`int${m.size * 8}`);
      return { kind: 'E', itemsize: m.size, byteorder: base.byteorder, enumMembers: { ...members }, base };
    }
    case H5T.VLEN:
      return { kind: 'O', itemsize: 0, byteorder: '|', base: m.vlen_type ? dtypeFromMetadata(m.vlen_type) : unsupported('unknown') };
  }
  return unsupported(CLASS_NAMES[m.type] ?? `type class ${m.type}`);
}

// ---------------------------------------------------------------------------------------------
// Values

function toPlain(v: unknown, depth = 0): PlainValue {
  if (depth > MAX_DEPTH) return null;
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => toPlain(x, depth + 1));
  if (Array.isArray(v)) return v.map((x) => toPlain(x, depth + 1));
  if (typeof v === 'object') {
    const name = (v as object).constructor?.name ?? 'object';
    return `<${name}>`;
  }
  return String(v);
}

function isBoolEnum(m: Metadata): boolean {
  const members = m.enum_type?.members;
  return m.type === H5T.ENUM && !!members && Object.keys(members).length === 2 && members.FALSE === 0 && members.TRUE === 1;
}

function readAttrs(obj: Group | Dataset, warnings: string[]): Record<string, PlainValue> {
  const out: Record<string, PlainValue> = {};
  let names: string[];
  try {
    names = Object.keys(h5call(() => obj.attrs));
  } catch (error) {
    warnings.push(`${obj.path}: attributes unreadable (${(error as Error).message})`);
    return out;
  }
  for (const name of names) {
    try {
      const attr = h5call(() => obj.attrs[name]);
      const value = h5call(() => attr.value);
      let plain = toPlain(value);
      if (isBoolEnum(attr.metadata)) plain = Array.isArray(plain) ? plain.map((x) => x === 1) : plain === 1;
      out[name] = plain;
    } catch (error) {
      warnings.push(`${obj.path}: attribute ${JSON.stringify(name)} unreadable (${(error as Error).message})`);
    }
  }
  return out;
}

/**
 * Reads a hyperslab straight from HDF5 into the wasm heap and decodes it here (h5wasm has
 * already converted big-endian atomic types to little-endian): numbers, bool and enum as
 * typed arrays, float16 converted, complex interleaved.
 */
function readRaw(env: H5Env, ds: Dataset, meta: Metadata, dtype: DType, start: number[], count: number[], step: number[], whole: boolean, context: string): ArrayData['data'] {
  const { module } = env;
  const n = count.reduce((a, b) => a * b, 1);
  const nbytes = n * meta.size;
  if (nbytes > module.MAXIMUM_MEMORY) throw new FormatError(`reading ${nbytes} bytes at once exceeds the HDF5 heap; read a smaller slice`);
  const ptr = module._malloc(Math.max(1, nbytes));
  if (ptr === 0) throw new FormatError(`out of HDF5 heap memory for ${nbytes} bytes; read a smaller slice`);
  try {
    h5call(
      () =>
        whole
          ? module.get_dataset_data(ds.file_id, ds.path, null, null, null, BigInt(ptr))
          : module.get_dataset_data(ds.file_id, ds.path, count.map(BigInt), start.map(BigInt), step.map(BigInt), BigInt(ptr)),
      context,
    );
    const bytes = module.HEAPU8.slice(ptr, ptr + nbytes);
    const native: DType = dtype.kind === 'E' ? { ...(dtype.base as DType), byteorder: '<' } : { ...dtype, byteorder: dtype.itemsize === 1 ? '|' : '<' };
    return decodeElements(bytes, native, n);
  } finally {
    module._free(ptr);
  }
}

/** Strings, compound records and variable-length sequences go through h5wasm's own decoding. */
function readProcessed(ds: Dataset, dtype: DType, start: number[], count: number[], step: number[], context: string): ArrayData['data'] {
  const ranges = start.map((s, i) => [s, s + (count[i] - 1) * step[i] + 1, step[i]] as [number, number, number]);
  const value = h5call(() => (ranges.length ? ds.slice(ranges) : ds.value), context);
  const items: unknown[] = Array.isArray(value) ? value : [value];
  if (dtype.kind === 'U' || dtype.kind === 'S') return items.map((x) => String(x));
  if (dtype.kind === 'V') {
    const fields = dtype.fields ?? [];
    return items.map((row) => {
      const record: Record<string, PlainValue> = {};
      fields.forEach((f, i) => (record[f.name] = toPlain((row as unknown[])[i])));
      return record;
    });
  }
  return items.map((x) => toPlain(x));
}

/** A dataset as the worker describes it; reading goes through {@link Hdf5Files.read}. */
export interface WireDataset {
  kind: 'dataset';
  name: string;
  path: string;
  attrs: Record<string, PlainValue>;
  shape: number[];
  dtype: DType;
  storage: string;
}

export interface WireGroup {
  kind: 'group';
  name: string;
  path: string;
  attrs: Record<string, PlainValue>;
  children: WireNode[];
}

export type WireNode = WireGroup | WireDataset | ValueNode | LinkNode;

/** Where the worker finds the file: a real path (Node), a Blob (browser, WORKERFS) or bytes. */
export interface WireSource {
  name: string;
  path?: string;
  blob?: Blob;
  bytes?: Uint8Array;
}

export interface OpenedHdf5 {
  handle: number;
  root: WireGroup;
  warnings: string[];
}

/** A hyperslab request: per-axis start, count and step, or the whole dataset. */
export interface ReadRequest {
  handle: number;
  path: string;
  start: number[];
  count: number[];
  step: number[];
  whole: boolean;
}

interface DatasetEntry {
  ds: Dataset;
  meta: Metadata;
  dtype: DType;
  filters: { id: number; name: string; cd_values: number[] }[];
  filterText: string;
}

interface OpenFile {
  file: H5File;
  datasets: Map<string, DatasetEntry>;
  release: () => void;
}

interface WorkerFS {
  filesystems: { WORKERFS: unknown };
}

/** The files open in one h5wasm instance. */
export class Hdf5Files {
  private readonly files = new Map<number, OpenFile>();
  private nextHandle = 1;
  private mounts = 0;

  constructor(private readonly env: H5Env) {}

  /** Opens a file and describes it; the handle serves later reads. */
  open(source: WireSource): OpenedHdf5 {
    const { lib, module, platform } = this.env;
    let path: string;
    let release: () => void;
    if (platform === 'node' && source.path) {
      path = source.path;
      release = () => undefined;
    } else if (platform === 'browser' && source.blob) {
      // WORKERFS reads byte ranges of the Blob on demand (FileReaderSync): no copy of the file.
      const dir = `/mnt-${this.mounts++}`;
      module.FS.mkdir(dir);
      module.FS.mount((module.FS as unknown as WorkerFS).filesystems.WORKERFS as never, { blobs: [{ name: 'file.h5', data: source.blob }] }, dir);
      path = `${dir}/file.h5`;
      release = () => {
        module.FS.unmount(dir);
        module.FS.rmdir(dir);
      };
    } else if (source.bytes) {
      path = `${this.env.tempDir}/sciml-io-${Date.now()}-${this.mounts++}.h5`;
      module.FS.writeFile(path, source.bytes);
      release = () => module.FS.unlink(path);
    } else {
      throw new FormatError('no way to reach this file from the HDF5 worker');
    }
    let file: H5File;
    try {
      file = h5call(() => new lib.File(path, 'r'));
    } catch (error) {
      release();
      throw error;
    }
    const entry: OpenFile = { file, datasets: new Map(), release };
    try {
      const warnings: string[] = [];
      const root = this.group(entry, file, '/', 0, { nodes: 0, warnings });
      const handle = this.nextHandle++;
      this.files.set(handle, entry);
      return { handle, root, warnings };
    } catch (error) {
      try {
        file.close();
      } finally {
        release();
      }
      throw error;
    }
  }

  close(handle: number): void {
    const entry = this.files.get(handle);
    if (!entry) return;
    this.files.delete(handle);
    try {
      h5call(() => entry.file.close());
    } finally {
      entry.release();
    }
  }

  /** Reads a hyperslab of a dataset of an open file. */
  async read(req: ReadRequest): Promise<ArrayData['data']> {
    const entry = this.files.get(req.handle)?.datasets.get(req.path);
    if (!entry) throw new FormatError(`${req.path} is not an open dataset`);
    const { ds, meta, dtype, filters, filterText } = entry;
    await this.env.ensureFilters(filters);
    const context = filterText ? ` while decoding ${filterText}` : '';
    const processed = dtype.kind === 'U' || dtype.kind === 'S' || dtype.kind === 'V' || dtype.kind === 'O';
    return processed ? readProcessed(ds, dtype, req.start, req.count, req.step, context) : readRaw(this.env, ds, meta, dtype, req.start, req.count, req.step, req.whole, context);
  }

  private dataset(entry: OpenFile, path: string, warnings: string[], linkTarget?: string): WireNode {
    const ds = h5call(() => entry.file.get(path)) as Dataset;
    const meta = h5call(() => ds.metadata);
    const attrs = readAttrs(ds, warnings);
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (meta.shape === null) {
      // An HDF5 null dataspace: a dataset with no values, sometimes used only for its attributes.
      return { kind: 'value', name, path, attrs, value: null };
    }
    const dtype = dtypeFromMetadata(meta);
    const filters = h5call(() => ds.filters);
    const layout = meta.chunks ? `chunked ${meta.chunks.join('×')}` : 'contiguous';
    const filterText = filters.map((f) => (f.cd_values.length && f.id === 1 ? `${f.name}(${f.cd_values[0]})` : f.name)).join(', ');
    const storage = [layout, filterText, linkTarget ? `soft link → ${linkTarget}` : ''].filter(Boolean).join(', ');
    entry.datasets.set(path, { ds, meta, dtype, filters, filterText });
    return { kind: 'dataset', name, path, attrs, shape: [...meta.shape], dtype, storage };
  }

  private group(entry: OpenFile, group: Group, path: string, depth: number, state: { nodes: number; warnings: string[] }): WireGroup {
    const node: WireGroup = { kind: 'group', name: path === '/' ? '' : path.slice(path.lastIndexOf('/') + 1), path, attrs: readAttrs(group, state.warnings), children: [] };
    if (depth > MAX_DEPTH) {
      state.warnings.push(`${path}: deeper than ${MAX_DEPTH} levels; not expanded`);
      return node;
    }
    const { module } = this.env;
    for (const name of h5call(() => group.keys())) {
      if (++state.nodes > MAX_NODES) {
        state.warnings.push(`more than ${MAX_NODES} objects; the rest are not listed`);
        break;
      }
      const childPath = joinPath(path, name);
      // get_type / get_link / get_external_link take paths from the file's root.
      const type = h5call(() => group.get_type(childPath));
      if (type === module.H5G_UDLINK) {
        const ext = h5call(() => group.get_external_link(childPath));
        node.children.push({ kind: 'link', name, path: childPath, attrs: {}, target: ext.obj_path, file: ext.filename });
        continue;
      }
      const target = h5call(() => group.get_link(childPath)) as string | null;
      if (target !== null && target !== undefined) {
        // Soft link: a dataset is shown in place; a group or a dangling link stays a link (no cycles).
        if (type === module.H5G_DATASET) node.children.push(this.dataset(entry, childPath, state.warnings, target));
        else node.children.push({ kind: 'link', name, path: childPath, attrs: {}, target });
        continue;
      }
      if (type === module.H5G_GROUP) {
        node.children.push(this.group(entry, h5call(() => entry.file.get(childPath)) as Group, childPath, depth + 1, state));
      } else if (type === module.H5G_DATASET) {
        node.children.push(this.dataset(entry, childPath, state.warnings));
      } else {
        node.children.push({ kind: 'value', name, path: childPath, attrs: {}, value: type === module.H5G_TYPE ? 'committed datatype' : `HDF5 object of type ${type}` });
      }
    }
    return node;
  }
}
