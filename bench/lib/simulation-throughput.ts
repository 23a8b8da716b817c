/**
 * Generator throughput for `npm run bench`: diffsims training-set simulation in profiles/s, on
 * the calling thread and on the task pool (RunContext.pool), each after a warm-up pass that
 * starts the workers and prepares their phases.
 */
import { DEFAULT_PHASES } from '../../src/benchmarks/diffsims/phases';
import { DEFAULT_SIMULATION, type SimulationParams } from '../../src/benchmarks/diffsims/simulate';
import { preparePhases, resolvePhases } from '../../src/benchmarks/diffsims/sources';
import { simulateDataset } from '../../src/benchmarks/diffsims/spec';
import type { RunContext, TaskPool, TF } from '../../src/lib/harness/contract';

export interface GeneratorRow {
  generator: string;
  /** Task-pool workers; 0 on the calling thread. */
  workers: number;
  items: number;
  timeS: number;
  itemsPerS: number;
}

function quietContext(tf: TF, pool: TaskPool | undefined): RunContext {
  return {
    tf,
    backend: 'cpu',
    seed: 0,
    signal: new AbortController().signal,
    pool,
    log: { begin: () => {}, end: () => 0, message: () => {} },
    event: () => {},
    progress: () => {},
    epoch: () => {},
    datasets: { getOrCreate: (_key, _describe, make) => make() },
  };
}

/** Profiles/s of the default three phases, `nPerPhase` each, without and with `pool`. */
export async function diffsimsSimulationRows(tf: TF, pool: TaskPool | undefined, nPerPhase: number): Promise<GeneratorRow[]> {
  const sources = resolvePhases(DEFAULT_PHASES.join(','), '');
  const rows: GeneratorRow[] = [];
  for (const p of pool ? [undefined, pool] : [undefined]) {
    const ctx = quietContext(tf, p);
    const workers = p?.size ?? 0;
    // Warm-up: two chunks of 256 per thread (JIT, worker start-up, phase preparation).
    const warm: SimulationParams = { ...DEFAULT_SIMULATION, nPerPhase: Math.ceil((2 * 256 * Math.max(1, workers)) / sources.length) };
    await simulateDataset(ctx, sources, preparePhases(sources, warm), warm, 1, [0, 1]);
    const sim: SimulationParams = { ...DEFAULT_SIMULATION, nPerPhase };
    const phases = preparePhases(sources, sim);
    const t0 = performance.now();
    const { labels } = await simulateDataset(ctx, sources, phases, sim, 0, [0, 1]);
    const timeS = (performance.now() - t0) / 1000;
    rows.push({ generator: 'diffsims simulation', workers, items: labels.length, timeS, itemsPerS: labels.length / timeS });
  }
  return rows;
}

export function formatGenerators(rows: readonly GeneratorRow[]): string {
  const single = rows.find((r) => r.workers === 0);
  return rows
    .map((r) => {
      const where = r.workers === 0 ? 'main thread' : `pool of ${r.workers} worker${r.workers === 1 ? '' : 's'}`;
      const speedup = r.workers > 0 && single ? ` (×${(r.itemsPerS / single.itemsPerS).toFixed(2)} the main thread)` : '';
      return `${r.generator}, ${where}: ${r.itemsPerS.toFixed(0)} profiles/s (${r.items} in ${r.timeS.toFixed(2)} s)${speedup}`;
    })
    .join('\n');
}
