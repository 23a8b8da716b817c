/** The task pool on Node worker threads, for the `sciml-bench` CLI, `npm run bench` and tests. */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { WorkerTaskPool, type TaskReply } from '../task-pool';

/** The main thread only waits while the pool generates data, so every core works: min(cores, 8). */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

const ENTRY = new URL('./task-worker.mjs', import.meta.url);

/**
 * A pool of `size` worker threads. Idle workers are unref'd, so the pool never keeps the process
 * alive by itself; terminate() when done frees the threads at once.
 */
export function nodeTaskPool(size = defaultPoolSize()): WorkerTaskPool {
  return new WorkerTaskPool(size, (events) => {
    const worker = new Worker(ENTRY, { name: 'sciml-task' });
    worker.unref();
    worker.on('message', (reply: TaskReply) => events.message(reply));
    worker.on('error', (err) => events.error(err.message));
    worker.on('exit', (code) => events.error(`the worker thread exited (code ${code})`));
    return {
      post: (request) => worker.postMessage(request),
      hold: (busy) => (busy ? worker.ref() : worker.unref()),
      terminate: () => void worker.terminate(),
    };
  });
}
