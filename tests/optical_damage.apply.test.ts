import { describe, expect, it } from 'vitest';
import type { TrainedModel } from '../src/lib/harness/contract';
import { Rng, itemSeed } from '../src/lib/engine/random';
import { FRAME_HEIGHT, FRAME_WIDTH, renderFrame } from '../src/benchmarks/optical_damage/generator';
import { buildAutoencoder } from '../src/benchmarks/optical_damage/model';
import { frameOverview } from '../src/benchmarks/optical_damage/preprocess';
import { opticalDamage, type OpticalDamageParams } from '../src/benchmarks/optical_damage/spec';
import { cpuContext } from './helpers/context';

const defaults = Object.fromEntries(
  Object.entries(opticalDamage.params).map(([key, spec]) => [key, spec.default]),
) as OpticalDamageParams;

/** An untrained 20×20 model (downsample 10): apply's plumbing does not depend on training. */
async function tinyModel(info: Record<string, unknown> = {}): Promise<TrainedModel> {
  const ctx = await cpuContext(0);
  return {
    model: buildAutoencoder(ctx.tf, { inputSize: 20, latentSize: 4 }, 0),
    id: 'test',
    benchmark: 'optical_damage',
    trainingParams: {},
    info,
  };
}

const frame = (i: number, damaged = false) => renderFrame(new Rng(itemSeed(11, i)), damaged).data;

describe('frame overview', () => {
  it('averages blocks sized so the longer side fits, skipping non-finite pixels', () => {
    // 3×5 frame, at most 2 px on a side → 3×3 blocks: rows 0–2 × columns 0–2 and 3–4.
    const frame = Float32Array.from([1, 2, 3, 10, 20, 4, 5, NaN, 30, 40, 6, 7, 8, 50, Infinity]);
    const o = frameOverview(frame, 3, 5, 2);
    expect(o).toMatchObject({ height: 1, width: 2, factor: 3 });
    expect(Array.from(o.data)).toEqual([36 / 8, 150 / 5]);
    // Read from an offset (the second frame of a stack) at full size.
    const stack = Float32Array.from([0, 0, 0, 0, 1, 2, 3, 4]);
    expect(Array.from(frameOverview(stack, 2, 2, 10, 4).data)).toEqual([1, 2, 3, 4]);
  });
});

describe('apply to my data', () => {
  it('takes H×W, N×H×W and N×H×W×1 arrays of any numeric type and returns one heat map per image', async () => {
    const ctx = await cpuContext(0);
    const trained = await tinyModel();
    const stack = new Float32Array(2 * FRAME_HEIGHT * FRAME_WIDTH);
    stack.set(frame(0), 0);
    stack.set(frame(1), FRAME_HEIGHT * FRAME_WIDTH);
    const single = Uint16Array.from(frame(2), (v) => Math.round(v * 4095));
    const result = await opticalDamage.apply!(
      ctx,
      { ...defaults, threshold: 'custom', custom_threshold: 0.5 },
      trained,
      {
        name: 'mine.npz',
        arrays: {
          stack: { data: stack, shape: [2, FRAME_HEIGHT, FRAME_WIDTH] },
          single: { data: single, shape: [FRAME_HEIGHT, FRAME_WIDTH] },
          channel: { data: frame(3), shape: [1, FRAME_HEIGHT, FRAME_WIDTH, 1] },
          scalar: { data: Float32Array.of(1), shape: [1] },
        },
      },
    );
    expect(result.outputs.heatmaps.shape).toEqual([4, 20, 20]);
    expect(result.outputs.heatmaps.data).toHaveLength(4 * 400);
    const artifacts = result.artifacts as {
      sources: string[];
      verdicts: Uint8Array;
      threshold: { name: string; value: number };
      scores: { max: Float32Array };
      previews: { input: Float32Array; mask: Uint8Array }[];
    };
    expect(artifacts.sources).toEqual(['stack[0]', 'stack[1]', 'single', 'channel[0]']);
    expect(artifacts.threshold).toEqual({ name: 'custom', value: 0.5 });
    expect(Array.from(artifacts.verdicts)).toEqual(Array.from(artifacts.scores.max, (s) => (s > 0.5 ? 1 : 0)));
    expect(artifacts.previews).toHaveLength(4);
    expect(artifacts.previews[0].input).toHaveLength(400);
    expect(result.warnings.some((w) => w.includes("'scalar'"))).toBe(true);
    // The 12-bit copy of a frame is the same image after min–max scaling.
    const heat = result.outputs.heatmaps.data as Float32Array;
    expect(Math.abs(artifacts.scores.max[2] - Math.max(...heat.subarray(800, 1200)))).toBeLessThan(1e-6);
    trained.model.dispose();
  });

  it('moves the crop window and refuses one outside the image', async () => {
    const ctx = await cpuContext(0);
    const trained = await tinyModel();
    const small = { name: 'small.npy', arrays: { x: { data: new Float32Array(260 * 300), shape: [260, 300] } } };
    const custom = { ...defaults, threshold: 'custom' as const };
    await expect(opticalDamage.apply!(ctx, custom, trained, small)).rejects.toThrow(
      /rows 150:350, columns 270:470\) falls outside 'x' \(260×300\).*crop_top in 0…60 and crop_left in 0…100/,
    );
    const moved = await opticalDamage.apply!(ctx, { ...custom, crop_top: 60, crop_left: 100 }, trained, small);
    expect(moved.outputs.heatmaps.shape).toEqual([1, 20, 20]);
    // The overview that shows where the window sits: the whole frame, shrunk, with the window's place.
    const window = (moved.artifacts as { cropWindow: Record<string, unknown> }).cropWindow;
    expect(window).toMatchObject({ source: 'x', frameHeight: 260, frameWidth: 300, top: 60, left: 100, size: 200 });
    expect(window.overview).toMatchObject({ height: 260, width: 300, factor: 1 });
    const colour = { name: 'rgb.npy', arrays: { rgb: { data: new Float32Array(300 * 500 * 3), shape: [300, 500, 3] } } };
    await expect(opticalDamage.apply!(ctx, custom, trained, colour)).rejects.toThrow(/colour image/);
    trained.model.dispose();
  });

  it('uses the validation-calibrated threshold saved with the model, or a pooled percentile of the stack', async () => {
    const ctx = await cpuContext(0);
    const input = { name: 'f.npy', arrays: { f: { data: frame(4), shape: [FRAME_HEIGHT, FRAME_WIDTH] } } };
    const bare = await tinyModel();
    await expect(opticalDamage.apply!(ctx, defaults, bare, input)).rejects.toThrow(/no validation scores/);
    const pooled = await opticalDamage.apply!(ctx, { ...defaults, threshold: 'p99.9' }, bare, input);
    expect((pooled.artifacts as { verdicts: Uint8Array }).verdicts[0]).toBe(1); // judged against itself
    expect(pooled.warnings.some((w) => w.includes('taken from these 1 image(s)'))).toBe(true);
    bare.model.dispose();

    const calibrated = await tinyModel({ validationScores: { max: [0.1, 0.2, 0.3, 0.4, 0.5], p999: [], mean: [] } });
    const result = await opticalDamage.apply!(ctx, { ...defaults, calibration_fpr: 0.25 }, calibrated, input);
    // 75th percentile of 0.1…0.5 → 0.4.
    expect((result.artifacts as { threshold: { value: number } }).threshold.value).toBeCloseTo(0.4, 6);
    calibrated.model.dispose();
  });
});
