/**
 * Phase sources (name + CIF text), their preparation for simulation, the writer-ready simulation
 * and prediction file contents, and the simulation parameters read from the benchmark's flat
 * parameter values.
 */
import type { ArraySet, NDArray } from '../../lib/harness/contract';
import { numericDType, parseNumpyDescr } from '../../lib/io/dtype';
import type { ArrayData } from '../../lib/io/ndarray';
import { parseCif } from './cif-parser';
import { preparePhase, referencePeaks, type PreparedPhase, type ReferencePeak } from './crystal';
import { BUILTIN_CIFS, DEFAULT_PHASES } from './phases';
import { fullQAxis } from './profile';
import { preparationGMax, type SimulationParams } from './simulate';

export interface PhaseSource {
  /** Phase name = CIF basename (the prediction file's `phases` entries). */
  name: string;
  cif: string;
}

/** "a, b ,c" → ["a", "b", "c"]. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Parses a comma-separated list of numbers, naming the parameter on error. */
export function numberList(text: string, param: string): number[] {
  const items = splitList(text);
  const values = items.map(Number);
  if (items.length === 0 || values.some((v) => !Number.isFinite(v))) {
    throw new Error(`parameter ${param} must be a comma-separated list of numbers, got '${text}'`);
  }
  return values;
}

/**
 * Reads the `custom_cifs` parameter: a JSON object mapping phase name → CIF text ('' = none), as
 * the notebook's Phases panel fills it from dropped .cif files.
 */
export function parseCustomCifs(customCifsJson: string): Record<string, string> {
  if (customCifsJson.trim() === '') return {};
  let custom: unknown;
  try {
    custom = JSON.parse(customCifsJson);
  } catch (e) {
    throw new Error(`custom_cifs is not valid JSON (name → CIF text): ${(e as Error).message}`, { cause: e });
  }
  if (typeof custom !== 'object' || custom === null || Array.isArray(custom)) {
    throw new Error('custom_cifs must be a JSON object mapping phase names to CIF text');
  }
  for (const [name, text] of Object.entries(custom)) {
    if (typeof text !== 'string') throw new Error(`custom_cifs: the CIF of '${name}' must be a string of CIF text`);
  }
  return custom as Record<string, string>;
}

/**
 * Resolves phase names against the built-in CIFs and the user's CIFs (`customCifsJson`, see
 * parseCustomCifs); a user CIF takes precedence over a built-in one of the same name.
 */
export function resolvePhases(namesText: string, customCifsJson: string): PhaseSource[] {
  const custom = parseCustomCifs(customCifsJson);
  const names = splitList(namesText);
  if (names.length < 2) throw new Error('at least two phases are needed to classify (parameter phases)');
  if (new Set(names).size !== names.length) throw new Error(`phase names must be unique: ${names.join(', ')}`);
  return names.map((name) => {
    const text = Object.hasOwn(custom, name) ? custom[name] : Object.hasOwn(BUILTIN_CIFS, name) ? BUILTIN_CIFS[name] : undefined;
    if (text === undefined) {
      throw new Error(`unknown phase '${name}': built-in phases are ${DEFAULT_PHASES.join(', ')}; add a CIF for others`);
    }
    return { name, cif: text };
  });
}

/** Parses and prepares each phase for simulation (errors name the CIF and the missing item). */
export function preparePhases(sources: readonly PhaseSource[], sim: SimulationParams): PreparedPhase[] {
  return sources.map((s) => preparePhase(parseCif(s.cif, s.name), preparationGMax(sim)));
}

/** Stick positions per phase for plots and the evaluation. */
export interface PhaseSticks {
  phase: string;
  q: number[];
  intensity: number[];
  hkl: string[];
}

export function phaseSticks(phases: readonly PreparedPhase[], qMax: number): PhaseSticks[] {
  return phases.map((phase) => {
    const peaks: ReferencePeak[] = referencePeaks(phase, qMax);
    return {
      phase: phase.name,
      q: peaks.map((p) => p.q),
      intensity: peaks.map((p) => p.intensity),
      hkl: peaks.map((p) => p.hkl.join(' ')),
    };
  });
}

/** Metadata of a simulation file (the reference's `metadata` attributes). */
export interface SimulationMetadata {
  phases: string[];
  id: string;
  summary: string;
  timestamp: string;
  metadata_json: string;
}

/**
 * Writer-ready contents of a simulation file with the reference keys: 1d/x_px (N, 147),
 * 1d/y_px (N,), 1d/x_all_q_axis (256,) and the metadata (phases, id = "sim-<uuid4>", ...).
 */
export function simulationFile(
  profiles: Float32Array,
  labels: Int32Array,
  phases: readonly string[],
  sim: SimulationParams,
  seed: number,
): { arrays: ArraySet; metadata: SimulationMetadata } {
  const n = labels.length;
  return {
    arrays: {
      '1d/x_px': { data: profiles, shape: [n, profiles.length / Math.max(1, n)] },
      '1d/y_px': { data: labels, shape: [n] },
      '1d/x_all_q_axis': { data: fullQAxis(), shape: [fullQAxis().length] },
    },
    metadata: {
      phases: [...phases],
      id: `sim-${crypto.randomUUID()}`,
      summary: `${n} kinematic electron-diffraction radial profiles of ${phases.length} phases (${phases.join(', ')}), ${sim.nPerPhase} per phase, seed ${seed}`,
      timestamp: new Date().toISOString(),
      metadata_json: JSON.stringify({ ...sim, seed, phases }),
    },
  };
}

/**
 * Exactly the arrays of the reference prediction file `<input name>_probability_pred.npz`, for
 * src/lib/io/npz.ts writeNpz: pred (H, W, n_phases) float32, phases as a numpy unicode array
 * ('<U…', opens with numpy.load without allow_pickle) and cnn_id as a 0-d unicode string.
 */
export function predictionFileArrays(pred: NDArray<Float32Array>, phases: readonly string[], cnnId: string): Record<string, ArrayData> {
  const unicode = parseNumpyDescr('<U1'); // the writer widens it to the longest string
  return {
    pred: { dtype: numericDType('f', 4), shape: [...pred.shape], data: pred.data },
    phases: { dtype: unicode, shape: [phases.length], data: [...phases] },
    cnn_id: { dtype: unicode, shape: [], data: [cnnId] },
  };
}

/** "roi_3_rebin_radial_crop.npz" → "roi_3_rebin_radial_crop_probability_pred.npz". */
export function predictionFileName(inputName: string): string {
  const base = inputName.replace(/^.*[\\/]/, '').replace(/\.(npz|npy|h5|hdf5|hdf)$/i, '');
  return `${base}_probability_pred.npz`;
}
