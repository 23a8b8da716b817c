import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PHASES } from '../src/benchmarks/diffsims/phases';
import { DEFAULT_SIMULATION, type SimulationParams } from '../src/benchmarks/diffsims/simulate';
import { preparePhases, resolvePhases, type PhaseSource } from '../src/benchmarks/diffsims/sources';
import { simulateDataset } from '../src/benchmarks/diffsims/spec';
import type { ProgressReport, RunContext, TaskPool } from '../src/lib/harness/contract';
import { nodeTaskPool } from '../src/lib/harness/node/task-pool';
import { answerTask, forEachConcurrent, WorkerTaskPool, type PoolWorkerEvents, type TaskRequest } from '../src/lib/harness/task-pool';
import { workersOption } from '../cli/args';
import { cpuContext } from './helpers/context';

const sources = resolvePhases(DEFAULT_PHASES.join(','), '');
const sim = (nPerPhase: number): SimulationParams => ({ ...DEFAULT_SIMULATION, nPerPhase });
const sameBits = (a: ArrayBufferView, b: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

async function context(pool?: TaskPool, signal?: AbortSignal): Promise<RunContext & { reports: ProgressReport[] }> {
  const reports: ProgressReport[] = [];
  const base = await cpuContext(0);
  return { ...base, pool, signal: signal ?? base.signal, progress: (r) => reports.push(r), reports };
}

describe('diffsims simulation on a Node worker pool', () => {
  const pool = nodeTaskPool(2);
  afterAll(() => pool.terminate());

  it('gives the bit-identical dataset of the single-thread path, with progress in completion order', async () => {
    const params = sim(230); // 690 profiles: chunks of 256, 256 and 178
    const phases = preparePhases(sources, params);
    const singleCtx = await context();
    const single = await simulateDataset(singleCtx, sources, phases, params, 11, [0.1, 0.5]);
    const pooledCtx = await context(pool);
    const pooled = await simulateDataset(pooledCtx, sources, phases, params, 11, [0.1, 0.5]);

    expect(pooled.labels).toHaveLength(690);
    expect(sameBits(pooled.profiles, single.profiles)).toBe(true);
    expect(sameBits(pooled.labels, single.labels)).toBe(true);
    expect(pooledCtx.reports).toHaveLength(3);
    const counts = pooledCtx.reports.map((r) => Number(/^simulating (\d+)\/690 profiles$/.exec(r.label)?.[1]));
    expect(counts[2]).toBe(690);
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
    expect(pooledCtx.reports[2].fraction).toBeCloseTo(0.5, 12);
  });

  it('stops dispatching chunks when the run is stopped', async () => {
    const controller = new AbortController();
    let calls = 0;
    const counting: TaskPool = { size: pool.size, run: (task, args, signal) => (calls++, pool.run(task, args, signal)) };
    const ctx = await context(counting, controller.signal);
    ctx.progress = (r) => {
      ctx.reports.push(r);
      controller.abort();
    };
    const params = sim(2000); // 24 chunks
    await expect(simulateDataset(ctx, sources, preparePhases(sources, params), params, 0, [0, 1])).rejects.toThrow('stopped by the user');
    expect(ctx.reports).toHaveLength(1);
    expect(calls).toBe(2 * pool.size); // the chunks first in flight, none after the stop
  });

  it("rejects with the worker's error message", async () => {
    const bad: PhaseSource[] = [sources[0], { name: 'broken', cif: 'data_broken\n_cell_length_a 5.0\n' }];
    let expected = '';
    try {
      preparePhases(bad, sim(10));
    } catch (err) {
      expected = (err as Error).message;
    }
    expect(expected).toContain('broken');
    await expect(pool.run('diffsims.simulate', { sources: bad, sim: sim(10), seed: 0, start: 0, count: 4 })).rejects.toThrow(expected);
    // The worker survives a task's error.
    const ok = await pool.run('diffsims.simulate', { sources, sim: sim(10), seed: 0, start: 12, count: 2 });
    expect(Array.from(ok.labels)).toEqual([1, 1]);
  });
});

it('an idle Node pool does not keep the process alive', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'task-pool-'));
  try {
    const script = join(dir, 'idle.mts');
    const poolModule = resolve('src/lib/harness/node/task-pool.ts');
    await writeFile(
      script,
      [
        `import { nodeTaskPool } from ${JSON.stringify(poolModule)};`,
        `import { BUILTIN_CIFS } from ${JSON.stringify(resolve('src/benchmarks/diffsims/phases.ts'))};`,
        `import { DEFAULT_SIMULATION } from ${JSON.stringify(resolve('src/benchmarks/diffsims/simulate.ts'))};`,
        'const sources = Object.entries(BUILTIN_CIFS).map(([name, cif]) => ({ name, cif }));',
        `const r = await nodeTaskPool(1).run('diffsims.simulate', { sources, sim: { ...DEFAULT_SIMULATION, nPerPhase: 5 }, seed: 0, start: 0, count: 3 });`,
        'console.log(`profiles ${r.profiles.length}`);',
      ].join('\n'),
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { timeout: 60_000 });
    expect(stdout.trim()).toBe('profiles 441');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

describe('WorkerTaskPool', () => {
  /** In-process stand-ins for workers: each records its requests and answers when told to. */
  function fakePool(size: number) {
    const workers: { requests: TaskRequest[]; events: PoolWorkerEvents; terminated: boolean; busy: boolean }[] = [];
    const pool = new WorkerTaskPool(size, (events) => {
      const w = { requests: [] as TaskRequest[], events, terminated: false, busy: false };
      workers.push(w);
      return { post: (r) => w.requests.push(r), hold: (busy) => (w.busy = busy), terminate: () => (w.terminated = true) };
    });
    const args = { sources, sim: sim(1), seed: 0, start: 0, count: 1 };
    const answer = (w: (typeof workers)[number], request: TaskRequest, value: unknown) => w.events.message({ id: request.id, ok: true, result: value });
    return { pool, workers, args, answer };
  }

  it('starts workers on demand, keeps at most two tasks on each and queues the rest', async () => {
    const { pool, workers, args, answer } = fakePool(2);
    const results = Array.from({ length: 6 }, () => pool.run('diffsims.simulate', args));
    expect(workers).toHaveLength(2);
    expect(workers.map((w) => w.requests.length)).toEqual([2, 2]);
    expect(workers.every((w) => w.busy)).toBe(true);
    answer(workers[1], workers[1].requests[0], 'a');
    expect(workers[1].requests).toHaveLength(3); // the freed place takes the next queued task
    answer(workers[0], workers[0].requests[0], 'b');
    expect(await results[1]).toBe('a');
    expect(await results[0]).toBe('b');
    pool.terminate();
    const rest = await Promise.allSettled(results.slice(2));
    expect(rest.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(Array(4).fill('the task pool has been terminated'));
    expect(workers.every((w) => w.terminated)).toBe(true);
  });

  it('rejects the tasks of a crashed worker and goes on with a new one', async () => {
    const { pool, workers, args, answer } = fakePool(1);
    const first = pool.run('diffsims.simulate', args);
    const second = pool.run('diffsims.simulate', args);
    const third = pool.run('diffsims.simulate', args);
    workers[0].events.error('out of memory');
    await expect(first).rejects.toThrow('a task worker failed: out of memory');
    await expect(second).rejects.toThrow('out of memory');
    expect(workers).toHaveLength(2);
    answer(workers[1], workers[1].requests[0], 'fresh');
    expect(await third).toBe('fresh');
  });

  it('drops a task whose signal aborts, queued or in flight', async () => {
    const { pool, workers, args, answer } = fakePool(1);
    const controller = new AbortController();
    const inFlight = pool.run('diffsims.simulate', args, controller.signal);
    pool.run('diffsims.simulate', args); // fills the worker's second place
    const queued = pool.run('diffsims.simulate', args, controller.signal);
    controller.abort(new Error('user stop'));
    await expect(inFlight).rejects.toThrow('user stop');
    await expect(queued).rejects.toThrow('user stop');
    answer(workers[0], workers[0].requests[0], 'late'); // ignored
    expect(workers[0].requests).toHaveLength(2); // the aborted queued task was never posted
    await expect(pool.run('diffsims.simulate', args, controller.signal)).rejects.toThrow('user stop');
  });
});

describe('task-pool helpers', () => {
  it('reads --workers: 0 (no pool) to 256, the default when absent', () => {
    expect(workersOption(undefined, 3)).toBe(3);
    expect(workersOption('0', 3)).toBe(0);
    expect(workersOption('8', 3)).toBe(8);
    for (const bad of ['-1', '1.5', '', 'two', '257']) expect(() => workersOption(bad, 3)).toThrow('--workers must be an integer from 0 to 256');
  });

  it('answerTask replies with the result and its whole buffers, or the error message', async () => {
    const data = new Float32Array(4);
    const functions = { twice: (n: number) => ({ data, view: data.subarray(1), n: 2 * n }), fail: () => { throw new Error('no CIF'); } };
    const ok = await answerTask(functions, { id: 1, task: 'twice', args: 3 });
    expect(ok.reply).toMatchObject({ id: 1, ok: true, result: { n: 6 } });
    expect(ok.transfer).toEqual([data.buffer]);
    expect((await answerTask(functions, { id: 2, task: 'fail', args: null })).reply).toEqual({ id: 2, ok: false, error: 'no CIF' });
    expect((await answerTask(functions, { id: 3, task: 'nope', args: null })).reply).toMatchObject({ ok: false, error: expect.stringContaining("unknown task 'nope'") });
  });

  it('forEachConcurrent keeps the limit and stops at the first failure', async () => {
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const run = async (i: number) => {
      started.push(i);
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      if (i === 3) throw new Error('item 3 failed');
      return i;
    };
    const seen: number[] = [];
    await expect(forEachConcurrent([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3, new AbortController().signal, run, (i) => seen.push(i))).rejects.toThrow('item 3 failed');
    expect(most).toBe(3);
    expect(started.length).toBeLessThan(10);
    expect(seen).not.toContain(3);
  });
});
