import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  averagePrecision,
  calibrateThreshold,
  confusion,
  f1,
  imageScores,
  percentile,
  percentileSorted,
  percentileSweep,
  prCurve,
  rocAuc,
  rocCurve,
  scoresCsv,
  sortedCopy,
  squaredErrors,
  verdicts,
} from '../src/benchmarks/optical_damage/anomaly';

const FIXTURE = 'tests/fixtures/optical_damage/reference.json';
const PYTHON = '/usr/bin/python3';

interface Fixture {
  scores: { name: string; scores: number[]; labels: number[]; roc_auc: number; average_precision: number }[];
  percentiles: { values: number[]; percentiles: number[]; expected: number[] }[];
  verdicts: {
    errors: number[];
    shape: [number, number, number];
    labels: number[];
    thresholds: { percentile: number; threshold: number; verdicts: number[]; accuracy: number; f1: number }[];
  };
  preprocess: { sum: number; min: number; max: number; probes: { row: number; col: number; value: number }[] };
}

const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Fixture;

function closeRel(actual: number, expected: number, rel: number) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1e-12, Math.abs(expected)));
}

describe('percentiles (numpy linear method)', () => {
  it('matches hand-computed values', () => {
    expect(percentileSorted([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentileSorted([1, 2, 3, 4], 25)).toBeCloseTo(1.75, 12);
    expect(percentileSorted([1, 2, 3, 4], 0)).toBe(1);
    expect(percentileSorted([1, 2, 3, 4], 100)).toBe(4);
    // n = 10: position 9·0.999 = 8.991 between 8 and 9.
    expect(percentileSorted([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 99.9)).toBeCloseTo(8.991, 12);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
    expect(percentileSorted([7], 99.9)).toBe(7);
  });

  it('matches numpy.percentile on the fixture', () => {
    for (const c of fixture.percentiles) {
      const sorted = sortedCopy(c.values);
      c.percentiles.forEach((p, k) => closeRel(percentileSorted(sorted, p), c.expected[k], 1e-6));
    }
  });
});

describe('classification metrics', () => {
  it('accuracy and F1 from a hand-counted confusion matrix', () => {
    const c = confusion([1, 1, 1, 0, 0], [1, 0, 1, 1, 0]);
    expect(c).toEqual({ tp: 2, fp: 1, tn: 1, fn: 1 });
    expect(accuracy(c)).toBeCloseTo(0.6, 12);
    expect(f1(c)).toBeCloseTo(4 / 6, 12);
    // No positives predicted or present: sklearn's zero_division default gives 0.
    expect(f1(confusion([0, 0], [0, 0]))).toBe(0);
  });

  it('ROC-AUC and average precision on the scikit-learn documentation example', () => {
    const scores = [0.1, 0.4, 0.35, 0.8];
    const labels = [0, 0, 1, 1];
    expect(rocAuc(scores, labels)).toBeCloseTo(0.75, 12);
    // Points (R, P): (0.5, 1), (0.5, 0.5), (1, 2/3), (1, 0.5) → AP = 0.5·1 + 0.5·2/3.
    expect(averagePrecision(scores, labels)).toBeCloseTo(0.5 + 1 / 3, 12);
    const roc = rocCurve(scores, labels);
    expect(roc.x).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(roc.y).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(prCurve(scores, labels).x).toEqual([0.5, 0.5, 1, 1]);
  });

  it('ties count half, and one class gives NaN', () => {
    // Pairs (positive, negative): (1,1) tie ½, (1,0) 1, (0,1) 0, (0,0) tie ½ → 2/4.
    expect(rocAuc([1, 1, 0, 0], [1, 0, 1, 0])).toBeCloseTo(0.5, 12);
    expect(rocAuc([0.3, 0.2], [1, 1])).toBeNaN();
    expect(averagePrecision([0.3, 0.2], [0, 0])).toBeNaN();
  });

  it('matches sklearn roc_auc_score and average_precision_score on the fixture', () => {
    for (const c of fixture.scores) {
      closeRel(rocAuc(c.scores, c.labels), c.roc_auc, 1e-12);
      closeRel(averagePrecision(c.scores, c.labels), c.average_precision, 1e-12);
    }
  });
});

describe('reference verdicts: any pixel above the pooled percentile', () => {
  it('hand case', () => {
    // Pooled sorted errors: six 0, four 0.1, 0.2, 0.9; the 90th percentile sits at 9.9 → 0.1 + 0.9·0.1.
    const errors = Float32Array.from([0, 0, 0, 0.9, 0.1, 0.1, 0.1, 0.1, 0.2, 0, 0, 0]);
    const scores = imageScores(errors, 3, 4);
    const [point] = percentileSweep(sortedCopy(errors), scores.max, [1, 0, 0], [90]);
    expect(point.threshold).toBeCloseTo(0.19, 6);
    expect(Array.from(verdicts(scores.max, point.threshold))).toEqual([1, 0, 1]);
    expect(point.accuracy).toBeCloseTo(2 / 3, 12);
    expect(point.f1).toBeCloseTo(2 / 3, 12);
  });

  it('matches the reference code (numpy + sklearn) on the fixture', () => {
    const { errors, shape, labels, thresholds } = fixture.verdicts;
    const [n, h, w] = shape;
    const e = Float32Array.from(errors);
    const scores = imageScores(e, n, h * w);
    const sweep = percentileSweep(sortedCopy(e), scores.max, labels, thresholds.map((t) => t.percentile));
    thresholds.forEach((t, k) => {
      closeRel(sweep[k].threshold, t.threshold, 1e-6);
      expect(Array.from(verdicts(scores.max, sweep[k].threshold))).toEqual(t.verdicts);
      expect(sweep[k].accuracy).toBeCloseTo(t.accuracy, 12);
      expect(sweep[k].f1).toBeCloseTo(t.f1, 12);
    });
  });
});

describe('image scores, calibration and CSV', () => {
  it('max, p99.9 and mean of an error map', () => {
    const errors = Float32Array.from({ length: 1000 }, (_, i) => i / 1000);
    const s = imageScores(errors, 1, 1000);
    expect(s.max[0]).toBeCloseTo(0.999, 6);
    // Position 999·0.999 = 998.001.
    expect(s.p999[0]).toBeCloseTo(0.998 + 0.001 * 0.001, 6);
    expect(s.mean[0]).toBeCloseTo(0.4995, 6);
    expect(Array.from(squaredErrors(Float32Array.from([1, 2]), Float32Array.from([0.5, 4])))).toEqual([0.25, 4]);
  });

  it('validation-calibrated threshold is the (1 − FPR) quantile', () => {
    const validation = Array.from({ length: 10 }, (_, i) => (i + 1) / 10);
    // 90th percentile of 0.1…1.0: position 8.1 → 0.9 + 0.1·0.1.
    expect(calibrateThreshold(validation, 0.1)).toBeCloseTo(0.91, 6);
    expect(calibrateThreshold(validation, 0)).toBeCloseTo(1, 6);
  });

  it('writes one CSV row per image, quoting awkward sources', () => {
    const scores = imageScores(Float32Array.from([0.5, 0.25, 0, 1]), 2, 2);
    const csv = scoresCsv({ scores, labels: [1, 0], verdicts: [1, 1], sources: ['a,b.npy[0]', 'c.npy[1]'] });
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('index,source,label,score_max,score_p99_9,score_mean,verdict');
    expect(lines[1].startsWith('0,"a,b.npy[0]",damaged,0.5,')).toBe(true);
    expect(lines[2].startsWith('1,c.npy[1],undamaged,1,')).toBe(true);
    expect(lines[2].endsWith(',0.5,damaged')).toBe(true);
    expect(lines).toHaveLength(3);
  });
});

describe('fixture freshness', () => {
  it('scripts/optical_damage_reference.py reproduces the committed fixture', (ctx) => {
    const probe = spawnSync(PYTHON, ['-c', 'import numpy, sklearn'], { encoding: 'utf8' });
    ctx.skip(probe.status !== 0, `${PYTHON} with numpy and scikit-learn is not available: ${probe.stderr || probe.error}`);
    const dir = mkdtempSync(join(tmpdir(), 'optical-damage-'));
    try {
      const out = join(dir, 'reference.json');
      const run = spawnSync(PYTHON, ['scripts/optical_damage_reference.py', out], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const fresh = JSON.parse(readFileSync(out, 'utf8')) as Fixture;
      fresh.scores.forEach((c, k) => {
        expect(c.labels).toEqual(fixture.scores[k].labels);
        closeRel(c.roc_auc, fixture.scores[k].roc_auc, 1e-12);
        closeRel(c.average_precision, fixture.scores[k].average_precision, 1e-12);
      });
      fresh.verdicts.thresholds.forEach((t, k) => closeRel(t.threshold, fixture.verdicts.thresholds[k].threshold, 1e-6));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
