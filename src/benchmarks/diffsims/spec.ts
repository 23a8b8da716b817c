/**
 * Benchmark 'diffsims': electron-diffraction phase mapping of halide-perovskite films
 * (ml_difsims / DIFFSIMS XL). A 1-D CNN trained only on kinematically simulated radial profiles
 * labels every probe position of a scan with its crystal phase; a label-free evaluation checks
 * the peaks of each predicted phase's mean profile against that phase's simulated ring positions.
 */
import type * as tfType from '@tensorflow/tfjs';
import { Rng } from '../../lib/engine/random';
import { fitModel, predictBatched } from '../../lib/engine/train';
import {
  defineBenchmark,
  type ApplyResult,
  type ArraySet,
  type History,
  type NDArray,
  type ParamValues,
  type RunContext,
  type TrainedModel,
} from '../../lib/harness/contract';
import type { QualityCheck } from '../registry';
import type { PreparedPhase } from './crystal';
import { evaluatePhaseMap, type MapEvaluation } from './evaluate';
import { argmaxRows, crossEntropy, throughput } from '../../lib/harness/metrics';
import { forEachConcurrent } from '../../lib/harness/task-pool';
import { misclassifiedExamples, phaseReport } from './metrics';
import { buildModel } from './model';
import { writeNpz } from '../../lib/io/npz';
import type { DataPreview } from '../../lib/harness/preview';
import { DEFAULT_PHASES } from './phases';
import { PROFILE_LENGTH, interpolateLinear, minMaxNormalize, profileQAxis } from './profile';
import { buildSyntheticScan, scanArraySet, DEFAULT_SCAN } from './scan';
import { DEFAULT_SIMULATION, SWEEP_AUGMENTATIONS, simulateProfiles, type SimulationParams } from './simulate';
import {
  numberList,
  phaseSticks,
  preparePhases,
  predictionFileArrays,
  predictionFileName,
  resolvePhases,
  simulationFile,
  type PhaseSource,
  type PhaseSticks,
} from './sources';

const D = DEFAULT_SIMULATION;
/** The later sweep's values, named in the help texts. */
const S = SWEEP_AUGMENTATIONS;
const list = (v: number[]) => v.join(',');

const params = {
  // Data and training
  phases: {
    group: 'data',
    kind: 'string',
    default: DEFAULT_PHASES.join(','),
    help: 'Comma-separated phase names in label order (CIF basenames: built-in or from custom_cifs)',
    modes: ['training'],
  },
  custom_cifs: {
    group: 'data',
    kind: 'string',
    default: '',
    help: 'User CIFs as a JSON object {name: CIF text}; the notebook fills it from dropped .cif files',
    modes: ['training'],
  },
  n_per_phase: { group: 'data', kind: 'int', default: 30000, min: 10, max: 200000, help: 'Simulated profiles per phase (reference: 30,000)', modes: ['training'] },
  epochs: { group: 'train', kind: 'int', default: 2, min: 1, max: 200, help: 'Training epochs (reference: 2 on 90,000 profiles)', modes: ['training'] },
  batch_size: { group: 'train', kind: 'int', default: 64, min: 1, max: 4096, help: 'Batch size for training and prediction' },
  lr: { group: 'train', kind: 'number', default: 1e-3, min: 1e-6, max: 1, help: 'Adam learning rate', modes: ['training'] },
  holdout: { group: 'train', kind: 'number', default: 0.25, min: 0.05, max: 0.9, help: 'Fraction of simulated profiles held out for testing', modes: ['training'] },

  // Simulation: defaults = the data behind the reference's 0.969 (simulate.ts header); the help texts
  // give the later sweep's values (S).
  beam_energy_kev: { group: 'data', kind: 'number', default: D.beamEnergyKeV, min: 10, max: 1000, help: 'Beam energy, keV' },
  g_max: { group: 'data', kind: 'number', default: D.gMax, min: 0.5, max: 3, help: 'Largest reciprocal-lattice vector simulated, Å⁻¹ (1/d)' },
  max_excitation_error: { group: 'data', kind: 'number', default: D.maxExcitationError, min: 1e-4, max: 0.5, help: 'Excitation-error scale of the Lorentzian shape factor, Å⁻¹' },
  precession_angles_deg: { group: 'data', kind: 'string', default: list(D.precessionAnglesDeg), help: 'Precession angles drawn per pattern, degrees (reference "relrod_length")' },
  calibration: { group: 'data', kind: 'number', default: D.calibration, min: 1e-4, max: 0.1, help: 'Detector calibration, Å⁻¹ per pixel (512² pattern)' },
  sigma_px_min: { group: 'data', kind: 'int', default: D.sigmaPxMin, min: 1, max: 50, help: `Smallest Gaussian spot blur σ, pixels (later sweep: ${S.sigmaPxMin})` },
  sigma_px_max: { group: 'data', kind: 'int', default: D.sigmaPxMax, min: 1, max: 50, help: `Largest Gaussian spot blur σ, pixels (later sweep: ${S.sigmaPxMax})` },
  peak_removal_max: { group: 'data', kind: 'int', default: D.peakRemovalMax, min: 0, max: 100, help: `Up to this many of the 20 brightest spots removed per pattern (later sweep: ${S.peakRemovalMax})` },
  snr_choices: { group: 'data', kind: 'string', default: list(D.snrChoices), help: 'SNR p values; a pixel is salted with probability (1−p)/2' },
  spike_choices: { group: 'data', kind: 'string', default: list(D.spikeChoices), help: `Salt values v; 0 = clean pattern (no shot noise, no salt; later sweep: ${list(S.spikeChoices)})` },
  calibration_jitter_percent: { group: 'data', kind: 'number', default: D.calibrationJitterPercent, min: 0, max: 50, help: 'Calibration jitter ±%, per pattern' },
  lattice_scale_min: { group: 'data', kind: 'number', default: D.latticeScaleMin, min: 0.5, max: 2, help: `Smallest isotropic lattice scale (later sweep: ${S.latticeScaleMin})` },
  lattice_scale_max: { group: 'data', kind: 'number', default: D.latticeScaleMax, min: 0.5, max: 2, help: `Largest isotropic lattice scale (later sweep: ${S.latticeScaleMax})` },
  scaled_phase_count: { group: 'data', kind: 'int', default: D.scaledPhaseCount, min: 0, max: 100, help: 'Lattice scaling applies to the first N phases' },
  background_amplitudes: { group: 'data', kind: 'string', default: list(D.backgroundAmplitudes), help: `Background amplitudes A of A·exp(−τq); 0 = none (later sweep: ${list(S.backgroundAmplitudes)})` },
  background_taus: { group: 'data', kind: 'string', default: list(D.backgroundTaus), help: 'Background decay constants τ, Å' },
  profile_normalization: {
    group: 'data',
    kind: 'enum',
    default: D.profileNormalization,
    options: ['max', 'minmax'],
    help: 'Per-profile normalisation of the simulated profiles: divide by the maximum (reference) or min–max',
  },
  render_2d: { group: 'data', kind: 'bool', default: false, help: 'Render each 512² pattern and integrate it (slow reference path)' },

  // Inference
  inference_data: {
    group: 'evaluate',
    kind: 'enum',
    default: 'default_scan',
    options: ['default_scan', 'simulated_test'],
    help: 'Predict the embedded synthetic scan, or a fresh labelled simulated test set',
    modes: ['inference'],
  },
  scan_height: { group: 'evaluate', kind: 'int', default: DEFAULT_SCAN.height, min: 2, max: 1024, help: 'Synthetic scan height, pixels', modes: ['inference'] },
  scan_width: { group: 'evaluate', kind: 'int', default: DEFAULT_SCAN.width, min: 2, max: 1024, help: 'Synthetic scan width, pixels', modes: ['inference'] },
  scan_grains: { group: 'evaluate', kind: 'int', default: DEFAULT_SCAN.grains, min: 2, max: 10000, help: 'Voronoi grains in the synthetic scan', modes: ['inference'] },
  scan_noise: { group: 'evaluate', kind: 'number', default: DEFAULT_SCAN.noise, min: 0, max: 2, help: 'Extra Gaussian noise of the synthetic scan (relative)', modes: ['inference'] },
  n_test_per_phase: { group: 'evaluate', kind: 'int', default: 500, min: 1, max: 100000, help: 'Profiles per phase of the simulated test set', modes: ['inference'] },
} as const;

type Params = ParamValues<typeof params>;

/** A small fixed budget for `npm run bench` (speed, not accuracy). */
export const benchParams: Partial<Params> = { n_per_phase: 2000, epochs: 1, n_test_per_phase: 200 };

/** The issue's bar, after the default (the reference's) budget: 30,000 profiles per phase, 2 epochs. */
export const qualityBar: readonly QualityCheck[] = [
  { mode: 'training', metric: 'accuracy', label: 'held-out accuracy on simulated profiles', atLeast: 0.95 },
  { mode: 'training', metric: 'time', label: 'training time incl. simulation, s' },
];

/** Simulation parameters from the flat benchmark parameters. */
export function simulationParamsFrom(p: Params, nPerPhase: number): SimulationParams {
  return {
    nPerPhase,
    beamEnergyKeV: p.beam_energy_kev,
    gMax: p.g_max,
    maxExcitationError: p.max_excitation_error,
    precessionAnglesDeg: numberList(p.precession_angles_deg, 'precession_angles_deg'),
    calibration: p.calibration,
    detectorSize: D.detectorSize,
    sigmaPxMin: p.sigma_px_min,
    sigmaPxMax: p.sigma_px_max,
    peakRemovalMax: p.peak_removal_max,
    peakRemovalPool: D.peakRemovalPool,
    snrChoices: numberList(p.snr_choices, 'snr_choices'),
    spikeChoices: numberList(p.spike_choices, 'spike_choices'),
    calibrationJitterPercent: p.calibration_jitter_percent,
    latticeScaleMin: p.lattice_scale_min,
    latticeScaleMax: p.lattice_scale_max,
    scaledPhaseCount: p.scaled_phase_count,
    backgroundAmplitudes: numberList(p.background_amplitudes, 'background_amplitudes'),
    backgroundTaus: numberList(p.background_taus, 'background_taus'),
    profileNormalization: p.profile_normalization === 'minmax' ? 'minmax' : 'max',
    render2d: p.render_2d,
  };
}

/** FNV-1a, for dataset cache keys. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function throwIfAborted(ctx: RunContext): void {
  if (ctx.signal.aborted) throw new DOMException('stopped by the user', 'AbortError');
}

/**
 * Simulates all items in chunks of 256, reporting progress within `span` and honouring the stop
 * button. With ctx.pool the chunks run on its workers (two in flight per worker), which prepare
 * the phases from `sources` themselves: `phases` must be preparePhases(sources, sim). A chunk
 * depends only on (phases, sim, seed, start, count), so the data are bit-identical to the
 * single-thread path.
 */
export async function simulateDataset(
  ctx: RunContext,
  sources: readonly PhaseSource[],
  phases: readonly PreparedPhase[],
  sim: SimulationParams,
  seed: number,
  span: [number, number],
): Promise<{ profiles: Float32Array; labels: Int32Array }> {
  const total = sim.nPerPhase * phases.length;
  const profiles = new Float32Array(total * PROFILE_LENGTH);
  const labels = new Int32Array(total);
  const chunk = 256;
  let done = 0;
  const store = (start: number, part: { profiles: Float32Array; labels: Int32Array }) => {
    profiles.set(part.profiles, start * PROFILE_LENGTH);
    labels.set(part.labels, start);
    done += part.labels.length;
    ctx.progress({ fraction: span[0] + ((span[1] - span[0]) * done) / total, label: `simulating ${done}/${total} profiles` });
  };
  const starts = Array.from({ length: Math.ceil(total / chunk) }, (_, i) => i * chunk);
  const pool = ctx.pool;
  if (pool) {
    const args = { sources: [...sources], sim, seed };
    try {
      await forEachConcurrent(
        starts,
        2 * pool.size,
        ctx.signal,
        (start) => pool.run('diffsims.simulate', { ...args, start, count: Math.min(chunk, total - start) }, ctx.signal),
        store,
      );
    } catch (err) {
      throwIfAborted(ctx); // a stop reads the same as on the single-thread path
      throw err;
    }
  } else {
    for (const start of starts) {
      throwIfAborted(ctx);
      store(start, simulateProfiles(phases, sim, seed, start, Math.min(chunk, total - start)));
      await yieldToEventLoop();
    }
  }
  return { profiles, labels };
}

/** Cached simulation: the ArraySet has the reference keys 1d/x_px, 1d/y_px, 1d/x_all_q_axis. */
async function cachedSimulation(
  ctx: RunContext,
  sources: readonly PhaseSource[],
  phases: readonly PreparedPhase[],
  sim: SimulationParams,
  seed: number,
  span: [number, number],
): Promise<{ profiles: Float32Array; labels: Int32Array; seconds: number; generated: boolean }> {
  const key = `diffsims-sim-v2-${phases.length}x${sim.nPerPhase}-seed${seed}-${hash(JSON.stringify({ sources, sim }))}`;
  let seconds = 0;
  let generated = false;
  const arrays = await ctx.datasets.getOrCreate(key, `${phases.length} phases × ${sim.nPerPhase} simulated radial profiles`, async () => {
    const t0 = performance.now();
    const { profiles, labels } = await simulateDataset(ctx, sources, phases, sim, seed, span);
    seconds = (performance.now() - t0) / 1000;
    generated = true;
    return simulationFile(profiles, labels, phases.map((p) => p.name), sim, seed).arrays;
  });
  return { profiles: arrays['1d/x_px'].data as Float32Array, labels: arrays['1d/y_px'].data as Int32Array, seconds, generated };
}

/** Rows `indices` of a row-major (N × width) array. */
function gatherRows(source: Float32Array, width: number, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * width);
  indices.forEach((row, i) => out.set(source.subarray(row * width, (row + 1) * width), i * width));
  return out;
}

async function predictProfiles(ctx: RunContext, model: tfType.LayersModel, profiles: Float32Array, batchSize: number): Promise<Float32Array> {
  const n = profiles.length / PROFILE_LENGTH;
  const x = ctx.tf.tensor3d(profiles, [n, PROFILE_LENGTH, 1]);
  try {
    return await predictBatched(ctx.tf, model, x, batchSize, ctx.signal);
  } finally {
    x.dispose();
  }
}

/** Phase sources recorded with a trained model. */
function modelPhases(trained: TrainedModel): PhaseSource[] {
  const names = trained.info.phases as string[] | undefined;
  const cifs = trained.info.cifs as Record<string, string> | undefined;
  if (!names || !cifs) throw new Error('this model has no phase information (info.phases / info.cifs)');
  return names.map((name) => ({ name, cif: cifs[name] }));
}

/** Per-phase artifacts the panels share: names, model axis, sticks. */
function phaseArtifacts(phases: readonly PreparedPhase[], gMax: number): { phases: string[]; qAxis: Float32Array; sticks: PhaseSticks[] } {
  return { phases: phases.map((p) => p.name), qAxis: Float32Array.from(profileQAxis()), sticks: phaseSticks(phases, gMax) };
}

/**
 * Normalises (and, if the axis differs, interpolates) input profiles onto the model's axis.
 * Min–max per profile: it removes the offsets and backgrounds of measured data, and the training
 * profiles (divided by their maximum, as the reference's) have a floor of only 1–5 % of it.
 */
export function prepareInputProfiles(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  count: number,
  modelAxis: ArrayLike<number>,
  inputName: string,
): { profiles: Float32Array; warnings: string[] } {
  const L = x.length;
  const M = modelAxis.length;
  const warnings: string[] = [];
  const same = L === M && Array.from(modelAxis).every((q, i) => Math.abs(q - x[i]) <= 1e-5);
  const profiles = new Float32Array(count * M);
  if (same) {
    for (let i = 0; i < count * M; i++) profiles[i] = y[i];
  } else {
    for (let i = 1; i < L; i++) if (!(x[i] > x[i - 1])) throw new Error(`${inputName}: the q axis x must be strictly increasing`);
    warnings.push(
      `The q axis of ${inputName} (${L} points, ${x[0].toFixed(4)}–${x[L - 1].toFixed(4)} Å⁻¹) differs from the model's ` +
        `(${M} points, ${modelAxis[0].toFixed(4)}–${modelAxis[M - 1].toFixed(4)} Å⁻¹): profiles were linearly interpolated onto the model's axis.`,
    );
    if (x[0] > modelAxis[0] || x[L - 1] < modelAxis[M - 1]) {
      warnings.push(`${inputName} does not cover the model's whole q range: values beyond its ends were linearly extrapolated.`);
    }
    const row = new Float64Array(L);
    for (let p = 0; p < count; p++) {
      for (let k = 0; k < L; k++) row[k] = y[p * L + k];
      interpolateLinear(x, row, modelAxis, profiles.subarray(p * M, (p + 1) * M));
    }
  }
  for (let p = 0; p < count; p++) minMaxNormalize(profiles, p * M, M);
  return { profiles, warnings };
}

export const diffsims = defineBenchmark({
  id: 'diffsims',
  title: 'Electron-diffraction phase mapping (ml_difsims)',
  group: 'science',
  datasets: ['diffsims_simulated_profiles', 'diffsims_synthetic_scan'],
  modes: ['training', 'inference'],
  params,
  description: [
    'Scanning electron diffraction of halide-perovskite films gives a 2-D pattern per probe position, reduced here to a',
    '147-point radial profile (q = 0.1078–1.3182 Å⁻¹, 1/d). A 1-D CNN (164,931 parameters for 3 phases) trained **only',
    'on simulated profiles** labels each position with its crystal phase, giving phase probability maps.',
    '',
    '**Simulation.** Kinematic electron diffraction at 200 keV from the phases\' CIFs (Lobato–Van Dyck scattering',
    'factors), random orientations, approximate-precession Lorentzian shape factor (precession 0.02–10°), spot blur',
    'σ 3–9 px, ±5 % calibration jitter, crop and normalisation to the maximum: the settings of the data behind the',
    'reference\'s 0.969. The later sweep\'s augmentations are parameters (off by default): removal of up to 20 of the',
    'brightest spots, shot + salt noise, lattice scaling 0.8–1.1, exponential background, σ 1–10 px. The 512² render +',
    'azimuthal integration is replaced by its exact radial equivalent (render_2d runs the image path).',
    '',
    '**Evaluation without labels** (the reference\'s peak_x_pos_difference): the mean profile of each predicted phase,',
    'its peaks by O\'Haver\'s method, and the mean distance from each found peak to the nearest simulated ring of that',
    'phase (Å⁻¹). The reference reports the *sum* over phases as "Mean error"; both the sum and the mean are shown.',
    '',
    'Reference: J. Ferrer Orri et al., ml_difsims / DIFFSIMS XL (3 phases, 90,000 profiles, 2 epochs: test accuracy 0.969).',
  ].join('\n'),

  /** Two simulated profiles per phase (with the chosen augmentations) and each phase's ring positions. */
  async preview(ctx, p) {
    const sources = resolvePhases(p.phases, p.custom_cifs);
    const sim = simulationParamsFrom(p, p.n_per_phase);
    const phases = preparePhases(sources, sim);
    const q = Float32Array.from(profileQAxis());
    const curves = phases.flatMap((phase, k) =>
      [0, 1].map((j) => {
        const { profiles } = simulateProfiles(phases, sim, ctx.seed, k * sim.nPerPhase + j, 1);
        return { title: `${phase.name} #${j}`, x: q, y: profiles, xLabel: 'q (Å⁻¹)' };
      }),
    );
    const sticks = phaseSticks(phases, sim.gMax);
    const preview: DataPreview = {
      curves,
      stats: {
        phases: phases.map((ph) => ph.name).join(', '),
        'profiles per phase': p.n_per_phase,
        'profile length (points)': PROFILE_LENGTH,
        'q range (Å⁻¹)': `${q[0].toFixed(4)}–${q[q.length - 1].toFixed(4)}`,
        ...Object.fromEntries(sticks.map((s) => [`${s.phase}: rings up to ${p.g_max} Å⁻¹`, s.q.length])),
      },
      note: 'Simulated radial profiles, min–max normalised, as the network sees them. The full set is simulated (and cached) when training starts.',
    };
    return { ...preview };
  },

  buildModel: (tf, p) => buildModel(tf, { nPhases: resolvePhases(p.phases, p.custom_cifs).length, learningRate: p.lr, seed: 0 }),

  async training(ctx, p) {
    const t0 = performance.now();
    const { tf } = ctx;
    ctx.log.begin('diffsims training');
    const sources = resolvePhases(p.phases, p.custom_cifs);
    const sim = simulationParamsFrom(p, p.n_per_phase);
    const phases = preparePhases(sources, sim);
    const names = phases.map((ph) => ph.name);
    const nPhases = phases.length;

    ctx.log.begin('simulation');
    const data = await cachedSimulation(ctx, sources, phases, sim, ctx.seed, [0, 0.3]);
    const total = data.labels.length;
    ctx.log.message(
      data.generated
        ? `simulated ${total} profiles in ${data.seconds.toFixed(1)} s (${(total / data.seconds).toFixed(0)} profiles/s)`
        : `${total} simulated profiles loaded from the dataset cache`,
    );
    ctx.log.end('simulation');

    // Random hold-out split (the reference: train_test_split, test 25 %).
    const order = new Rng(ctx.seed + 10).shuffle(Array.from({ length: total }, (_, i) => i));
    const nTest = Math.max(1, Math.round(p.holdout * total));
    const testIdx = order.slice(0, nTest);
    const trainIdx = order.slice(nTest);
    const xTrainData = gatherRows(data.profiles, PROFILE_LENGTH, trainIdx);
    const xTestData = gatherRows(data.profiles, PROFILE_LENGTH, testIdx);
    const yTrainLabels = Int32Array.from(trainIdx, (i) => data.labels[i]);
    const yTestLabels = Int32Array.from(testIdx, (i) => data.labels[i]);

    const xTrain = tf.tensor3d(xTrainData, [trainIdx.length, PROFILE_LENGTH, 1]);
    const xTest = tf.tensor3d(xTestData, [nTest, PROFILE_LENGTH, 1]);
    const yTrain = tf.tidy(() => tf.oneHot(tf.tensor1d(yTrainLabels, 'int32'), nPhases).toFloat());
    const yTest = tf.tidy(() => tf.oneHot(tf.tensor1d(yTestLabels, 'int32'), nPhases).toFloat());

    const model = buildModel(tf, { nPhases, learningRate: p.lr, seed: ctx.seed });
    ctx.log.message(`model large_filter_cnn: ${model.countParams()} parameters, ${trainIdx.length} training / ${nTest} held-out profiles`);
    let history: History;
    let trainSeconds: number;
    let probabilities: Float32Array;
    try {
      ctx.log.begin('training');
      const tTrain = performance.now();
      history = await fitModel(ctx, model, xTrain, yTrain, {
        epochs: p.epochs,
        batchSize: p.batch_size,
        validationData: [xTest, yTest],
        progressSpan: [0.3, 0.95],
      });
      trainSeconds = (performance.now() - tTrain) / 1000;
      ctx.log.end('training');

      ctx.log.begin('evaluation');
      probabilities = await predictBatched(tf, model, xTest, p.batch_size, ctx.signal);
      ctx.log.end('evaluation');
    } finally {
      tf.dispose([xTrain, xTest, yTrain, yTest]);
    }

    const predicted = argmaxRows(probabilities, nPhases);
    const report = phaseReport(yTestLabels, predicted, names);
    const loss = crossEntropy(probabilities, yTestLabels, nPhases);
    for (const c of report.perClass) {
      ctx.log.message(`${c.name}: precision ${c.precision.toFixed(3)} recall ${c.recall.toFixed(3)} f1 ${c.f1.toFixed(3)} (n=${c.support})`);
    }
    ctx.log.message(`held-out accuracy ${report.accuracy.toFixed(4)}, loss ${loss.toFixed(4)}`);
    const epochsRun = history.loss?.length ?? 0;
    const lastTrainAccuracy = (history.acc ?? history.accuracy)?.[epochsRun - 1];

    // A few held-out profiles per phase for the preview panel.
    const examples = names.map((phase, c) => {
      const rows = testIdx.map((_, i) => i).filter((i) => yTestLabels[i] === c).slice(0, 4);
      return { phase, profiles: gatherRows(xTestData, PROFILE_LENGTH, rows) };
    });
    const time = (performance.now() - t0) / 1000;
    ctx.log.end('diffsims training');

    return {
      model,
      history,
      metrics: {
        accuracy: report.accuracy,
        loss,
        f1: report.macroF1,
        train_accuracy_last_epoch: lastTrainAccuracy,
        time,
        throughput: throughput(trainIdx.length * epochsRun, trainSeconds),
        simulation_throughput: data.generated ? throughput(total, data.seconds) : undefined,
      },
      modelInfo: {
        phases: names,
        cifs: Object.fromEntries(sources.map((s) => [s.name, s.cif])),
        q_axis: Array.from(profileQAxis()),
        input_shape: [PROFILE_LENGTH, 1],
        architecture: 'large_filter_cnn (ml_difsims)',
        n_train: trainIdx.length,
        n_test: nTest,
      },
      artifacts: {
        ...phaseArtifacts(phases, sim.gMax),
        report,
        misclassified: misclassifiedExamples(yTestLabels, predicted, xTestData, PROFILE_LENGTH, names),
        examples,
        accuracies: { train_accuracy_last_epoch: lastTrainAccuracy, test_accuracy: report.accuracy, test_loss: loss },
        simulation: { profiles: total, seconds: data.seconds, generated: data.generated },
      },
    };
  },

  async inference(ctx, p, trained) {
    const t0 = performance.now();
    ctx.log.begin('diffsims inference');
    const sources = modelPhases(trained);
    const sim = simulationParamsFrom(p, p.n_test_per_phase);
    const phases = preparePhases(sources, sim);
    const names = phases.map((ph) => ph.name);
    const sticks = phaseSticks(phases, sim.gMax);
    const seed = (ctx.seed + 7919) >>> 0; // distinct from the training data's seed

    let raw: Float32Array;
    let xAxis: Float32Array;
    let truth: Int32Array;
    let mapShape: [number, number];
    if (p.inference_data === 'default_scan') {
      const scanOptions = { ...DEFAULT_SCAN, height: p.scan_height, width: p.scan_width, grains: p.scan_grains, noise: p.scan_noise, seed };
      const key = `diffsims-scan-v1-${hash(JSON.stringify({ sources, sim, scanOptions }))}`;
      ctx.log.begin('synthetic scan');
      const scan = await ctx.datasets.getOrCreate(key, `synthetic ${p.scan_height}×${p.scan_width} scan of ${names.length} phases`, async () =>
        scanArraySet(buildSyntheticScan(phases, sim, scanOptions)),
      );
      ctx.log.end('synthetic scan');
      raw = scan.y.data as Float32Array;
      xAxis = scan.x.data as Float32Array;
      truth = scan.truth.data as Int32Array;
      mapShape = [p.scan_height, p.scan_width];
    } else {
      ctx.log.begin('simulated test set');
      const data = await simulateDataset(ctx, sources, phases, sim, seed, [0, 0.4]);
      ctx.log.end('simulated test set');
      raw = data.profiles;
      xAxis = Float32Array.from(profileQAxis());
      truth = data.labels;
      mapShape = [1, truth.length];
    }
    const count = truth.length;
    const { profiles } = prepareInputProfiles(xAxis, raw, count, profileQAxis(), 'inference data');

    ctx.log.begin('prediction');
    const tPredict = performance.now();
    const probabilities = await predictProfiles(ctx, trained.model, profiles, p.batch_size);
    const predictSeconds = (performance.now() - tPredict) / 1000;
    ctx.log.end('prediction');

    const predicted = argmaxRows(probabilities, names.length);
    const report = phaseReport(truth, predicted, names);
    const evaluation = evaluatePhaseMap(xAxis, raw, predicted, names, sticks.map((s) => s.q));
    logEvaluation(ctx, evaluation);
    ctx.log.message(`accuracy against the ground truth ${report.accuracy.toFixed(4)}`);
    ctx.log.end('diffsims inference');

    return {
      metrics: {
        accuracy: report.accuracy,
        f1: report.macroF1,
        loss: crossEntropy(probabilities, truth, names.length),
        peak_error_sum: evaluation.errorSum ?? undefined,
        peak_error_mean: evaluation.errorMean ?? undefined,
        time: (performance.now() - t0) / 1000,
        throughput: throughput(count, predictSeconds),
      },
      artifacts: {
        ...phaseArtifacts(phases, sim.gMax),
        inferenceData: p.inference_data,
        pred: { data: probabilities, shape: [...mapShape, names.length] },
        argmax: { data: predicted, shape: mapShape },
        truth: { data: truth, shape: mapShape },
        profiles: { data: profiles, shape: [...mapShape, PROFILE_LENGTH] },
        evaluation,
        report,
        misclassified: misclassifiedExamples(truth, predicted, profiles, PROFILE_LENGTH, names),
      },
    };
  },

  async apply(ctx, p, trained, input): Promise<ApplyResult> {
    const { x, y } = input.arrays;
    if (!x || !y) throw new Error(`${input.name}: expected arrays 'x' (q axis) and 'y' (map of profiles); found ${Object.keys(input.arrays).join(', ')}`);
    if (x.shape.length !== 1) throw new Error(`${input.name}: x must be 1-D (the q axis), got shape (${x.shape.join(', ')})`);
    const L = x.shape[0];
    if (y.shape[y.shape.length - 1] !== L) {
      throw new Error(`${input.name}: the last axis of y (${y.shape.join(', ')}) must match x (${L} points)`);
    }
    let mapShape: [number, number];
    if (y.shape.length === 3) mapShape = [y.shape[0], y.shape[1]];
    else if (y.shape.length === 2) mapShape = [y.shape[0], 1];
    else if (y.shape.length === 1) mapShape = [1, 1];
    else throw new Error(`${input.name}: y must be (H, W, ${L}), (N, ${L}) or (${L},), got (${y.shape.join(', ')})`);
    const count = mapShape[0] * mapShape[1];

    const sources = modelPhases(trained);
    const sim = simulationParamsFrom(p, 1);
    const phases = preparePhases(sources, sim);
    const names = phases.map((ph) => ph.name);
    const modelAxis = (trained.info.q_axis as number[] | undefined) ?? Array.from(profileQAxis());
    const raw = y.data instanceof Float32Array ? y.data : Float32Array.from(y.data);
    const { profiles, warnings } = prepareInputProfiles(x.data, raw, count, modelAxis, input.name);

    const probabilities = await predictProfiles(ctx, trained.model, profiles, p.batch_size);
    const predicted = argmaxRows(probabilities, names.length);
    const sticks = phaseSticks(phases, sim.gMax);
    const evaluation = evaluatePhaseMap(x.data, raw, predicted, names, sticks.map((s) => s.q));
    logEvaluation(ctx, evaluation);
    const pred: NDArray<Float32Array> = { data: probabilities, shape: [...mapShape, names.length] };
    const outputs: ArraySet = { pred };
    return {
      outputs,
      // The reference's prediction file: pred, phases (a unicode array, no pickle) and cnn_id.
      files: { [predictionFileName(input.name)]: writeNpz(predictionFileArrays(pred, names, trained.id)) },
      warnings,
      artifacts: {
        ...phaseArtifacts(phases, sim.gMax),
        cnn_id: trained.id,
        predictionFileName: predictionFileName(input.name),
        pred,
        profiles: { data: profiles, shape: [...mapShape, modelAxis.length] },
        argmax: { data: predicted, shape: mapShape },
        evaluation,
      },
    };
  },
});

function logEvaluation(ctx: RunContext, e: MapEvaluation): void {
  ctx.log.message('Evaluation method: Peak X position difference');
  for (const ph of e.phases) {
    ctx.log.message(`${ph.phase}: ${ph.error === null ? 'not evaluated (no pixels or no peaks)' : `${ph.error.toFixed(5)} Å⁻¹`} (${ph.pixels} pixels, ${ph.peaks.length} peaks)`);
  }
  if (e.errorSum !== null) {
    ctx.log.message(`peak position error: sum over phases ${e.errorSum.toFixed(5)} Å⁻¹ (the reference's "Mean error"), mean ${e.errorMean?.toFixed(5)} Å⁻¹`);
  }
}

/** The registry's module convention: `benchmark` (and `benchParams`). */
export const benchmark = diffsims;
