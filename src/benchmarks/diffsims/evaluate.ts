/**
 * The reference's label-free evaluation of a phase map ("peak_x_pos_difference", evaluate_all()
 * in ml_difsims' predictions_evaluator.py, §2.6 of the reference notes):
 *
 *  - label map = argmax of the predicted probabilities;
 *  - for each phase i, mean profile = Σ_pixels y · [label = i] / (H·W) (zeros included, so it is
 *    scaled by the phase's area fraction; peak positions are unaffected);
 *  - peaks of the mean profile by O'Haver's method (see peaks.ts), on the axis
 *    offset = x[0], scale = mean(diff(x));
 *  - error_i = mean over found peaks p of min_j |q_ref,j − p|  (Å⁻¹), q_ref the phase's simulated
 *    ring positions (one-sided: found → reference);
 *  - total: the reference reports Σ_i error_i as "Mean error"; both that sum and the true mean
 *    over phases are returned, named for what they are.
 *
 * A phase that is never predicted (or whose mean profile has no peaks) has no error (null); the
 * reference would give NaN there. The sum and mean are over the phases that have one.
 */
import { findPeaksOhaver } from './peaks';

export interface PhaseEvaluation {
  phase: string;
  /** Pixels whose argmax is this phase. */
  pixels: number;
  areaFraction: number;
  /** Mean profile over all pixels (non-members count as zeros). */
  meanProfile: Float32Array;
  /** Found peak positions, Å⁻¹. */
  peaks: number[];
  /** Simulated ring positions used for matching, Å⁻¹. */
  referencePeaks: number[];
  /** Mean distance of found peaks to the nearest reference peak, Å⁻¹; null if none. */
  error: number | null;
}

export interface MapEvaluation {
  method: 'peak_x_pos_difference';
  /** Σ of the per-phase errors: the figure the reference logs as "Mean error". */
  errorSum: number | null;
  /** Mean of the per-phase errors over the phases that have one. */
  errorMean: number | null;
  evaluatedPhases: number;
  phases: PhaseEvaluation[];
}

/** Mean over found peaks of the distance to the nearest reference position (Å⁻¹). */
export function peakPositionError(found: readonly number[], reference: readonly number[]): number | null {
  if (found.length === 0 || reference.length === 0) return null;
  let total = 0;
  for (const p of found) {
    let best = Infinity;
    for (const q of reference) best = Math.min(best, Math.abs(q - p));
    total += best;
  }
  return total / found.length;
}

/**
 * Evaluates a labelled map. `profiles` is row-major (pixels × L) on `qAxis` (length L),
 * `labels` the argmax per pixel, `referencePeaks[i]` the ring positions of phase i.
 */
export function evaluatePhaseMap(
  qAxis: ArrayLike<number>,
  profiles: Float32Array,
  labels: Int32Array,
  phaseNames: readonly string[],
  referencePeaks: readonly (readonly number[])[],
): MapEvaluation {
  const L = qAxis.length;
  const pixels = labels.length;
  if (profiles.length !== pixels * L) throw new Error(`profiles hold ${profiles.length} values, expected ${pixels} × ${L}`);
  const offset = qAxis[0];
  const scale = L > 1 ? (qAxis[L - 1] - qAxis[0]) / (L - 1) : 1; // mean(diff(x))

  const phases = phaseNames.map((phase, i): PhaseEvaluation => {
    const sum = new Float64Array(L);
    let members = 0;
    for (let p = 0; p < pixels; p++) {
      if (labels[p] !== i) continue;
      members++;
      for (let k = 0; k < L; k++) sum[k] += profiles[p * L + k];
    }
    const meanProfile = Float32Array.from(sum, (v) => v / Math.max(1, pixels));
    const peaks = members > 0 ? findPeaksOhaver(meanProfile, offset, scale).map((pk) => pk.position) : [];
    return {
      phase,
      pixels: members,
      areaFraction: pixels > 0 ? members / pixels : 0,
      meanProfile,
      peaks,
      referencePeaks: [...referencePeaks[i]],
      error: peakPositionError(peaks, referencePeaks[i]),
    };
  });
  const errors = phases.map((p) => p.error).filter((e): e is number => e !== null);
  const errorSum = errors.length > 0 ? errors.reduce((a, b) => a + b, 0) : null;
  return {
    method: 'peak_x_pos_difference',
    errorSum,
    errorMean: errorSum === null ? null : errorSum / errors.length,
    evaluatedPhases: errors.length,
    phases,
  };
}
