import { describe, expect, it } from 'vitest';
import type { ArraySet, TrainedModel } from '../src/lib/harness/contract';
import { Rng } from '../src/lib/engine/random';
import { frameSeed } from '../src/benchmarks/optical_damage/dataset';
import { FRAME_HEIGHT, FRAME_WIDTH, renderFrame } from '../src/benchmarks/optical_damage/generator';
import { trainableParams } from '../src/benchmarks/optical_damage/model';
import { estimateFor, opticalDamage, type OpticalDamageParams } from '../src/benchmarks/optical_damage/spec';
import { cpuContext } from './helpers/context';

const defaults = Object.fromEntries(
  Object.entries(opticalDamage.params).map(([key, spec]) => [key, spec.default]),
) as OpticalDamageParams;

/** Small enough for a quick run on tfjs' cpu backend: 20×20 inputs, one optic, a few hundred images. */
const TINY: OpticalDamageParams = {
  ...defaults,
  downsample: '10',
  n_optics: 1,
  latent_size: 16,
  n_train: 128,
  n_validation: 32,
  n_inference: 96,
  damaged_fraction: 0.5,
  epochs: 4,
  batch_size: 8,
  lr: 0.002,
  inference_batch_size: 32,
};

describe('optical_damage end to end on the cpu backend', () => {
  // The ROC-AUC > 0.8 bar is the CLI test's (tests/cli.optical_damage.test.ts, 40×40 inputs); at
  // these 20×20 inputs damage is partly averaged away, so this only asks for better than chance.
  it('trains on undamaged frames only, flags damaged ones better than chance and scores raw frames', async () => {
    const ctx = await cpuContext(3);
    const { tf } = ctx;
    const tensorsBefore = tf.memory().numTensors;

    const result = await opticalDamage.training!(ctx, TINY);
    expect(result.history.loss).toHaveLength(TINY.epochs);
    expect(result.history.val_loss).toHaveLength(TINY.epochs);
    expect(result.history.loss[TINY.epochs - 1]).toBeLessThan(result.history.loss[0]);
    expect(result.metrics.mse).toBeGreaterThan(0);
    expect(result.metrics.params).toBe(trainableParams({ inputSize: 20, latentSize: 16 }));
    const info = result.modelInfo as { validationScores: { max: number[] }; inputSize: number; optics: number };
    expect(info.validationScores.max).toHaveLength(TINY.n_validation);
    expect(info).toMatchObject({ inputSize: 20, optics: 1 });
    expect(ctx.events).toContain('epoch 0');

    const trained: TrainedModel = {
      model: result.model,
      id: 'e2e',
      benchmark: 'optical_damage',
      trainingParams: {},
      info: result.modelInfo ?? {},
    };
    const inference = await opticalDamage.inference!(ctx, TINY, trained);
    const m = inference.metrics;
    expect(m.roc_auc).toBeGreaterThan(0.65);
    expect(m.pr_auc).toBeGreaterThan(TINY.damaged_fraction);
    expect(m.accuracy).toBeGreaterThanOrEqual(0);
    expect(m.accuracy).toBeLessThanOrEqual(100);
    expect(m.f1_validation_threshold).toBeGreaterThan(0);
    expect(m.throughput).toBeGreaterThan(0);
    expect(m.threshold_99_0!).toBeLessThanOrEqual(m.threshold_99_5!);
    expect(m.threshold_99_5!).toBeLessThanOrEqual(m.threshold_99_9!);
    expect(ctx.lines.some((l) => l.includes('Accuracy at 99.0%'))).toBe(true);

    const a = inference.artifacts as {
      labels: Uint8Array;
      scores: { max: Float32Array };
      examples: { input: Float32Array; truth: Uint8Array; mask: Uint8Array; label: number }[];
      sweep: unknown[];
      roc: { x: number[]; y: number[] };
      falsePositives: { label: number }[];
      falseNegatives: { label: number }[];
    };
    expect(a.labels).toHaveLength(TINY.n_inference);
    expect(a.scores.max).toHaveLength(TINY.n_inference);
    expect(a.examples).toHaveLength(6);
    expect(a.examples[0].input).toHaveLength(400);
    expect(a.examples[0].truth.some((v) => v === 1)).toBe(true); // a damaged example with its defect mask
    expect(a.examples[5].truth.every((v) => v === 0)).toBe(true);
    expect(a.sweep).toHaveLength(11);
    expect([a.roc.x[0], a.roc.y[0], a.roc.x.at(-1), a.roc.y.at(-1)]).toEqual([0, 0, 1, 1]);
    expect(a.falsePositives.every((v) => v.label === 0)).toBe(true);
    expect(a.falseNegatives.every((v) => v.label === 1)).toBe(true);

    // Apply to raw frames: the same optics before and after damage.
    const pairs = 6;
    const frames = new Float32Array(2 * pairs * FRAME_HEIGHT * FRAME_WIDTH);
    for (let i = 0; i < pairs; i++) {
      const seed = frameSeed(99, 'inference', i);
      frames.set(renderFrame(new Rng(seed), false, 1).data, i * FRAME_HEIGHT * FRAME_WIDTH);
      frames.set(renderFrame(new Rng(seed), true, 1).data, (pairs + i) * FRAME_HEIGHT * FRAME_WIDTH);
    }
    const arrays: ArraySet = { frames: { data: frames, shape: [2 * pairs, FRAME_HEIGHT, FRAME_WIDTH] } };
    const applied = await opticalDamage.apply!(ctx, TINY, trained, { name: 'frames.npy', arrays });
    expect(applied.outputs.heatmaps.shape).toEqual([2 * pairs, 20, 20]);
    const scores = (applied.artifacts as { scores: { max: Float32Array } }).scores.max;
    const mean = (from: number) => scores.slice(from, from + pairs).reduce((s, v) => s + v, 0) / pairs;
    expect(mean(pairs)).toBeGreaterThan(mean(0));

    result.model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  }, 900_000);

  it('refuses a model that cannot fit the device before generating any data', async () => {
    const ctx = await cpuContext(0);
    ctx.limits = { maxBufferSize: 256 * 2 ** 20, maxStorageBufferBindingSize: 128 * 2 ** 20 };
    let generated = false;
    ctx.datasets = {
      getOrCreate: async (_key, _describe, make) => {
        generated = true;
        return make();
      },
    };
    const reference = { ...defaults, downsample: '1', latent_size: 512 };
    expect(estimateFor(reference).params).toBe(41_096_609);
    await expect(opticalDamage.training!(ctx, reference)).rejects.toThrow(/maxStorageBufferBindingSize of 128\.0 MiB/);
    expect(generated).toBe(false);
  });

  it('previews the data and builds the untrained model for the Model cell', async () => {
    const ctx = await cpuContext(0);
    const preview = (await opticalDamage.preview!(ctx, defaults)) as {
      images: { height: number; width: number; data: Float32Array }[];
      stats: Record<string, number | string>;
    };
    expect(preview.images.map((i) => [i.height, i.width])).toEqual([
      [FRAME_HEIGHT, FRAME_WIDTH],
      [200, 200],
      [200, 200],
      [40, 40],
      [200, 200],
    ]);
    expect(preview.stats['trainable parameters']).toBe(estimateFor(defaults).params);
    const model = opticalDamage.buildModel!(ctx.tf, defaults);
    expect(model.inputs[0].shape).toEqual([null, 40, 40, 1]);
    model.dispose();
  });
});
