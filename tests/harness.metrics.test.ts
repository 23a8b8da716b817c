import { describe, expect, it } from 'vitest';
import {
  accuracy,
  argmaxRows,
  binaryScores,
  classificationReport,
  confusionMatrix,
  crossEntropy,
  mae,
  mse,
  psnr,
  psnrFromMse,
  throughput,
} from '../src/lib/harness/metrics';

describe('regression metrics', () => {
  // Differences 0.5, -1, 0, 2 → squares 0.25, 1, 0, 4 (sum 5.25); absolutes sum 3.5.
  const pred = [1.5, 1, 3, 6];
  const target = [1, 2, 3, 4];

  it('MSE and MAE match hand-computed values', () => {
    expect(mse(pred, target)).toBeCloseTo(5.25 / 4, 12);
    expect(mae(pred, target)).toBeCloseTo(3.5 / 4, 12);
    expect(mse(new Float32Array([0.25]), new Float32Array([0.75]))).toBeCloseTo(0.25, 12);
  });

  it('PSNR uses the explicit peak: 10·log10(L²/MSE)', () => {
    expect(psnrFromMse(0.01, 1)).toBeCloseTo(20, 12);
    expect(psnrFromMse(1, 255)).toBeCloseTo(20 * Math.log10(255), 12); // 48.1308… dB
    expect(psnr([0.1, 0.3], [0, 0.2], 1)).toBeCloseTo(20, 10); // MSE = 0.01
    expect(psnrFromMse(0, 1)).toBe(Infinity);
    expect(() => psnrFromMse(0.1, 0)).toThrow(/peak/);
  });

  it('refuses mismatched or empty inputs', () => {
    expect(() => mse([1, 2], [1])).toThrow(/length mismatch/);
    expect(() => mae([], [])).toThrow(/empty/);
  });
});

describe('classification metrics', () => {
  // 3 classes, 8 items.
  const truth = [0, 0, 0, 1, 1, 2, 2, 2];
  const pred = [0, 1, 0, 1, 2, 2, 2, 0];

  it('argmax, accuracy and the confusion matrix', () => {
    expect([...argmaxRows([0.1, 0.7, 0.2, 0.5, 0.2, 0.3], 3)]).toEqual([1, 0]);
    expect(() => argmaxRows([1, 2, 3], 2)).toThrow(/rows of 2/);
    expect(accuracy(truth, pred)).toBe(5 / 8);
    expect(confusionMatrix(truth, pred, 3)).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [1, 0, 2],
    ]);
    expect(() => confusionMatrix([0, 3], [0, 0], 3)).toThrow(/out of range/);
  });

  it('per-class precision, recall, F1 and macro averages', () => {
    const r = classificationReport(truth, pred, 3);
    // class 0: TP 2, predicted 3, support 3 → P 2/3, R 2/3, F1 2/3
    // class 1: TP 1, predicted 2, support 2 → P 1/2, R 1/2, F1 1/2
    // class 2: TP 2, predicted 3, support 3 → P 2/3, R 2/3, F1 2/3
    expect(r.perClass.map((c) => c.support)).toEqual([3, 2, 3]);
    expect(r.perClass[0].precision).toBeCloseTo(2 / 3, 12);
    expect(r.perClass[1].recall).toBeCloseTo(1 / 2, 12);
    expect(r.perClass[2].f1).toBeCloseTo(2 / 3, 12);
    expect(r.macro.f1).toBeCloseTo((2 / 3 + 1 / 2 + 2 / 3) / 3, 12);
    expect(r.accuracy).toBe(5 / 8);
  });

  it('F1 differs from accuracy when precision and recall differ', () => {
    // class 0: TP 1, predicted 1, support 2 → P 1, R 1/2, F1 2/3; class 1: TP 2, predicted 3, support 2 → P 2/3, R 1, F1 0.8
    const r = classificationReport([0, 0, 1, 1], [0, 1, 1, 1], 2);
    expect(r.perClass[0].f1).toBeCloseTo(2 / 3, 12);
    expect(r.perClass[1].f1).toBeCloseTo(0.8, 12);
    expect(r.macro.f1).toBeCloseTo((2 / 3 + 0.8) / 2, 12);
  });

  it('a class never predicted and never present scores 0, not NaN', () => {
    const r = classificationReport([0, 0], [0, 0], 2);
    expect(r.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.macro.f1).toBe(0.5);
  });

  it('binary scores count nonzero as positive', () => {
    // TP 2, FP 1, FN 1, TN 1 → P 2/3, R 2/3, F1 2/3, accuracy 3/5
    const s = binaryScores([1, 1, 1, 0, 0], [1, 1, 0, 1, 0]);
    expect(s.precision).toBeCloseTo(2 / 3, 12);
    expect(s.recall).toBeCloseTo(2 / 3, 12);
    expect(s.f1).toBeCloseTo(2 / 3, 12);
    expect(s.accuracy).toBe(3 / 5);
    expect(s.support).toBe(3);
  });

  it('cross-entropy is the mean −log p of the true class, clipped at 1e-7', () => {
    const probs = [0.5, 0.5, 0.2, 0.8, 1, 0];
    expect(crossEntropy(probs, [0, 1, 1], 2)).toBeCloseTo((-Math.log(0.5) - Math.log(0.8) - Math.log(1e-7)) / 3, 10);
    expect(() => crossEntropy([0.5, 0.5], [0, 1], 2)).toThrow(/probabilities/);
  });

  it('throughput is items per second', () => {
    expect(throughput(512, 2)).toBe(256);
    expect(() => throughput(1, 0)).toThrow(/> 0/);
  });
});
