import { describe, expect, it } from 'vitest';
import {
  defaultGeneratorOptions,
  generateMicrographs,
  micrographSeed,
  simulateMicrograph,
  type GeneratorOptions,
} from '../src/benchmarks/em_denoise/generator';

const small: GeneratorOptions = { ...defaultGeneratorOptions, size: 48 };

describe('graphene micrograph generator', () => {
  it('gives the same images for the same seed and different ones for another', () => {
    const a = simulateMicrograph(7, small);
    const b = simulateMicrograph(7, small);
    const c = simulateMicrograph(8, small);
    expect(b.clean).toEqual(a.clean);
    expect(b.noisy).toEqual(a.noisy);
    expect(b.dose).toBe(a.dose);
    expect(c.clean).not.toEqual(a.clean);
  });

  it('makes clean images in [0, 1] with a honeycomb of bright atoms and dark hexagon centres', () => {
    for (let seed = 0; seed < 5; seed++) {
      const { clean } = simulateMicrograph(seed, { ...small, defects: false });
      expect(Math.min(...clean)).toBe(0);
      expect(Math.max(...clean)).toBe(1);
      // Atoms fill a minority of the area: the median pixel is well below the mean of max and min.
      const sorted = Float32Array.from(clean).sort();
      expect(sorted[sorted.length >> 1]).toBeLessThan(0.5);
    }
  });

  it('scales counts to the mean dose λ, per image, with Poisson noise', () => {
    const opts: GeneratorOptions = { ...defaultGeneratorOptions, size: 64 };
    for (let seed = 0; seed < 12; seed++) {
      const m = simulateMicrograph(100 + seed, opts);
      expect(m.dose).toBeGreaterThanOrEqual(opts.doseMin);
      expect(m.dose).toBeLessThanOrEqual(opts.doseMax);
      expect(m.noisy.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
      // Expected counts average λ over the image; dead pixels, a random subset, remove their share.
      // The standard error of the mean of N Poisson counts totalling λN is √(λ/N).
      const n = m.noisy.length;
      const meanCounts = m.noisy.reduce((a, b) => a + b, 0) / n;
      expect(Math.abs(meanCounts - m.dose * (1 - m.deadPixels / n))).toBeLessThan(5 * Math.sqrt(m.dose / n) + 0.002 * m.dose);
      expect(m.noisy.filter((v) => v === 0).length).toBeGreaterThanOrEqual(m.deadPixels);
    }
  });

  it('draws the dose log-uniformly and the dead-pixel fraction uniformly within their ranges', () => {
    const opts: GeneratorOptions = { ...defaultGeneratorOptions, size: 32, deadFracMin: 0.002, deadFracMax: 0.01 };
    const n = 200;
    const logDoses: number[] = [];
    const deadFractions: number[] = [];
    for (let i = 0; i < n; i++) {
      const m = simulateMicrograph(micrographSeed(3, 'train', i), opts);
      logDoses.push(Math.log(m.dose));
      deadFractions.push(m.deadPixels / (32 * 32));
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    // log λ ~ U(log 1, log 100): mean log 10 = 2.303, sd 1.33, so the mean of 200 is within ±0.28 (3σ).
    expect(Math.abs(mean(logDoses) - Math.log(10))).toBeLessThan(0.28);
    expect(Math.min(...logDoses)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...logDoses)).toBeLessThanOrEqual(Math.log(100));
    // Dead fraction ~ U(0.2 %, 1 %) up to rounding to whole pixels (±0.05 % at 1024 px).
    expect(Math.min(...deadFractions)).toBeGreaterThanOrEqual(0.002 - 0.0005);
    expect(Math.max(...deadFractions)).toBeLessThanOrEqual(0.01 + 0.0005);
    expect(Math.abs(mean(deadFractions) - 0.006)).toBeLessThan(0.0006);
  });

  it('builds N×H×W×1 datasets; item i does not depend on the set size; splits differ', async () => {
    const four = await generateMicrographs(5, 'train', 4, small);
    const two = await generateMicrographs(5, 'train', 2, small);
    const test = await generateMicrographs(5, 'test', 2, small);
    expect(four.noisy.shape).toEqual([4, 48, 48, 1]);
    expect(four.clean.shape).toEqual([4, 48, 48, 1]);
    expect(four.dose.shape).toEqual([4]);
    expect(four.noisy.data.slice(0, 2 * 48 * 48)).toEqual(two.noisy.data);
    expect(test.clean.data).not.toEqual(two.clean.data);
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(generateMicrographs(0, 'train', 4, small, undefined, controller.signal)).rejects.toThrow(/stopped/);
  });
});
