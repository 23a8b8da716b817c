/**
 * Seeded kinematic electron-diffraction simulator producing the 147-point radial profiles of
 * ml_difsims (§2 of the reference notes), one profile per random crystal orientation.
 *
 * The defaults follow the simulated data behind the reference's reported accuracy (0.969 held
 * out after 2 epochs on 90,000 profiles). Sources (jordiferrero/diffsims_xl): the training
 * notebook ml_difsims/cnn_models/20220405_MODEL_TRAINING_TEMPLATE_folder/2_train_CNN_template.ipynb
 * prints its data file, 1D_simulated_data_cal0p00588_cropK_randrelrod0p02-0p2-0p4-0p6-1-2-5-10_
 * randsigma2d3-4-5-6-7-8-9_3classes_orix30000neuler_cubo.npz, and 90,000 = 3 × 30,000 profiles:
 *  - σ ∈ {3..9} px (the file name; simulator_diffsims.py at e0b4b46: np.arange(3, 10));
 *  - one profile per orientation, so no shot/salt noise and no 1-D background: that era's
 *    simulator_diffsims.py stacks one copy per (snr, spike) and per (A, τ), and defaults to
 *    add_noise False, add_background_to 'none';
 *  - no peak removal: the name has no peakremoval field (the stored simulators, e0b4b46 and
 *    8c5fa06 of simulator_diffsims.py and the Dagster ops, all write one) and e0b4b46 defaults
 *    remove_peaks_from_diffraction_library False;
 *  - no lattice scaling: no stored version of the simulator scales the CIF (only the unfinished
 *    scale_lattice in ml_difsims/tests/test_cif_file_modification.ipynb); "scaled" names the
 *    fixed CIF, a = 8.91 Å.
 * The later sweep's augmentations (param_space_yaml.yml, §2.2 of the notes: peak removal, shot +
 * salt noise, background, σ 1–10, lattice scale 0.8–1.1) remain parameters: SWEEP_AUGMENTATIONS.
 *
 * Per pattern (each draw is a parameter):
 *  1. uniform random rotation (Shoemake quaternion; the reference's 3° fundamental-zone lists give
 *     the same radial profiles); isotropic lattice scale U(min, max) for the first
 *     `scaledPhaseCount` phases (default 1); calibration jitter cal·(1 + U(−5, 5)/100)
 *     (calibration_modify_percent 5, applied there as a ±5 % shift of the k-crop window: the same
 *     stretch of q); precession angle φ from {0.02, 0.2, 0.4, 0.6, 1, 2, 5, 10}° (the third
 *     positional argument of DiffractionGenerator, "relrod_length" in diffsims_xl, is
 *     precession_angle in diffsims 0.4); Gaussian spot blur σ px.
 *  2. every reflection with |g| ≤ g_max = 0.00588 · (515 // 2) = 1.511 Å⁻¹ (after scaling;
 *     simulation_utils.get_reciprocal_radius), excitation error (diffsims convention)
 *        s_g = z_sphere − g_z,   z_sphere = 1/λ − √(1/λ² − r²),   r = |g_xy|
 *     and intensity I_g = |F_g|² · shape(s_g). For φ > 0 the shape is the approximate-precession
 *     Lorentzian of Palatinus et al. (2019, Acta Cryst. B75, 512) Eq. (10), σ_e = π / s_max:
 *        u = σ_e²(r²φ² − s²) + 1,  z = √(u² + 4σ_e² s²),  shape = (σ_e/π) √(2(u + z)/z²)
 *     applied to ALL reflections in the sphere, as diffsims 0.4.2 does (calculate_ed_data after
 *     pyxem/diffsims#161; 0.4.2 was current until 0.5.0 of 2022-06-10, after the notebook). The
 *     pre-filter to reflections that the precessing Ewald sphere crosses within s_max came with
 *     #166 in 0.5.0 and is not applied. For φ = 0: the Lorentzian 1/(1 + σ_e² s²) on |s| < s_max.
 *  3. n ∈ {0..peakRemovalMax} random spots of the 20 brightest removed (default: none).
 *  4. spots (r_px = r / (cal·jitter)) blurred by a Gaussian of σ px, image normalised to max 1;
 *     with a spike value v ≠ 0: im += Poisson(im), im /= max, each pixel set to v with
 *     probability (1 − p)/2 (noise_utils.add_noise_to_simulation; default clean, v = 0).
 *  5. azimuthal mean into 256 bins q_i = i·0.0082905 Å⁻¹ with the nominal calibration; divide by
 *     the maximum (data / data.max(), NaN → 0, in simulator_diffsims.py and
 *     simulator_diffsims_dagster_ops.post_processing_1d: not min–max, so the profile keeps its
 *     floor of weak reflections, 1–5 % of the maximum); add A·exp(−τ q) (default A = 0); crop
 *     bins 13..159 (147 points); divide by the maximum again. `profileNormalization: 'minmax'`
 *     gives the min–max variant.
 *
 * The fast path (default) never renders the 512² image. The azimuthal mean of a 2-D Gaussian
 * spot of total intensity I at radius r₀ is exactly
 *        A(r) = I/(2πσ²) · exp(−(r − r₀)²/(2σ²)) · ê(r r₀/σ²),    ê(x) = e^{−x} I₀(x),
 * so each spot adds a 1-D radial kernel. Spot intensities are deposited on a radial grid of
 * σ/4 (linear weights: keeps each spot's weight and mean radius, widens it by < 1 %), and the
 * kernel is averaged over each bin (erf) with ê taken at the bin centre. The 2-D noise reduces
 * exactly to per-bin noise: a ring of n pixels with mean m has Σ Poisson(im) = Poisson(n·m),
 * and its salted pixel count is Binomial(n, f) (drawn as Poisson(n·f), capped at n). What this
 * leaves out: pixelation of spot positions (sub-pixel here), the overwrite of spots that fall
 * on the same pixel (summed here), and the image maximum after shot noise, which is estimated
 * from the pixels of the brightest spot only. `render2d` runs the reference pipeline on the
 * 512² image instead, for checking (tests compare the two).
 */
import { Rng, itemSeed } from '../../lib/engine/random';
import { electronWavelength, type PreparedPhase } from './crystal';
import { electronScatteringFactor } from './scattering';
import {
  CALIBRATION,
  CROP_START,
  PROFILE_LENGTH,
  Q_STEP,
  RADIAL_BINS,
  discSquareArea,
  maxNormalize,
  minMaxNormalize,
} from './profile';

export interface SimulationParams {
  /** Profiles per phase; labels are contiguous blocks (index i has label ⌊i / nPerPhase⌋). */
  nPerPhase: number;
  beamEnergyKeV: number;
  /** Largest |g| simulated, Å⁻¹ (after lattice scaling). */
  gMax: number;
  /** Excitation-error scale s_max of the Lorentzian shape factor, Å⁻¹. */
  maxExcitationError: number;
  /** Precession angles φ to draw from, degrees (the reference's "relrod_length" values). */
  precessionAnglesDeg: number[];
  /** Nominal detector calibration, Å⁻¹ per pixel. */
  calibration: number;
  /** Side of the square detector in pixels. */
  detectorSize: number;
  /** Gaussian spot blur σ, drawn as an integer in [min, max] pixels. */
  sigmaPxMin: number;
  sigmaPxMax: number;
  /** Up to this many spots are removed, drawn from the `peakRemovalPool` brightest. */
  peakRemovalMax: number;
  peakRemovalPool: number;
  /** p values; a pixel is salted with probability (1 − p)/2. */
  snrChoices: number[];
  /** Salt value v; 0 means a clean pattern (no shot noise, no salt). */
  spikeChoices: number[];
  /** Calibration jitter: cal·(1 + U(−x, x)/100). */
  calibrationJitterPercent: number;
  /** Isotropic lattice scale U(min, max) for the first `scaledPhaseCount` phases. */
  latticeScaleMin: number;
  latticeScaleMax: number;
  scaledPhaseCount: number;
  /** Background A·exp(−τq) amplitudes and decay constants (Å). */
  backgroundAmplitudes: number[];
  backgroundTaus: number[];
  /** Per-profile normalisation before and after the crop: divide by the maximum, or min–max. */
  profileNormalization: ProfileNormalization;
  /** Render the full 2-D pattern (slow reference path) instead of the analytic radial kernel. */
  render2d: boolean;
}

export type ProfileNormalization = 'max' | 'minmax';

/** Reference g_max: calibration × (detector_size // 2) = 0.00588 × 257 Å⁻¹. */
export const REFERENCE_G_MAX = CALIBRATION * Math.floor(515 / 2);

/** Defaults: the simulation behind the reference's 0.969 (see the header for the sources). */
export const DEFAULT_SIMULATION: Readonly<SimulationParams> = Object.freeze({
  nPerPhase: 1000,
  beamEnergyKeV: 200,
  gMax: REFERENCE_G_MAX,
  maxExcitationError: 0.01,
  precessionAnglesDeg: [0.02, 0.2, 0.4, 0.6, 1, 2, 5, 10],
  calibration: CALIBRATION,
  detectorSize: 512,
  sigmaPxMin: 3,
  sigmaPxMax: 9,
  peakRemovalMax: 0,
  peakRemovalPool: 20,
  snrChoices: [0.9, 0.99, 0.999, 0.9999],
  spikeChoices: [0],
  calibrationJitterPercent: 5,
  latticeScaleMin: 1,
  latticeScaleMax: 1,
  scaledPhaseCount: 2,
  backgroundAmplitudes: [0],
  backgroundTaus: [0.1, 0.5, 1.0, 1.5, 2.0, 2.5],
  profileNormalization: 'max',
  render2d: false,
});

/**
 * The augmentations of the later simulation sweep (param_space_yaml.yml as summarised in §2.2 of
 * the reference notes), for training on harder, more varied profiles: spread over the defaults.
 */
export const SWEEP_AUGMENTATIONS: Readonly<
  Pick<SimulationParams, 'sigmaPxMin' | 'sigmaPxMax' | 'peakRemovalMax' | 'spikeChoices' | 'latticeScaleMin' | 'latticeScaleMax' | 'backgroundAmplitudes'>
> = Object.freeze({
  sigmaPxMin: 1,
  sigmaPxMax: 10,
  peakRemovalMax: 20,
  spikeChoices: [0, 0, 0, 0, 0.1, 0.25, 0.5, 0.75],
  latticeScaleMin: 0.8,
  latticeScaleMax: 1.1,
  backgroundAmplitudes: [0, 0, 0, 0, 0.1, 1, 5, 10],
});

/** The random choices made for one pattern (shown in previews and kept for checking). */
export interface PatternDraws {
  label: number;
  /** Row-major 3×3 rotation applied to the crystal. */
  rotation: number[];
  latticeScale: number;
  /** Actual calibration / nominal calibration. */
  calibrationFactor: number;
  precessionDeg: number;
  sigmaPx: number;
  removedSpots: number;
  spike: number;
  snr: number;
  backgroundAmplitude: number;
  backgroundTau: number;
}

export interface SimulatedProfiles {
  /** (count, 147) normalised profiles (max 1). */
  profiles: Float32Array;
  /** (count,) phase labels. */
  labels: Int32Array;
}

/** The largest |g| a phase must be prepared to, so scaled lattices still reach `gMax`. */
export function preparationGMax(params: SimulationParams): number {
  return params.gMax * Math.max(1, params.latticeScaleMax);
}

/**
 * Simulates profiles for global item indices [startIndex, startIndex + count). Item i depends
 * only on (phases, params, seed, i), so any split of a dataset into chunks (e.g. across workers)
 * gives identical data. Phases must have been prepared to at least preparationGMax(params).
 */
export function simulateProfiles(
  phases: readonly PreparedPhase[],
  params: SimulationParams,
  seed: number,
  startIndex: number,
  count: number,
): SimulatedProfiles {
  validateParams(params, phases.length);
  const profiles = new Float32Array(count * PROFILE_LENGTH);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const out = profiles.subarray(n * PROFILE_LENGTH, (n + 1) * PROFILE_LENGTH);
    labels[n] = simulateProfile(phases, params, seed, startIndex + n, out).label;
  }
  return { profiles, labels };
}

/** Simulates item `index` into `out` (147 values) and returns its draws. */
export function simulateProfile(
  phases: readonly PreparedPhase[],
  params: SimulationParams,
  seed: number,
  index: number,
  out: Float32Array = new Float32Array(PROFILE_LENGTH),
): PatternDraws {
  const label = Math.floor(index / params.nPerPhase);
  if (label < 0 || label >= phases.length) {
    throw new Error(`item ${index} is outside the dataset (${phases.length} phases × ${params.nPerPhase})`);
  }
  const rng = new Rng(itemSeed(seed, index));
  const draws = drawPattern(rng, params, label);
  const spots = computeSpots(phases[label], params, draws);
  removeBrightestSpots(spots, params.peakRemovalPool, draws.removedSpots, rng.fork(1));
  const radial = params.render2d ? integrateRendered(spots, params, draws, rng.fork(2)) : integrateAnalytic(spots, params, draws, rng.fork(2));
  finishProfile(radial, draws, params.profileNormalization, out);
  return draws;
}

function validateParams(params: SimulationParams, nPhases: number): void {
  const lists: (keyof SimulationParams)[] = ['precessionAnglesDeg', 'snrChoices', 'spikeChoices', 'backgroundAmplitudes', 'backgroundTaus'];
  for (const key of lists) {
    const list = params[key] as number[];
    if (list.length === 0 || list.some((v) => !Number.isFinite(v))) throw new Error(`simulation parameter ${key} needs at least one number`);
  }
  if (!(params.nPerPhase >= 1)) throw new Error('nPerPhase must be at least 1');
  if (nPhases < 1) throw new Error('at least one phase is needed');
  if (params.sigmaPxMin < 0.5 || params.sigmaPxMax < params.sigmaPxMin) throw new Error('spot blur σ range must satisfy 0.5 ≤ min ≤ max');
  if (params.latticeScaleMin <= 0 || params.latticeScaleMax < params.latticeScaleMin) throw new Error('lattice scale range must satisfy 0 < min ≤ max');
}

const choice = (rng: Rng, list: readonly number[]) => list[rng.int(0, list.length - 1)];

/** Uniform random rotation matrix from a uniform unit quaternion (Shoemake 1992). */
export function randomRotation(rng: Rng): number[] {
  const u1 = rng.next();
  const u2 = 2 * Math.PI * rng.next();
  const u3 = 2 * Math.PI * rng.next();
  const a = Math.sqrt(1 - u1);
  const b = Math.sqrt(u1);
  const [x, y, z, w] = [a * Math.sin(u2), a * Math.cos(u2), b * Math.sin(u3), b * Math.cos(u3)];
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
    2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
    2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
  ];
}

function drawPattern(rng: Rng, params: SimulationParams, label: number): PatternDraws {
  const rotation = randomRotation(rng);
  const latticeScale = label < params.scaledPhaseCount ? rng.uniform(params.latticeScaleMin, params.latticeScaleMax) : 1;
  const jitter = params.calibrationJitterPercent;
  return {
    label,
    rotation,
    latticeScale,
    calibrationFactor: 1 + rng.uniform(-jitter, jitter) / 100,
    precessionDeg: choice(rng, params.precessionAnglesDeg),
    sigmaPx: rng.int(Math.round(params.sigmaPxMin), Math.round(params.sigmaPxMax)),
    removedSpots: rng.int(0, params.peakRemovalMax),
    spike: choice(rng, params.spikeChoices),
    snr: choice(rng, params.snrChoices),
    backgroundAmplitude: choice(rng, params.backgroundAmplitudes),
    backgroundTau: choice(rng, params.backgroundTaus),
  };
}

// ---------------------------------------------------------------------------------------------
// Spots

interface Spots {
  count: number;
  /** Detector coordinates in nominal pixels from the pattern centre. */
  x: Float64Array;
  y: Float64Array;
  r: Float64Array;
  intensity: Float64Array;
}

/** f_e tables on a fine |g| grid, per prepared phase (built once per worker). */
const SCATTERING_TABLE_STEP = 5e-4;
const scatteringTables = new WeakMap<PreparedPhase, { gMax: number; tables: Float64Array[] }>();

function scatteringTablesFor(phase: PreparedPhase, gMax: number): Float64Array[] {
  const hit = scatteringTables.get(phase);
  if (hit && hit.gMax >= gMax) return hit.tables;
  const n = Math.ceil(gMax / SCATTERING_TABLE_STEP) + 2;
  const tables = phase.elements.map((el) => Float64Array.from({ length: n }, (_, i) => electronScatteringFactor(el, i * SCATTERING_TABLE_STEP)));
  scatteringTables.set(phase, { gMax, tables });
  return tables;
}

function computeSpots(phase: PreparedPhase, params: SimulationParams, d: PatternDraws): Spots {
  const nEl = phase.elements.length;
  const tables = scatteringTablesFor(phase, params.gMax);
  const k = 1 / electronWavelength(params.beamEnergyKeV);
  const sigmaE = Math.PI / params.maxExcitationError;
  const phi = (d.precessionDeg * Math.PI) / 180;
  const R = d.rotation;
  const pxPerInvA = 1 / (params.calibration * d.calibrationFactor);
  const half = params.detectorSize / 2;
  const inv = 1 / d.latticeScale;

  const spots: Spots = {
    count: 0,
    x: new Float64Array(phase.count),
    y: new Float64Array(phase.count),
    r: new Float64Array(phase.count),
    intensity: new Float64Array(phase.count),
  };
  for (let j = 0; j < phase.count; j++) {
    const gLen = phase.gLength[j] * inv;
    if (gLen > params.gMax) continue;
    const gx = phase.g[3 * j] * inv;
    const gy = phase.g[3 * j + 1] * inv;
    const gz = phase.g[3 * j + 2] * inv;
    const zSpot = R[6] * gx + R[7] * gy + R[8] * gz;
    const r2 = Math.max(0, gLen * gLen - zSpot * zSpot);
    const s = k - Math.sqrt(k * k - r2) - zSpot;
    let shape: number;
    if (phi > 0) {
      const u = sigmaE * sigmaE * (r2 * phi * phi - s * s) + 1;
      const z = Math.sqrt(u * u + 4 * sigmaE * sigmaE * s * s);
      shape = (sigmaE / Math.PI) * Math.sqrt((2 * (u + z)) / (z * z));
    } else {
      if (Math.abs(s) >= params.maxExcitationError) continue;
      shape = 1 / (1 + sigmaE * sigmaE * s * s);
    }
    const xPx = (R[0] * gx + R[1] * gy + R[2] * gz) * pxPerInvA;
    const yPx = (R[3] * gx + R[4] * gy + R[5] * gz) * pxPerInvA;
    if (Math.abs(xPx) >= half || Math.abs(yPx) >= half) continue; // off the detector

    // |F|² from the partial structure factors and tabulated f_e (linear interpolation).
    const t = gLen / SCATTERING_TABLE_STEP;
    const ti = Math.floor(t);
    const tf = t - ti;
    let re = 0;
    let im = 0;
    for (let e = 0; e < nEl; e++) {
      const tab = tables[e];
      const f = tab[ti] + tf * (tab[ti + 1] - tab[ti]);
      re += f * phase.partialRe[j * nEl + e];
      im += f * phase.partialIm[j * nEl + e];
    }
    const n = spots.count++;
    spots.x[n] = xPx;
    spots.y[n] = yPx;
    spots.r[n] = Math.sqrt(r2) * pxPerInvA;
    spots.intensity[n] = (re * re + im * im) * shape;
  }
  return spots;
}

/** Sets `remove` random spots among the `pool` brightest to zero intensity. */
function removeBrightestSpots(spots: Spots, pool: number, remove: number, rng: Rng): void {
  if (remove <= 0 || spots.count === 0) return;
  const top = brightestIndices(spots, pool);
  rng.shuffle(top);
  for (let i = 0; i < Math.min(remove, top.length); i++) spots.intensity[top[i]] = 0;
}

/** Indices of the `n` brightest spots, brightest first. */
function brightestIndices(spots: Spots, n: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < spots.count; i++) {
    const v = spots.intensity[i];
    if (top.length === n && v <= spots.intensity[top[n - 1]]) continue;
    let p = Math.min(top.length, n - 1);
    if (top.length < n) top.push(i);
    while (p > 0 && spots.intensity[top[p - 1]] < v) {
      top[p] = top[p - 1];
      p--;
    }
    top[p] = i;
  }
  return top;
}

// ---------------------------------------------------------------------------------------------
// Analytic radial integration (fast path)

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7). */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-ax * ax));
}

/** e^{−x} I₀(x) for x ≥ 0, Abramowitz & Stegun 9.8.1 / 9.8.2 (relative error < 2e-7). */
export function besselI0Scaled(x: number): number {
  if (x <= 3.75) {
    const t2 = (x / 3.75) ** 2;
    const i0 = 1 + t2 * (3.5156229 + t2 * (3.0899424 + t2 * (1.2067492 + t2 * (0.2659732 + t2 * (0.0360768 + t2 * 0.0045813)))));
    return i0 * Math.exp(-x);
  }
  const u = 3.75 / x;
  const p =
    0.39894228 +
    u * (0.01328592 + u * (0.00225319 + u * (-0.00157565 + u * (0.00916281 + u * (-0.02057706 + u * (0.02635537 + u * (-0.01647633 + u * 0.00392377)))))));
  return p / Math.sqrt(x);
}

const ERF_TABLE_RANGE = 6;
const ERF_TABLE_STEP = 1e-3;
let erfTable: Float64Array | null = null;

/** Tabulated erf (linear interpolation; error < 1e-7), clamped to ±1 beyond ±6. */
function erfFast(x: number): number {
  erfTable ??= Float64Array.from({ length: Math.round((2 * ERF_TABLE_RANGE) / ERF_TABLE_STEP) + 2 }, (_, i) =>
    erf(-ERF_TABLE_RANGE + i * ERF_TABLE_STEP),
  );
  if (x <= -ERF_TABLE_RANGE) return -1;
  if (x >= ERF_TABLE_RANGE) return 1;
  const t = (x + ERF_TABLE_RANGE) / ERF_TABLE_STEP;
  const i = Math.floor(t);
  return erfTable[i] + (t - i) * (erfTable[i + 1] - erfTable[i]);
}

/** Width of one integration bin in nominal pixels (≈ 1.41 px). */
function binWidthPx(params: SimulationParams): number {
  return Q_STEP / params.calibration;
}

/** Number of detector pixels in each radial bin (annulus ∩ square). */
function ringPixelCounts(params: SimulationParams): Float64Array {
  const dr = binWidthPx(params);
  const half = params.detectorSize / 2;
  return Float64Array.from({ length: RADIAL_BINS }, (_, i) => {
    const lo = Math.max(0, (i - 0.5) * dr);
    return discSquareArea((i + 0.5) * dr, half) - discSquareArea(lo, half);
  });
}

/** Azimuthal mean per bin of the blurred, max-normalised pattern, with 2-D noise reduced to 1-D. */
function integrateAnalytic(spots: Spots, params: SimulationParams, d: PatternDraws, rng: Rng): Float64Array {
  const sigma = d.sigmaPx;
  const dr = binWidthPx(params);
  const radial = new Float64Array(RADIAL_BINS);
  const imageMax = estimateImageMax(spots, sigma);
  if (imageMax > 0) {
    // Deposit spot intensities on a radial grid of σ/4 (linear weights).
    const cell = sigma / 4;
    let rMax = 0;
    for (let i = 0; i < spots.count; i++) rMax = Math.max(rMax, spots.r[i]);
    const weights = new Float64Array(Math.ceil(rMax / cell) + 2);
    // Ring mean of a spot, in units of the image maximum: I · exp(−(r−r₀)²/2σ²) · ê / max.
    const norm = 1 / imageMax;
    for (let i = 0; i < spots.count; i++) {
      const u = spots.r[i] / cell;
      const j = Math.floor(u);
      const f = u - j;
      const w = spots.intensity[i] * norm;
      weights[j] += w * (1 - f);
      weights[j + 1] += w * f;
    }
    const reach = 5 * sigma;
    const invSqrt2Sigma = 1 / (Math.SQRT2 * sigma);
    const gaussArea = sigma * Math.sqrt(Math.PI / 2);
    for (let j = 0; j < weights.length; j++) {
      const w = weights[j];
      if (w === 0) continue;
      const r0 = j * cell;
      const iLo = Math.max(0, Math.ceil((r0 - reach) / dr - 0.5));
      const iHi = Math.min(RADIAL_BINS - 1, Math.floor((r0 + reach) / dr + 0.5));
      let edgeLo = Math.max(0, (iLo - 0.5) * dr);
      let erfLo = erfFast((edgeLo - r0) * invSqrt2Sigma);
      for (let i = iLo; i <= iHi; i++) {
        const edgeHi = (i + 0.5) * dr;
        const erfHi = erfFast((edgeHi - r0) * invSqrt2Sigma);
        const binMean = (gaussArea * (erfHi - erfLo)) / (edgeHi - edgeLo);
        radial[i] += w * binMean * besselI0Scaled((i * dr * r0) / (sigma * sigma));
        edgeLo = edgeHi;
        erfLo = erfHi;
      }
    }
  }
  if (d.spike !== 0) addRingNoise(radial, ringPixelCounts(params), imageMaxAfterShotNoise(sigma, rng), d, rng);
  return radial;
}

/** Blurred-image maximum in units of 1/(2πσ²): the largest blurred value at the brightest spots. */
function estimateImageMax(spots: Spots, sigma: number): number {
  const candidates = brightestIndices(spots, 20);
  if (candidates.length === 0 || spots.intensity[candidates[0]] <= 0) return 0;
  const floor = spots.intensity[candidates[0]] * 1e-4;
  const reach2 = (5 * sigma) ** 2;
  let best = 0;
  for (const c of candidates) {
    let v = 0;
    for (let k = 0; k < spots.count; k++) {
      if (spots.intensity[k] < floor) continue;
      const dx = spots.x[k] - spots.x[c];
      const dy = spots.y[k] - spots.y[c];
      const d2 = dx * dx + dy * dy;
      if (d2 < reach2) v += spots.intensity[k] * Math.exp(-d2 / (2 * sigma * sigma));
    }
    best = Math.max(best, v);
  }
  return best;
}

/** max over the pixels of the brightest spot of (im + Poisson(im)), with im = 1 at its centre. */
function imageMaxAfterShotNoise(sigma: number, rng: Rng): number {
  let best = 0;
  const reach = Math.ceil(2 * sigma);
  for (let dx = -reach; dx <= reach; dx++) {
    for (let dy = -reach; dy <= reach; dy++) {
      const d2 = dx * dx + dy * dy;
      if (d2 > reach * reach) continue;
      const v = Math.exp(-d2 / (2 * sigma * sigma));
      best = Math.max(best, v + rng.poisson(v));
    }
  }
  return best;
}

/** Shot noise and salt per ring: exact reductions of the per-pixel noise to ring means. */
function addRingNoise(radial: Float64Array, pixels: Float64Array, shotMax: number, d: PatternDraws, rng: Rng): void {
  const saltProbability = (1 - d.snr) / 2;
  for (let i = 0; i < radial.length; i++) {
    const n = pixels[i];
    if (n <= 0) continue;
    const mean = radial[i];
    const shot = rng.poisson(n * mean) / n;
    const signal = (mean + shot) / shotMax;
    const salted = Math.min(n, rng.poisson(n * saltProbability)) / n;
    radial[i] = signal * (1 - salted) + d.spike * salted;
  }
}

// ---------------------------------------------------------------------------------------------
// 2-D rendering (reference path, for checking)

function integrateRendered(spots: Spots, params: SimulationParams, d: PatternDraws, rng: Rng): Float64Array {
  const size = params.detectorSize;
  const half = size / 2;
  const deltas = new Float64Array(size * size);
  for (let i = 0; i < spots.count; i++) {
    const ix = Math.round(spots.x[i]) + half;
    const iy = Math.round(spots.y[i]) + half;
    if (ix >= 0 && ix < size && iy >= 0 && iy < size) deltas[iy * size + ix] = spots.intensity[i];
  }
  const image = gaussianBlur(deltas, size, d.sigmaPx);
  normalizeToMax(image);
  if (d.spike !== 0) {
    for (let p = 0; p < image.length; p++) image[p] += rng.poisson(image[p]);
    normalizeToMax(image);
    const saltProbability = (1 - d.snr) / 2;
    for (let p = 0; p < image.length; p++) if (rng.next() < saltProbability) image[p] = d.spike;
  }
  const dr = binWidthPx(params);
  const sums = new Float64Array(RADIAL_BINS);
  const counts = new Float64Array(RADIAL_BINS);
  for (let iy = 0; iy < size; iy++) {
    for (let ix = 0; ix < size; ix++) {
      const bin = Math.round(Math.hypot(ix - half, iy - half) / dr);
      if (bin < RADIAL_BINS) {
        sums[bin] += image[iy * size + ix];
        counts[bin]++;
      }
    }
  }
  return sums.map((s, i) => (counts[i] > 0 ? s / counts[i] : 0));
}

function normalizeToMax(image: Float64Array): void {
  let max = 0;
  for (const v of image) if (v > max) max = v;
  if (max > 0) for (let p = 0; p < image.length; p++) image[p] /= max;
}

/** Separable Gaussian filter (kernel normalised, truncated at 4σ, zero outside the image). */
function gaussianBlur(image: Float64Array, size: number, sigma: number): Float64Array {
  const radius = Math.ceil(4 * sigma);
  const kernel = Float64Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  for (let i = 0; i < kernel.length; i++) kernel[i] /= total;
  const tmp = new Float64Array(size * size);
  const out = new Float64Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = image[y * size + x];
      if (v === 0) continue;
      for (let k = -radius; k <= radius; k++) {
        const xx = x + k;
        if (xx >= 0 && xx < size) tmp[y * size + xx] += v * kernel[k + radius];
      }
    }
  }
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = tmp[y * size + x];
      if (v === 0) continue;
      for (let k = -radius; k <= radius; k++) {
        const yy = y + k;
        if (yy >= 0 && yy < size) out[yy * size + x] += v * kernel[k + radius];
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Normalise the 256 bins, add the background, crop to 147, normalise again (max or min–max). */
function finishProfile(radial: Float64Array, d: PatternDraws, normalization: ProfileNormalization, out: Float32Array): void {
  const normalize = normalization === 'max' ? maxNormalize : minMaxNormalize;
  normalize(radial);
  if (d.backgroundAmplitude !== 0) {
    for (let i = 0; i < radial.length; i++) radial[i] += d.backgroundAmplitude * Math.exp(-d.backgroundTau * i * Q_STEP);
  }
  for (let i = 0; i < PROFILE_LENGTH; i++) out[i] = radial[CROP_START + i];
  normalize(out);
}
