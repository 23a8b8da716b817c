/**
 * The pure functions a TaskPool (RunContext.pool) can run in its workers, by name. Arguments and
 * results must survive structured cloning; typed arrays in results are transferred.
 *
 * Each task must depend on its arguments only, so a chunk computed in a worker is bit-identical
 * to the same chunk computed on the calling thread.
 */
import type { PreparedPhase } from './diffsims/crystal';
import { preparationGMax, simulateProfiles, type SimulatedProfiles, type SimulationParams } from './diffsims/simulate';
import { preparePhases, type PhaseSource } from './diffsims/sources';

export interface DiffsimsSimulateArgs {
  /** Phase names and CIF texts, in label order (prepared in the worker, see below). */
  sources: PhaseSource[];
  sim: SimulationParams;
  seed: number;
  /** Global index of the first profile. */
  start: number;
  count: number;
}

/** The phases last prepared in this realm: every chunk of a dataset uses the same ones. */
let prepared: { key: string; phases: PreparedPhase[] } | undefined;

/**
 * Profiles [start, start + count) of a diffsims training set. The phases are prepared from their
 * CIF texts (small to send, unlike the reflection tables) once per worker and set of sources.
 */
function diffsimsSimulate(args: DiffsimsSimulateArgs): SimulatedProfiles {
  const key = JSON.stringify([args.sources, preparationGMax(args.sim)]);
  if (prepared?.key !== key) prepared = { key, phases: preparePhases(args.sources, args.sim) };
  return simulateProfiles(prepared.phases, args.sim, args.seed, args.start, args.count);
}

export const taskFunctions = {
  'diffsims.simulate': diffsimsSimulate,
} satisfies Record<string, (args: never) => unknown>;

export type TaskFunctions = typeof taskFunctions;
export type TaskName = keyof TaskFunctions;
export type TaskArgs<N extends TaskName> = Parameters<TaskFunctions[N]>[0];
export type TaskResult<N extends TaskName> = Awaited<ReturnType<TaskFunctions[N]>>;
