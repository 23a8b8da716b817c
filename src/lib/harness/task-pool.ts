/**
 * A pool of workers running the named pure functions of src/benchmarks/tasks.ts, for the browser
 * (nested module workers of the compute worker) and Node (worker threads). DOM-free: the pool
 * talks to its workers through the small PoolWorker interface, which each platform adapts.
 *
 * Protocol: the pool posts {id, task, args}; the worker answers {id, ok, result | error}, with
 * the result's ArrayBuffers transferred. Each worker runs at most `perWorker` tasks at a time
 * (its next task already waits in its message queue while it computes one), the rest queue here.
 */
import type { TaskPool } from './contract';
import { transferables } from './transfer';
import type { TaskArgs, TaskName, TaskResult } from '../../benchmarks/tasks';

export interface TaskRequest {
  id: number;
  task: string;
  args: unknown;
}

export type TaskReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** What the pool hears from one worker. */
export interface PoolWorkerEvents {
  message(reply: TaskReply): void;
  /** The worker failed to start, crashed or exited: its tasks in flight are lost. */
  error(message: string): void;
}

/** One worker as the pool drives it. */
export interface PoolWorker {
  post(request: TaskRequest): void;
  /** Whether the worker has work in flight: Node keeps the process alive only while it has. */
  hold(busy: boolean): void;
  terminate(): void;
}

export type PoolWorkerFactory = (events: PoolWorkerEvents) => PoolWorker;

interface Pending {
  id: number;
  task: string;
  args: unknown;
  resolve(value: unknown): void;
  reject(reason: unknown): void;
  signal?: AbortSignal;
  onAbort?: () => void;
  settled: boolean;
}

interface Slot {
  worker: PoolWorker;
  /** Tasks posted to this worker and not yet answered (including ones whose caller gave up). */
  inFlight: Map<number, Pending>;
  alive: boolean;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('aborted', 'AbortError');
}

export class WorkerTaskPool implements TaskPool {
  private slots: Slot[] = [];
  private queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  /** Workers are started on demand, up to `size`. */
  constructor(
    readonly size: number,
    private readonly spawn: PoolWorkerFactory,
    private readonly perWorker = 2,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`a task pool needs at least one worker, got ${size}`);
  }

  run<N extends TaskName>(task: N, args: TaskArgs<N>, signal?: AbortSignal): Promise<TaskResult<N>> {
    return new Promise<TaskResult<N>>((resolve, reject) => {
      if (this.closed) throw new Error('the task pool has been terminated');
      if (signal?.aborted) throw abortReason(signal);
      const pending: Pending = { id: this.nextId++, task, args, resolve: resolve as (v: unknown) => void, reject, signal, settled: false };
      if (signal) {
        pending.onAbort = () => this.settle(pending, false, abortReason(signal));
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** Stops every worker; tasks queued or in flight reject. */
  terminate(): void {
    this.closed = true;
    const reason = new Error('the task pool has been terminated');
    for (const slot of this.slots) this.retire(slot, reason);
    for (const pending of this.queue.splice(0)) this.settle(pending, false, reason);
  }

  private settle(pending: Pending, ok: boolean, value: unknown): void {
    if (pending.settled) return;
    pending.settled = true;
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
    const queued = this.queue.indexOf(pending);
    if (queued >= 0) this.queue.splice(queued, 1);
    if (ok) pending.resolve(value);
    else pending.reject(value);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot: Slot | undefined;
      try {
        slot = this.freeSlot();
      } catch (err) {
        // The platform refused to start a worker: nothing queued can run.
        for (const pending of this.queue.splice(0)) this.settle(pending, false, err);
        return;
      }
      if (!slot) return;
      const pending = this.queue.shift()!;
      slot.inFlight.set(pending.id, pending);
      slot.worker.hold(true);
      slot.worker.post({ id: pending.id, task: pending.task, args: pending.args });
    }
  }

  /** The least busy worker with room, starting another while all are busy and the pool is not full. */
  private freeSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) if (!best || slot.inFlight.size < best.inFlight.size) best = slot;
    if ((!best || best.inFlight.size > 0) && this.slots.length < this.size) return this.startWorker();
    return best && best.inFlight.size < this.perWorker ? best : undefined;
  }

  private startWorker(): Slot {
    const events: PoolWorkerEvents = {
      message: (reply) => this.onReply(slot, reply),
      error: (message) => {
        if (!slot.alive) return;
        this.retire(slot, new Error(`a task worker failed: ${message}`));
        this.dispatch();
      },
    };
    const slot: Slot = { worker: this.spawn(events), inFlight: new Map(), alive: true };
    this.slots.push(slot);
    return slot;
  }

  private onReply(slot: Slot, reply: TaskReply): void {
    const pending = slot.inFlight.get(reply.id);
    if (!slot.alive || !pending) return;
    slot.inFlight.delete(reply.id);
    if (slot.inFlight.size === 0) slot.worker.hold(false);
    if (reply.ok) this.settle(pending, true, reply.result);
    else this.settle(pending, false, new Error(reply.error));
    this.dispatch();
  }

  private retire(slot: Slot, reason: Error): void {
    slot.alive = false;
    this.slots = this.slots.filter((s) => s !== slot);
    slot.worker.terminate();
    for (const pending of slot.inFlight.values()) this.settle(pending, false, reason);
    slot.inFlight.clear();
  }
}

/**
 * The worker side: runs one request against `functions` and returns the reply with the buffers
 * to transfer. A task's error becomes an error reply carrying its message.
 */
export async function answerTask(
  functions: Readonly<Record<string, (args: never) => unknown>>,
  request: TaskRequest,
): Promise<{ reply: TaskReply; transfer: ArrayBuffer[] }> {
  try {
    const fn = Object.hasOwn(functions, request.task) ? (functions[request.task] as (args: unknown) => unknown) : undefined;
    if (!fn) throw new Error(`unknown task '${request.task}' (known: ${Object.keys(functions).join(', ')})`);
    const result = await fn(request.args);
    return { reply: { id: request.id, ok: true, result }, transfer: [...transferables(result)] };
  } catch (err) {
    return { reply: { id: request.id, ok: false, error: err instanceof Error ? err.message : String(err) }, transfer: [] };
  }
}

/** Adapts a browser Worker (a module worker serving answerTask) to the pool. */
export function webPoolWorker(worker: Worker, events: PoolWorkerEvents): PoolWorker {
  worker.addEventListener('message', (e: MessageEvent<TaskReply>) => events.message(e.data));
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    events.error(e.message || 'the task worker failed to load or crashed');
  });
  worker.addEventListener('messageerror', () => events.error('a task reply could not be deserialised'));
  return { post: (request) => worker.postMessage(request), hold: () => {}, terminate: () => worker.terminate() };
}

/**
 * Runs `run(item)` for every item with at most `limit` in flight and hands each result to
 * `onResult` in order of completion. Stops dispatching at the first failure or abort and rejects
 * with it; results still in flight then are dropped.
 */
export async function forEachConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal,
  run: (item: T) => Promise<R>,
  onResult: (item: T, result: R) => void,
): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < items.length) {
      signal.throwIfAborted();
      const item = items[next++];
      const result = await run(item);
      if (failed) return;
      onResult(item, result);
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, () =>
    lane().catch((err: unknown) => {
      failed = true;
      throw err;
    }),
  );
  await Promise.all(lanes);
}
