/**
 * A RunContext for unit tests: tfjs on the cpu backend with this app's fast cpu kernels (as the
 * CLI and the browser set it up), in-memory dataset cache, captured log.
 */
import * as tf from '@tensorflow/tfjs';
import { useFastCpuKernels } from '../../src/lib/engine/kernels/cpu-fast';
import type { ArraySet, EpochLogs, RunContext } from '../../src/lib/harness/contract';

export interface TestContext extends RunContext {
  lines: string[];
  events: string[];
  epochs: EpochLogs[];
}

export async function cpuContext(seed = 0): Promise<TestContext> {
  await tf.setBackend('cpu');
  await tf.ready();
  useFastCpuKernels(tf);
  const cache = new Map<string, ArraySet>();
  const lines: string[] = [];
  const events: string[] = [];
  const epochs: EpochLogs[] = [];
  const open: string[] = [];
  return {
    tf,
    backend: 'cpu',
    seed,
    lines,
    events,
    epochs,
    signal: new AbortController().signal,
    log: {
      begin: (name) => {
        lines.push(`BEGIN ${name}`);
        open.push(name);
      },
      end: () => {
        lines.push(`ENDED ${open.pop() ?? ''}`);
        return 0;
      },
      message: (text) => lines.push(`MESSG ${text}`),
    },
    event: (name) => events.push(name),
    progress: () => {},
    epoch: (_e, logs) => epochs.push(logs),
    datasets: {
      getOrCreate: async (key, _describe, make) => {
        const hit = cache.get(key);
        if (hit) return hit;
        const made = await make();
        cache.set(key, made);
        return made;
      },
    },
  };
}
