/**
 * The main thread's handle on the compute worker. Owns the worker's lifecycle: a crash or a lost
 * GPU device rejects the calls in flight with a clear message and the next call gets a fresh worker,
 * so no page reload is ever needed.
 */
import * as Comlink from 'comlink';
import type { BackendInfo } from '../engine/backend';
import type { ComputeApi } from '../../../workers/compute.worker';

export type WorkerEvent =
  | { kind: 'ready'; info: BackendInfo }
  | { kind: 'crashed'; message: string }
  | { kind: 'device-lost'; message: string };

export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError';
}

export class ComputeClient {
  private worker: Worker | undefined;
  private api: Comlink.Remote<ComputeApi> | undefined;
  private ready: Promise<BackendInfo> | undefined;
  private crash: { promise: Promise<never>; reject: (e: Error) => void } | undefined;
  private listeners = new Set<(e: WorkerEvent) => void>();

  constructor(private requestedBackend: () => string | undefined) {}

  on(listener: (e: WorkerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: WorkerEvent) {
    for (const l of this.listeners) l(e);
  }

  /** Starts the worker (if needed) and resolves with the backend it chose. */
  start(): Promise<BackendInfo> {
    if (this.ready) return this.ready;
    const worker = new Worker(new URL('../../../workers/compute.worker.ts', import.meta.url), { type: 'module', name: 'compute' });
    this.worker = worker;
    let reject!: (e: Error) => void;
    const promise = new Promise<never>((_, r) => (reject = r));
    promise.catch(() => {});
    this.crash = { promise, reject };
    worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      this.teardown(new WorkerCrashedError(`The compute worker crashed (${ev.message || 'unknown error'}). It has been restarted; run the cell again.`));
      this.emit({ kind: 'crashed', message: ev.message || 'unknown error' });
    });
    this.api = Comlink.wrap<ComputeApi>(worker);
    const api = this.api;
    this.ready = this.guard(
      api.init(this.requestedBackend(), navigator.userAgent, Comlink.proxy((message: string) => this.onDeviceLost(message))),
    );
    this.ready.then(
      (info) => this.emit({ kind: 'ready', info }),
      () => {},
    );
    return this.ready;
  }

  private onDeviceLost(message: string) {
    this.teardown(new WorkerCrashedError(`The GPU device was lost (${message}). The worker has been rebuilt; run the cell again.`));
    this.emit({ kind: 'device-lost', message });
    void this.start();
  }

  private teardown(reason: Error) {
    this.crash?.reject(reason);
    this.api?.[Comlink.releaseProxy]();
    this.worker?.terminate();
    this.worker = undefined;
    this.api = undefined;
    this.ready = undefined;
    this.crash = undefined;
  }

  /** Restarts the worker, e.g. after the backend setting changed. */
  async restart(): Promise<BackendInfo> {
    this.teardown(new WorkerCrashedError('The compute worker was restarted.'));
    return this.start();
  }

  private guard<T>(p: Promise<T>): Promise<T> {
    const crash = this.crash?.promise;
    return crash ? Promise.race([p, crash]) : p;
  }

  /** Calls the worker; rejects with WorkerCrashedError if it dies meanwhile. */
  async call<T>(fn: (api: Comlink.Remote<ComputeApi>) => Promise<T>): Promise<T> {
    await this.start();
    const api = this.api;
    if (!api) throw new WorkerCrashedError('The compute worker is not running.');
    return this.guard(fn(api));
  }
}

export { Comlink };
