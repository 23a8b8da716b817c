/**
 * em_denoise metrics and filters against scikit-image and scipy, through the fixture written by
 * scripts/em_denoise_reference.py (and, where /usr/bin/python3 has them, a fresh run of it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gaussianFilter, medianFilter, reflectIndex } from '../src/benchmarks/em_denoise/filters';
import { mse, psnr, ssim } from '../src/benchmarks/em_denoise/metrics';

const PYTHON = '/usr/bin/python3';
const SCRIPT = 'scripts/em_denoise_reference.py';
const FIXTURE = 'tests/fixtures/em_denoise/reference.json';

interface Stored {
  shape: number[];
  data: number[];
}
interface Reference {
  arrays: Record<string, Stored>;
  ssim: { a: string; b: string; data_range: number; ssim: number }[];
  psnr: { clean: string; test: string; psnr: number }[];
  gaussian_filter: { input: string; sigma: number; output: Stored }[];
  median_filter: { input: string; size: number; output: Stored }[];
}

const reference = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Reference;
const input = (name: string) => ({ image: Float32Array.from(reference.arrays[name].data), shape: reference.arrays[name].shape });

function pythonLacks(modules: string[]): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
  return probe.status === 0 ? null : `${PYTHON} lacks ${modules.join(' or ')}`;
}
const skimageMissing = pythonLacks(['skimage', 'scipy']);

describe('SSIM and PSNR', () => {
  it.each(reference.ssim)('SSIM($a, $b, data_range $data_range) matches skimage.metrics.structural_similarity', (c) => {
    const a = input(c.a);
    const b = input(c.b);
    const [height, width] = a.shape;
    expect(ssim(a.image, b.image, height, width, { dataRange: c.data_range })).toBeCloseTo(c.ssim, 9);
  });

  it('PSNR (peak 1) matches skimage.metrics.peak_signal_noise_ratio', () => {
    for (const c of reference.psnr) expect(psnr(mse(input(c.test).image, input(c.clean).image), 1)).toBeCloseTo(c.psnr, 6);
  });

  it('SSIM is 1 for identical images and drops as noise grows', () => {
    const { image, shape } = input('lattice');
    const [h, w] = shape;
    const noisy = (amplitude: number) => image.map((v, i) => v + amplitude * Math.sin(i * 12.9898));
    expect(ssim(image, image, h, w, { dataRange: 1 })).toBeCloseTo(1, 12);
    const scores = [0.05, 0.1, 0.3].map((a) => ssim(image, noisy(a), h, w, { dataRange: 1 }));
    expect(scores[0]).toBeGreaterThan(scores[1]);
    expect(scores[1]).toBeGreaterThan(scores[2]);
  });
});

describe('filters', () => {
  it('reflectIndex mirrors like scipy mode "reflect" (d c b a | a b c d | d c b a)', () => {
    expect([-5, -4, -3, -2, -1, 0, 3, 4, 5, 6, 7, 8, 9].map((i) => reflectIndex(i, 4))).toEqual([3, 3, 2, 1, 0, 0, 3, 3, 2, 1, 0, 0, 1]);
  });

  it.each(reference.gaussian_filter)('gaussianFilter($input, σ = $sigma) matches scipy.ndimage.gaussian_filter', (c) => {
    const { image, shape } = input(c.input);
    const out = gaussianFilter(image, shape[0], shape[1], c.sigma);
    const err = Math.max(...out.map((v, i) => Math.abs(v - c.output.data[i])));
    expect(err).toBeLessThan(1e-6);
  });

  it.each(reference.median_filter)('medianFilter($input, $size) matches scipy.ndimage.median_filter', (c) => {
    const { image, shape } = input(c.input);
    const out = medianFilter(image, shape[0], shape[1], c.size);
    expect(Array.from(out)).toEqual(c.output.data.map(Math.fround));
  });
});

describe.skipIf(skimageMissing !== null)(
  `the fixture is what ${SCRIPT} writes today${skimageMissing ? ` (skipped: ${skimageMissing})` : ''}`,
  () => {
    it('a fresh run reproduces the reference values', () => {
      const run = spawnSync(PYTHON, [SCRIPT, '--stdout'], { encoding: 'utf8', maxBuffer: 16 << 20 });
      expect(run.status, run.stderr).toBe(0);
      const fresh = JSON.parse(run.stdout) as Reference;
      expect(fresh.arrays).toEqual(reference.arrays);
      fresh.ssim.forEach((c, i) => expect(c.ssim).toBeCloseTo(reference.ssim[i].ssim, 12));
      fresh.psnr.forEach((c, i) => expect(c.psnr).toBeCloseTo(reference.psnr[i].psnr, 10));
    });
  },
);
