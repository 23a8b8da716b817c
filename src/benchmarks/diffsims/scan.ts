/**
 * The embedded default "experimental" scan: a synthetic scanning-electron-diffraction map of
 * phase domains, so that prediction and the label-free evaluation run with no user files.
 *
 *  - Voronoi grains: `grains` random seed points, each with a phase (every phase gets at least
 *    one grain) and a pool of `orientationsPerGrain` simulated profiles (full augmentation
 *    pipeline of simulate.ts);
 *  - each pixel takes a random profile of its nearest grain; near a boundary it is mixed with a
 *    profile of the second-nearest grain, weight ½·exp(−(d₂ − d₁)/boundaryWidthPx);
 *  - it is then scaled to raw counts (I₀ ~ U(500, 2000) per pixel, plus a flat offset) with
 *    Gaussian noise of `noise` × I₀, so the data look un-normalised like the reference's
 *    *_radial_crop.npz files, which are normalised only before prediction.
 *
 * Saved with the experimental keys: x (147,) q axis and y (H, W, 147); the ground-truth phase
 * map (argmax of the mixing weights, i.e. the nearest grain's phase) is kept beside them.
 */
import { Rng } from '../../lib/engine/random';
import type { ArraySet, NDArray } from '../../lib/harness/contract';
import type { PreparedPhase } from './crystal';
import { PROFILE_LENGTH, profileQAxis } from './profile';
import { simulateProfile, type SimulationParams } from './simulate';

export interface ScanOptions {
  height: number;
  width: number;
  grains: number;
  /** e-folding distance of the boundary mixing, pixels. */
  boundaryWidthPx: number;
  orientationsPerGrain: number;
  /** Gaussian noise standard deviation relative to the pixel's intensity scale. */
  noise: number;
  seed: number;
}

export const DEFAULT_SCAN: Readonly<Omit<ScanOptions, 'seed'>> = Object.freeze({
  height: 64,
  width: 64,
  grains: 24,
  boundaryWidthPx: 1.5,
  orientationsPerGrain: 8,
  noise: 0.05,
});

export interface SyntheticScan {
  /** (147,) q axis, Å⁻¹. */
  x: NDArray<Float32Array>;
  /** (H, W, 147) raw profiles. */
  y: NDArray<Float32Array>;
  /** (H, W) ground-truth phase labels. */
  truth: NDArray<Int32Array>;
  phases: string[];
}

export function buildSyntheticScan(phases: readonly PreparedPhase[], sim: SimulationParams, opts: ScanOptions): SyntheticScan {
  const { height, width, grains } = opts;
  if (grains < phases.length) throw new Error(`a scan of ${phases.length} phases needs at least ${phases.length} grains`);
  const rng = new Rng(opts.seed ^ 0x5ca7);
  const L = PROFILE_LENGTH;
  const M = opts.orientationsPerGrain;

  // Grain seeds and phases (each phase at least once).
  const grainPhase = rng.shuffle(Array.from({ length: grains }, (_, g) => g % phases.length));
  const gx = Array.from({ length: grains }, () => rng.uniform(0, width));
  const gy = Array.from({ length: grains }, () => rng.uniform(0, height));

  // Profile pools: item index inside the label block of the grain's phase.
  const poolParams: SimulationParams = { ...sim, nPerPhase: grains * M };
  const simSeed = rng.int(0, 0x7fffffff);
  const pools = Array.from({ length: grains }, (_, g) =>
    Array.from({ length: M }, (_, m) => {
      const out = new Float32Array(L);
      simulateProfile(phases, poolParams, simSeed, grainPhase[g] * poolParams.nPerPhase + g * M + m, out);
      return out;
    }),
  );

  const y = new Float32Array(height * width * L);
  const truth = new Int32Array(height * width);
  for (let row = 0; row < height; row++) {
    for (let col = 0; col < width; col++) {
      let first = -1;
      let second = -1;
      let d1 = Infinity;
      let d2 = Infinity;
      for (let g = 0; g < grains; g++) {
        const d = Math.hypot(col + 0.5 - gx[g], row + 0.5 - gy[g]);
        if (d < d1) {
          [second, d2] = [first, d1];
          [first, d1] = [g, d];
        } else if (d < d2) {
          [second, d2] = [g, d];
        }
      }
      const w2 = second >= 0 ? 0.5 * Math.exp(-(d2 - d1) / opts.boundaryWidthPx) : 0;
      const p1 = pools[first][rng.int(0, M - 1)];
      const p2 = second >= 0 ? pools[second][rng.int(0, M - 1)] : p1;
      const scale = rng.uniform(500, 2000);
      const offset = 0.05 * scale;
      const base = (row * width + col) * L;
      for (let k = 0; k < L; k++) {
        const mixed = (1 - w2) * p1[k] + w2 * p2[k];
        y[base + k] = scale * mixed + offset + rng.normal(0, opts.noise * scale);
      }
      truth[row * width + col] = grainPhase[first];
    }
  }
  return {
    x: { data: Float32Array.from(profileQAxis()), shape: [L] },
    y: { data: y, shape: [height, width, L] },
    truth: { data: truth, shape: [height, width] },
    phases: phases.map((p) => p.name),
  };
}

/** The scan as an ArraySet with the experimental keys x and y, plus its ground truth. */
export function scanArraySet(scan: SyntheticScan): ArraySet {
  return { x: scan.x, y: scan.y, truth: scan.truth };
}
