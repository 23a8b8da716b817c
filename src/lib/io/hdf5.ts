/**
 * HDF5 (.h5, .hdf5, .nxs, …) as the common tree, through h5wasm in a worker of its own
 * (hdf5.worker.ts): a dataset's `read(selection)` asks the worker for that hyperslab only, and
 * HDF5 reads just the chunks it touches.
 *
 * Where the file comes from:
 * - Node: a real path is opened in place (h5wasm's Node build reads the file system directly).
 * - Browser: the File/Blob is posted to the worker and mounted on Emscripten's WORKERFS, which
 *   reads byte ranges on demand, so the file is never copied whole.
 * - Bytes already in memory are written to a temporary file by the worker.
 *
 * The HDF5 library can loop forever on some corrupt files. Every request therefore has a time
 * limit; past it the worker is stopped (a fresh one serves the next file) and the caller gets
 * an error naming the problem.
 */
import { FormatError, UnsupportedError } from './errors.ts';
import { decodeElements, dtypeName, type DType } from './dtype.ts';
import type { OpenedHdf5, WireNode, WireSource } from './hdf5-core.ts';
import type { Hdf5Request, Hdf5Response } from './hdf5.worker.ts';
import { elementCount, resolveSelection, type ArrayData, type Selection } from './ndarray.ts';
import type { ByteSource } from './source.ts';
import type { ArrayFile, DatasetNode, GroupNode, TreeNode } from './tree.ts';

export interface Hdf5Options {
  /** Time limit for opening a file and the base limit for a read, in ms (default 60 000). */
  timeoutMs?: number;
}

/** Reads get the base limit plus this long per byte requested (a slow 5 MB/s). */
const MS_PER_BYTE = 1 / 5000;

type Request = Hdf5Request extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

interface WorkerLike {
  post(message: Hdf5Request, transfer: ArrayBuffer[]): void;
  terminate(): void;
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** Starts hdf5.worker.ts: a module Worker in browsers, a worker thread (TS via tsx) in Node. */
async function spawn(onMessage: (response: Hdf5Response) => void, onFailure: (error: Error) => void): Promise<WorkerLike> {
  if (!isNode()) {
    const worker = new Worker(new URL('./hdf5.worker.ts', import.meta.url), { type: 'module' });
    worker.addEventListener('message', (event: MessageEvent<Hdf5Response>) => onMessage(event.data));
    worker.addEventListener('error', (event) => onFailure(new Error(event.message || 'the HDF5 worker failed to start')));
    return { post: (m, t) => worker.postMessage(m, t), terminate: () => worker.terminate() };
  }
  const specifiers = { threads: 'node:worker_threads', module: 'node:module' };
  const { Worker: NodeWorker } = (await import(/* @vite-ignore */ specifiers.threads)) as typeof import('node:worker_threads');
  const { createRequire } = (await import(/* @vite-ignore */ specifiers.module)) as typeof import('node:module');
  // Loader hooks are per thread: the worker registers tsx itself before importing the TS entry.
  // (require.resolve finds tsx's CommonJS build; its ESM twin sits beside it.)
  const tsxApi = `file://${createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')}`;
  const entry = new URL('./hdf5.worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  const worker = new NodeWorker(bootstrap, { eval: true });
  worker.on('message', onMessage);
  worker.on('error', onFailure);
  worker.unref(); // an idle HDF5 worker must not keep a CLI process alive
  return { post: (m, t) => worker.postMessage(m, t), terminate: () => void worker.terminate() };
}

/** One worker at a time; replaced after a timeout or a crash. */
class Hdf5Client {
  private worker: Promise<WorkerLike> | undefined;
  private generation = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();

  private start(): Promise<WorkerLike> {
    this.worker ??= spawn(
      (response) => this.settle(response),
      (error) => this.fail(new FormatError(`the HDF5 worker failed: ${error.message}`)),
    );
    return this.worker;
  }

  private settle(response: Hdf5Response): void {
    const waiting = this.pending.get(response.id);
    if (!waiting) return;
    this.pending.delete(response.id);
    clearTimeout(waiting.timer);
    if (response.ok) waiting.resolve(response.result);
    else waiting.reject(response.unsupported ? new UnsupportedError(response.error) : new FormatError(response.error));
  }

  /** Stops the worker and fails everything it was doing; files it had open are gone. */
  private fail(error: Error): void {
    const worker = this.worker;
    this.worker = undefined;
    this.generation++;
    void worker?.then((w) => w.terminate());
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
      this.pending.delete(id);
    }
  }

  /** The current worker generation: handles from an earlier one are dead. */
  get current(): number {
    return this.generation;
  }

  async request<T>(message: Request, timeoutMs: number, what: string, transfer: ArrayBuffer[] = []): Promise<T> {
    const worker = await this.start();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new FormatError(`HDF5 did not finish ${what} within ${Math.round(timeoutMs / 1000)} s; the file is probably corrupt`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      worker.post({ ...message, id } as Hdf5Request, transfer);
    });
  }
}

const client = new Hdf5Client();

function wireSource(source: ByteSource): Promise<WireSource> | WireSource {
  if (isNode() && source.path) return { name: source.name, path: source.path };
  if (!isNode() && source.blob) return { name: source.name, blob: source.blob };
  return source.read(0, source.size).then((bytes) => ({ name: source.name, bytes }));
}

function emptyValues(dtype: DType): ArrayData['data'] {
  if (dtype.kind === 'U' || dtype.kind === 'S' || dtype.kind === 'V' || dtype.kind === 'O') return [];
  return decodeElements(new Uint8Array(0), dtype.kind === 'E' ? (dtype.base as DType) : dtype, 0);
}

/** Opens HDF5 from `source`; the returned tree's reads go to the HDF5 worker. */
export async function openHdf5(source: ByteSource, options: Hdf5Options = {}): Promise<ArrayFile> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const wire = await wireSource(source);
  const generation = client.current;
  const opened = await client.request<OpenedHdf5>({ op: 'open', source: wire }, timeoutMs, 'opening the file', wire.bytes ? [wire.bytes.buffer as ArrayBuffer] : []);
  const alive = () => {
    if (client.current !== generation) throw new FormatError('the HDF5 worker was restarted after a failure; open the file again');
  };

  const toNode = (node: WireNode): TreeNode => {
    if (node.kind === 'group') return { ...node, children: node.children.map(toNode) } satisfies GroupNode;
    if (node.kind !== 'dataset') return node;
    const { shape, dtype, path } = node;
    return {
      ...node,
      async read(selection?: Selection): Promise<ArrayData> {
        if (dtype.unsupported || dtype.base?.unsupported) throw new UnsupportedError(`unsupported dtype ${dtypeName(dtype)}`);
        const sel = resolveSelection(shape, selection);
        const n = elementCount(sel.count);
        if (n === 0 && shape.length > 0) return { dtype, shape: [...sel.count], data: emptyValues(dtype) };
        alive();
        const limit = timeoutMs + n * Math.max(1, dtype.itemsize) * MS_PER_BYTE;
        const data = await client.request<ArrayData['data']>(
          { op: 'read', handle: opened.handle, path, start: sel.start, count: sel.count, step: sel.step, whole: sel.full || shape.length === 0 },
          limit,
          `reading ${path}`,
        );
        return { dtype, shape: [...sel.count], data };
      },
    } satisfies DatasetNode;
  };

  let closed = false;
  return {
    name: source.name,
    format: 'hdf5',
    size: source.size,
    root: toNode(opened.root) as GroupNode,
    warnings: opened.warnings,
    async close() {
      if (closed) return;
      closed = true;
      try {
        if (client.current === generation) await client.request({ op: 'close', handle: opened.handle }, timeoutMs, 'closing the file');
      } finally {
        await source.close?.();
      }
    },
  };
}
