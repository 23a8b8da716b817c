import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng, itemSeed } from '../src/lib/engine/random';
import { inferenceSet, trainingSets } from '../src/benchmarks/optical_damage/dataset';
import {
  BEAM_LINE_OPTICS,
  beamLine,
  CROP_LEFT,
  CROP_SIZE,
  CROP_TOP,
  DEFECT_KINDS,
  FRAME_HEIGHT,
  FRAME_WIDTH,
  MAX_DEFECT_FRACTION,
  renderFrame,
  type DefectKind,
} from '../src/benchmarks/optical_damage/generator';
import {
  checkCropWindow,
  downsampleMask,
  downsampleMean,
  normalizeAndCrop,
} from '../src/benchmarks/optical_damage/preprocess';
import { cpuContext } from './helpers/context';

const CROP_PIXELS = CROP_SIZE * CROP_SIZE;

/** [min, max] without spreading (frames are too long for Math.min(...)). */
function extent(values: ArrayLike<number>): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  return [min, max];
}

describe('generator', () => {
  it('is deterministic per seed and stays within the sensor range', () => {
    const a = renderFrame(new Rng(itemSeed(1, 0)), false);
    const b = renderFrame(new Rng(itemSeed(1, 0)), false);
    const c = renderFrame(new Rng(itemSeed(1, 1)), false);
    expect(a.data).toHaveLength(FRAME_HEIGHT * FRAME_WIDTH);
    expect(a.data).toEqual(b.data);
    expect(a.data).not.toEqual(c.data);
    const [min, max] = extent(a.data);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(a.defects).toEqual([]);
    expect(a.defectMask.every((v) => v === 0)).toBe(true);
  });

  it('shows the optics of one fixed beam line, apertures of radius 60–95 px near (250, 370)', () => {
    const optics = beamLine();
    expect(optics).toHaveLength(BEAM_LINE_OPTICS);
    expect(beamLine()).toBe(optics);
    for (const o of optics) {
      expect(o.radiusU).toBeGreaterThanOrEqual(60);
      expect(o.radiusU).toBeLessThanOrEqual(95);
      expect(o.radiusV).toBeLessThanOrEqual(o.radiusU);
      expect(Math.abs(o.row - 250)).toBeLessThanOrEqual(10);
      expect(Math.abs(o.col - 370)).toBeLessThanOrEqual(10);
    }
    const seen = new Set(Array.from({ length: 40 }, (_, i) => renderFrame(new Rng(itemSeed(4, i)), false).optic));
    expect(seen.size).toBeGreaterThan(BEAM_LINE_OPTICS / 2);
    const firstTwo = new Set(Array.from({ length: 12 }, (_, i) => renderFrame(new Rng(itemSeed(4, i)), false, 2).optic));
    expect([...firstTwo].sort()).toEqual([0, 1]);
    expect(() => renderFrame(new Rng(1), false, 0)).toThrow(/optics 1…8/);
  });

  it('centres a bright optic near (250, 370) on a dark surround', () => {
    for (let i = 0; i < 4; i++) {
      const { data } = renderFrame(new Rng(itemSeed(2, i)), false);
      let sum = 0;
      let rowSum = 0;
      let colSum = 0;
      for (let r = 0; r < FRAME_HEIGHT; r++) {
        for (let c = 0; c < FRAME_WIDTH; c++) {
          const w = Math.max(0, data[r * FRAME_WIDTH + c] - 0.2); // the beam only, not the surround
          sum += w;
          rowSum += w * r;
          colSum += w * c;
        }
      }
      expect(Math.abs(rowSum / sum - 250)).toBeLessThan(15);
      expect(Math.abs(colSum / sum - 370)).toBeLessThan(15);
      expect(data[10 * FRAME_WIDTH + 10]).toBeLessThan(0.15); // a corner is dark
    }
  });

  it('damages only within its defect mask, inside the crop, covering at most 2 % of it', () => {
    const kinds = new Set<DefectKind>();
    for (let i = 0; i < 24; i++) {
      const seed = itemSeed(3, i);
      const clean = renderFrame(new Rng(seed), false);
      const damaged = renderFrame(new Rng(seed), true);
      damaged.defects.forEach((k) => kinds.add(k));
      expect(damaged.defects.length).toBeGreaterThanOrEqual(1);
      expect(damaged.defects.length).toBeLessThanOrEqual(5);
      const area = damaged.defectMask.reduce((a, b) => a + b, 0);
      expect(area).toBeGreaterThan(0);
      expect(area).toBeLessThanOrEqual(MAX_DEFECT_FRACTION * CROP_PIXELS);

      // Same seed → same optic and noise: the frames differ only around the defects.
      let inside = 0;
      let outside = 0;
      let largest = 0;
      for (let r = 0; r < FRAME_HEIGHT; r++) {
        for (let c = 0; c < FRAME_WIDTH; c++) {
          const d = Math.abs(damaged.data[r * FRAME_WIDTH + c] - clean.data[r * FRAME_WIDTH + c]);
          if (d === 0) continue;
          const cr = r - CROP_TOP;
          const cc = c - CROP_LEFT;
          const inCrop = cr >= 0 && cr < CROP_SIZE && cc >= 0 && cc < CROP_SIZE;
          expect(inCrop).toBe(true);
          if (damaged.defectMask[cr * CROP_SIZE + cc]) inside += d;
          else outside += d;
          largest = Math.max(largest, d);
        }
      }
      expect(inside).toBeGreaterThan(outside);
      expect(largest).toBeGreaterThan(0.05);
    }
    expect([...kinds].sort()).toEqual([...DEFECT_KINDS].sort());
  });
});

describe('preprocessing', () => {
  it('min–max normalises the whole frame, then crops', () => {
    const height = 210;
    const width = 220;
    const frame = Float64Array.from({ length: height * width }, (_, i) => i);
    const crop = normalizeAndCrop(frame, height, width, { top: 5, left: 10 });
    const max = height * width - 1;
    expect(crop).toHaveLength(CROP_PIXELS);
    expect(crop[0]).toBeCloseTo((5 * width + 10) / max, 6);
    expect(crop[CROP_PIXELS - 1]).toBeCloseTo((204 * width + 209) / max, 6);
    expect(crop[3 * CROP_SIZE + 7]).toBeCloseTo((8 * width + 17) / max, 6);
  });

  it('matches the reference load_images on a known 492×656 frame', () => {
    const expected = JSON.parse(readFileSync('tests/fixtures/optical_damage/reference.json', 'utf8')).preprocess as {
      sum: number;
      min: number;
      max: number;
      probes: { row: number; col: number; value: number }[];
    };
    const frame = new Float32Array(FRAME_HEIGHT * FRAME_WIDTH);
    for (let r = 0; r < FRAME_HEIGHT; r++) {
      for (let c = 0; c < FRAME_WIDTH; c++) frame[r * FRAME_WIDTH + c] = Math.sin(0.013 * r * c) + 0.002 * r - 0.001 * c;
    }
    frame[10 * FRAME_WIDTH + 20] = 5;
    const crop = normalizeAndCrop(frame, FRAME_HEIGHT, FRAME_WIDTH);
    expect(crop.reduce((a, b) => a + b, 0)).toBeCloseTo(expected.sum, 1);
    const [min, max] = extent(crop);
    expect(min).toBeCloseTo(expected.min, 6);
    expect(max).toBeCloseTo(expected.max, 6);
    for (const p of expected.probes) expect(crop[p.row * CROP_SIZE + p.col]).toBeCloseTo(p.value, 6);
  });

  it('sets non-finite pixels to 0 without letting them spoil the scaling; a flat frame gives zeros', () => {
    const frame = Float32Array.from({ length: CROP_PIXELS }, (_, i) => (i % 2 ? 3 : 1));
    frame[0] = NaN;
    frame[2] = Infinity;
    const crop = normalizeAndCrop(frame, CROP_SIZE, CROP_SIZE, { top: 0, left: 0 });
    expect([crop[0], crop[1], crop[2], crop[3]]).toEqual([0, 1, 0, 1]);
    expect(normalizeAndCrop(new Float32Array(CROP_PIXELS).fill(7), CROP_SIZE, CROP_SIZE, { top: 0, left: 0 }).every((v) => v === 0)).toBe(true);
  });

  it('refuses a crop window outside the image with a clear message', () => {
    expect(() => checkCropWindow(300, 400, { top: 150, left: 270 })).toThrow(/falls outside.*crop_top in 0…100 and crop_left in 0…200/);
    expect(() => checkCropWindow(100, 400, { top: 0, left: 0 })).toThrow(/at least 200×200/);
    expect(() => checkCropWindow(FRAME_HEIGHT, FRAME_WIDTH, { top: 150, left: 270 })).not.toThrow();
  });

  it('block-averages images and max-pools masks', () => {
    const image = Float32Array.from({ length: 16 }, (_, i) => i);
    expect(Array.from(downsampleMean(image, 4, 2))).toEqual([2.5, 4.5, 10.5, 12.5]);
    const mask = Uint8Array.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(downsampleMask(mask, 4, 2))).toEqual([1, 0, 0, 0]);
    expect(() => downsampleMean(image, 4, 3)).toThrow(/must divide/);
  });
});

describe('datasets', () => {
  it('caches training sets and puts round(n·fraction) damaged images first in the inference set', async () => {
    const ctx = await cpuContext(5);
    const first = await trainingSets(ctx.datasets, { seed: 5, downsample: 10, optics: 8 }, 3, 2);
    const again = await trainingSets(ctx.datasets, { seed: 5, downsample: 10, optics: 8 }, 3, 2);
    expect(again.train).toBe(first.train);
    expect(first.train).toHaveLength(3 * 20 * 20);
    expect(first.validation).toHaveLength(2 * 20 * 20);
    expect(extent(first.train)[1]).toBeLessThanOrEqual(1);

    const set = await inferenceSet(ctx.datasets, { seed: 5, downsample: 1, optics: 2 }, 5, 0.4);
    expect(Array.from(set.labels)).toEqual([1, 1, 0, 0, 0]);
    for (let i = 0; i < 5; i++) {
      const area = set.masks.subarray(i * CROP_PIXELS, (i + 1) * CROP_PIXELS).reduce((a, b) => a + b, 0);
      expect(area > 0).toBe(set.labels[i] === 1);
    }
  });
});
