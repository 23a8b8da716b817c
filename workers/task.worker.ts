/**
 * A task-pool worker, started by the compute worker (a nested module worker): runs the pure
 * functions of src/benchmarks/tasks.ts for RunContext.pool and transfers their results back.
 */
import { taskFunctions } from '../src/benchmarks/tasks';
import { answerTask, type TaskRequest } from '../src/lib/harness/task-pool';

const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.addEventListener('message', async (e: MessageEvent<TaskRequest>) => {
  const { reply, transfer } = await answerTask(taskFunctions, e.data);
  scope.postMessage(reply, transfer);
});
