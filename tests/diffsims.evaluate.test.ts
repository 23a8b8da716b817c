import { describe, expect, it } from 'vitest';
import { parseCif } from '../src/benchmarks/diffsims/cif-parser';
import { preparePhase } from '../src/benchmarks/diffsims/crystal';
import { evaluatePhaseMap, peakPositionError } from '../src/benchmarks/diffsims/evaluate';
import { misclassifiedExamples, phaseReport } from '../src/benchmarks/diffsims/metrics';
import { findPeaksOhaver, gradient, medianFilter } from '../src/benchmarks/diffsims/peaks';
import { BUILTIN_CIFS, DEFAULT_PHASES } from '../src/benchmarks/diffsims/phases';
import { profileQAxis } from '../src/benchmarks/diffsims/profile';
import { buildSyntheticScan } from '../src/benchmarks/diffsims/scan';
import { DEFAULT_SIMULATION, preparationGMax, simulateProfiles, type SimulationParams } from '../src/benchmarks/diffsims/simulate';
import { phaseSticks } from '../src/benchmarks/diffsims/sources';

const gaussian = (n: number, centres: number[], heights: number[], width: number) =>
  Float64Array.from({ length: n }, (_, i) => centres.reduce((s, c, k) => s + heights[k] * Math.exp(-((i - c) ** 2) / (2 * width * width)), 0));

describe("diffsims O'Haver peak finding", () => {
  it('filters and differentiates like scipy.signal.medfilt and numpy.gradient', () => {
    expect(Array.from(medianFilter([5, 1, 7, 3, 9], 3))).toEqual([1, 5, 3, 7, 3]);
    expect(Array.from(gradient([1, 4, 9, 16]))).toEqual([3, 4, 6, 7]);
  });

  it('finds Gaussian peaks at sub-channel positions and maps them onto the axis', () => {
    const y = gaussian(147, [30.3, 70.6, 110.2], [1, 0.5, 0.8], 3);
    const peaks = findPeaksOhaver(y, 0.1, 0.01);
    expect(peaks.map((p) => p.channel)).toHaveLength(3);
    [30.3, 70.6, 110.2].forEach((c, i) => {
      expect(peaks[i].channel).toBeCloseTo(c, 1);
      expect(peaks[i].position).toBeCloseTo(0.1 + c * 0.01, 3);
    });
    expect(peaks[0].height).toBeCloseTo(1, 2);
  });

  it('ignores peaks under 10 % of the maximum and keeps at most maxPeaks (the highest)', () => {
    const y = gaussian(147, [20, 60, 100], [1, 0.05, 0.4], 3);
    expect(findPeaksOhaver(y).map((p) => Math.round(p.channel))).toEqual([20, 100]);
    const many = gaussian(147, [10, 30, 50, 70, 90, 110, 130], [0.5, 0.6, 1, 0.7, 0.9, 0.55, 0.8], 2.5);
    expect(findPeaksOhaver(many, 0, 1, { maxPeaks: 3 }).map((p) => Math.round(p.channel))).toEqual([50, 90, 130]);
  });
});

describe('diffsims labelled metrics', () => {
  it('reports per-phase precision/recall/F1 with names and row-normalised confusion', () => {
    const truth = [0, 0, 0, 1, 1, 2];
    const pred = [0, 0, 1, 1, 2, 2];
    const r = phaseReport(truth, pred, ['a', 'b', 'c']);
    expect(r.accuracy).toBeCloseTo(4 / 6, 12);
    expect(r.confusion).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    expect(r.confusionNormalized).toEqual([
      [2 / 3, 1 / 3, 0],
      [0, 0.5, 0.5],
      [0, 0, 1],
    ]);
    expect(r.perClass[1]).toMatchObject({ name: 'b', precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(r.macroF1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12);
  });

  it('lists misclassified profiles titled "True: X, Pred: Y"', () => {
    const profiles = Float32Array.from([1, 2, 3, 4]);
    const wrong = misclassifiedExamples([0, 1], [0, 2], profiles, 2, ['a', 'b', 'c']);
    expect(wrong).toHaveLength(1);
    expect(wrong[0].title).toBe('True: b, Pred: c');
    expect(Array.from(wrong[0].profile)).toEqual([3, 4]);
  });
});

describe('diffsims label-free peak-position evaluation', () => {
  const sim: SimulationParams = {
    ...DEFAULT_SIMULATION,
    nPerPhase: 40,
    precessionAnglesDeg: [1],
    sigmaPxMin: 2,
    sigmaPxMax: 2,
    peakRemovalMax: 0,
    spikeChoices: [0],
    calibrationJitterPercent: 0,
    scaledPhaseCount: 0,
    backgroundAmplitudes: [0],
  };
  const phases = DEFAULT_PHASES.map((n) => preparePhase(parseCif(BUILTIN_CIFS[n], n), preparationGMax(sim)));
  const sticks = phaseSticks(phases, sim.gMax).map((s) => s.q);
  const { profiles, labels } = simulateProfiles(phases, sim, 2, 0, 120);
  const q = profileQAxis();

  it('one-sided nearest-reference error', () => {
    expect(peakPositionError([0.5, 1.0], [0.49, 0.8, 1.05])).toBeCloseTo((0.01 + 0.05) / 2, 12);
    expect(peakPositionError([], [0.5])).toBeNull();
  });

  it('is near zero for a map of the right phases and large when the phases are swapped', () => {
    const right = evaluatePhaseMap(q, profiles, labels, DEFAULT_PHASES, sticks);
    expect(right.evaluatedPhases).toBe(3);
    for (const p of right.phases) {
      expect(p.peaks.length).toBeGreaterThan(0);
      expect(p.error!).toBeLessThan(0.005); // well under one bin (0.0083 Å⁻¹)
      expect(p.areaFraction).toBeCloseTo(1 / 3, 12);
    }
    expect(right.errorSum!).toBeCloseTo(right.phases.reduce((s, p) => s + p.error!, 0), 12);
    expect(right.errorMean!).toBeCloseTo(right.errorSum! / 3, 12);
    // Hundreds of reference rings for the two large cells keep any nearest-ring distance small
    // (the reference's one-sided metric), so swapping roughly doubles the sum; PbI2's sparse rings
    // expose a wrong profile more clearly.
    for (const shift of [1, 2]) {
      const swapped = evaluatePhaseMap(q, profiles, labels.map((l) => (l + shift) % 3), DEFAULT_PHASES, sticks);
      expect(swapped.errorSum!).toBeGreaterThan(1.8 * right.errorSum!);
      expect(swapped.phases[2].error!).toBeGreaterThan(2 * right.phases[2].error!);
    }
  });

  it('skips a phase that is never predicted', () => {
    const onlyTwo = evaluatePhaseMap(q, profiles, labels.map((l) => (l === 2 ? 1 : l)), DEFAULT_PHASES, sticks);
    expect(onlyTwo.phases[2].error).toBeNull();
    expect(onlyTwo.phases[2].pixels).toBe(0);
    expect(onlyTwo.evaluatedPhases).toBe(2);
  });

  it('builds a synthetic scan of Voronoi phase domains with its ground truth', () => {
    const scan = buildSyntheticScan(phases, sim, { height: 12, width: 10, grains: 6, boundaryWidthPx: 1.5, orientationsPerGrain: 2, noise: 0.05, seed: 4 });
    expect(scan.x.shape).toEqual([147]);
    expect(scan.y.shape).toEqual([12, 10, 147]);
    expect(scan.truth.shape).toEqual([12, 10]);
    expect(new Set(scan.truth.data)).toEqual(new Set([0, 1, 2]));
    expect(Math.max(...scan.y.data)).toBeGreaterThan(100); // raw counts, not normalised
    const same = buildSyntheticScan(phases, sim, { height: 12, width: 10, grains: 6, boundaryWidthPx: 1.5, orientationsPerGrain: 2, noise: 0.05, seed: 4 });
    expect(same.y.data).toEqual(scan.y.data);
  });
});
