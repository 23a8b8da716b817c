/**
 * HDF5 (.h5, .hdf5, .nxs, …) through h5wasm: the file's groups, datasets, attributes and links
 * become the common tree; a dataset's `read(selection)` reads only that hyperslab (HDF5 reads
 * just the chunks it touches).
 *
 * Where the file comes from:
 * - Node: a real path is opened in place (h5wasm's Node build reads the file system directly).
 * - Browser worker: the dropped File/Blob is mounted on Emscripten's WORKERFS, which reads byte
 *   ranges on demand through FileReaderSync, so the file is never copied whole.
 * - Bytes already in memory are written to a temporary file first.
 *
 * Types are shown as h5py users know them: h5py's enum {FALSE, TRUE} is bool, a compound {r, i}
 * of two floats is complex; other compounds and enums stay compound and enum.
 */
import type { Metadata } from 'h5wasm';
import type { Dataset, Group, File as H5File } from 'h5wasm';
import { FormatError, UnsupportedError } from './errors.ts';
import { condenseHdf5Error, loadH5wasm, type H5Env } from './h5env.ts';
import { decodeElements, dtypeName, numericDType, type DType } from './dtype.ts';
import { resolveSelection, type ArrayData, type PlainValue, type Selection } from './ndarray.ts';
import type { ByteSource } from './source.ts';
import { joinPath, makeGroup, type ArrayFile, type DatasetNode, type GroupNode, type TreeNode } from './tree.ts';

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

function datasetNode(env: H5Env, file: H5File, path: string, warnings: string[], linkTarget?: string): TreeNode {
  const ds = h5call(() => file.get(path)) as Dataset;
  const meta = h5call(() => ds.metadata);
  const attrs = readAttrs(ds, warnings);
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (meta.shape === null) {
    // An HDF5 null dataspace: a dataset with no values, sometimes used only for its attributes.
    return { kind: 'value', name, path, attrs, value: null };
  }
  const dtype = dtypeFromMetadata(meta);
  const filters = h5call(() => ds.filters);
  const shape = [...meta.shape];
  const layout = meta.chunks ? `chunked ${meta.chunks.join('×')}` : 'contiguous';
  const filterText = filters.map((f) => (f.cd_values.length && f.id === 1 ? `${f.name}(${f.cd_values[0]})` : f.name)).join(', ');
  const storage = [layout, filterText, linkTarget ? `soft link → ${linkTarget}` : ''].filter(Boolean).join(', ');
  return {
    kind: 'dataset',
    name,
    path,
    attrs,
    shape,
    dtype,
    storage,
    async read(selection?: Selection): Promise<ArrayData> {
      if (dtype.unsupported || dtype.base?.unsupported) throw new UnsupportedError(`unsupported dtype ${dtypeName(dtype)}`);
      const sel = resolveSelection(shape, selection);
      const n = sel.count.reduce((a, b) => a * b, 1);
      if (n === 0 && shape.length > 0) {
        const empty = dtype.kind === 'U' || dtype.kind === 'S' || dtype.kind === 'V' || dtype.kind === 'O' ? [] : decodeElements(new Uint8Array(0), dtype.kind === 'E' ? (dtype.base as DType) : dtype, 0);
        return { dtype, shape: [...sel.count], data: empty };
      }
      await env.ensureFilters(filters);
      const whole = sel.full || shape.length === 0;
      const processed = dtype.kind === 'U' || dtype.kind === 'S' || dtype.kind === 'V' || dtype.kind === 'O';
      const context = filterText ? ` while decoding ${filterText}` : '';
      const data = processed ? readProcessed(ds, dtype, sel.start, sel.count, sel.step, context) : readRaw(env, ds, meta, dtype, sel.start, sel.count, sel.step, whole, context);
      return { dtype, shape: [...sel.count], data };
    },
  } satisfies DatasetNode;
}

function buildGroup(env: H5Env, file: H5File, group: Group, path: string, depth: number, state: { nodes: number; warnings: string[] }): GroupNode {
  const node = makeGroup(path, readAttrs(group, state.warnings));
  if (depth > MAX_DEPTH) {
    state.warnings.push(`${path}: deeper than ${MAX_DEPTH} levels; not expanded`);
    return node;
  }
  const { module } = env;
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
      if (type === module.H5G_DATASET) node.children.push(datasetNode(env, file, childPath, state.warnings, target));
      else node.children.push({ kind: 'link', name, path: childPath, attrs: {}, target });
      continue;
    }
    if (type === module.H5G_GROUP) {
      node.children.push(buildGroup(env, file, h5call(() => file.get(childPath)) as Group, childPath, depth + 1, state));
    } else if (type === module.H5G_DATASET) {
      node.children.push(datasetNode(env, file, childPath, state.warnings));
    } else {
      node.children.push({ kind: 'value', name, path: childPath, attrs: {}, value: type === module.H5G_TYPE ? 'committed datatype' : `HDF5 object of type ${type}` });
    }
  }
  return node;
}

/** Builds the tree of an open h5wasm File; `release` runs on close (unmount, delete a temp file). */
function fileTree(env: H5Env, file: H5File, source: ByteSource, release: () => void): ArrayFile {
  const warnings: string[] = [];
  const root = buildGroup(env, file, file, '/', 0, { nodes: 0, warnings });
  let closed = false;
  return {
    name: source.name,
    format: 'hdf5',
    size: source.size,
    root,
    warnings,
    async close() {
      if (closed) return;
      closed = true;
      try {
        h5call(() => file.close());
      } finally {
        release();
        await source.close?.();
      }
    },
  };
}

let mountCounter = 0;

/**
 * Opens HDF5 from `source`: a Node path in place, a browser Blob mounted on WORKERFS (worker
 * only: WORKERFS reads through FileReaderSync), anything else via a temporary file.
 */
export async function openHdf5(source: ByteSource, env?: H5Env): Promise<ArrayFile> {
  const h5 = env ?? (await loadH5wasm());
  const { lib, module } = h5;
  if (h5.platform === 'node' && source.path) {
    const file = h5call(() => new lib.File(source.path as string, 'r'));
    return guardTree(h5, file, source, () => undefined);
  }
  if (h5.platform === 'browser' && source.blob) return mountBlob(h5, source.blob, source.name, source);
  // In memory: copy to a temporary file (a Node temp dir, or the browser's in-memory FS).
  const bytes = await source.read(0, source.size);
  const tempPath = `${h5.tempDir}/sciml-io-${Date.now()}-${mountCounter++}.h5`;
  module.FS.writeFile(tempPath, bytes);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    module.FS.unlink(tempPath);
  };
  let file: H5File;
  try {
    file = h5call(() => new lib.File(tempPath, 'r'));
  } catch (error) {
    remove();
    throw error;
  }
  return guardTree(h5, file, source, remove);
}

function guardTree(env: H5Env, file: H5File, source: ByteSource, release: () => void): ArrayFile {
  try {
    return fileTree(env, file, source, release);
  } catch (error) {
    try {
      file.close();
    } finally {
      release();
    }
    throw error;
  }
}

interface WorkerFS {
  filesystems: { WORKERFS: unknown };
}

/**
 * Mounts a browser File/Blob read-only on WORKERFS and opens it: HDF5 then reads byte ranges
 * from the Blob on demand. Only in a Web Worker (FileReaderSync).
 */
export function mountBlob(env: H5Env, blob: Blob, name: string, source?: ByteSource): ArrayFile {
  const { lib, module } = env;
  const dir = `/mnt-${mountCounter++}`;
  const fs = module.FS;
  fs.mkdir(dir);
  fs.mount((fs as unknown as WorkerFS).filesystems.WORKERFS as never, { blobs: [{ name: 'file.h5', data: blob }] }, dir);
  const release = () => {
    fs.unmount(dir);
    fs.rmdir(dir);
  };
  let file: H5File;
  try {
    file = h5call(() => new lib.File(`${dir}/file.h5`, 'r'));
  } catch (error) {
    release();
    throw error;
  }
  return guardTree(env, file, source ?? { name, size: blob.size, read: async () => new Uint8Array(0) }, release);
}
