/**
 * The HDF5 worker: h5wasm runs here, never on the caller's thread, so that a corrupt file on
 * which the HDF5 library loops forever costs only this worker (the caller stops it after a
 * timeout). Runs as a browser module worker (spawned from the compute worker) or as a Node
 * worker thread (CLI, tests).
 */
import { UnsupportedError } from './errors.ts';
import { Hdf5Files, type ReadRequest, type WireSource } from './hdf5-core.ts';
import { loadH5wasm } from './h5env.ts';

export type Hdf5Request =
  | { id: number; op: 'open'; source: WireSource }
  | ({ id: number; op: 'read' } & ReadRequest)
  | { id: number; op: 'close'; handle: number };

export type Hdf5Response = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string; unsupported: boolean };

interface Port {
  post(message: Hdf5Response, transfer: ArrayBuffer[]): void;
  listen(handler: (request: Hdf5Request) => void): void;
}

async function connect(): Promise<Port> {
  if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined') {
    const scope = globalThis as unknown as DedicatedWorkerGlobalScope;
    return {
      post: (message, transfer) => scope.postMessage(message, transfer),
      listen: (handler) => scope.addEventListener('message', (event: MessageEvent<Hdf5Request>) => handler(event.data)),
    };
  }
  const threads = 'node:worker_threads';
  const { parentPort } = (await import(/* @vite-ignore */ threads)) as typeof import('node:worker_threads');
  if (!parentPort) throw new Error('hdf5.worker.ts must run as a worker');
  return {
    post: (message, transfer) => parentPort.postMessage(message, transfer),
    listen: (handler) => parentPort.on('message', handler),
  };
}

function buffersOf(result: unknown): ArrayBuffer[] {
  return ArrayBuffer.isView(result) && result.buffer instanceof ArrayBuffer ? [result.buffer] : [];
}

const port = await connect();
const files = loadH5wasm().then((env) => new Hdf5Files(env));
// Requests run one after another: h5wasm is synchronous and not re-entrant.
let queue: Promise<void> = Promise.resolve();
port.listen((request) => {
  queue = queue.then(async () => {
    try {
      const registry = await files;
      let result: unknown;
      if (request.op === 'open') result = registry.open(request.source);
      else if (request.op === 'read') result = await registry.read(request);
      else result = registry.close(request.handle);
      port.post({ id: request.id, ok: true, result }, buffersOf(result));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      port.post({ id: request.id, ok: false, error: message, unsupported: error instanceof UnsupportedError }, []);
    }
  });
});
