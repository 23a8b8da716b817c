/** A Node worker thread of the task pool: answers TaskRequests with src/benchmarks/tasks.ts. */
import { parentPort } from 'node:worker_threads';
import { taskFunctions } from '../../../benchmarks/tasks';
import { answerTask, type TaskRequest } from '../task-pool';

const port = parentPort;
if (!port) throw new Error('task-worker.ts runs as a worker thread of the task pool');
port.on('message', async (request: TaskRequest) => {
  const { reply, transfer } = await answerTask(taskFunctions, request);
  port.postMessage(reply, transfer);
});
