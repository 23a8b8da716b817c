/**
 * em_denoise end to end through the benchmark object on tfjs' cpu backend: a tiny training run,
 * inference against the clean test images, and apply on user-shaped arrays.
 * Sizes are tiny: tfjs' cpu backend trains this network at about half a second per 16 px image.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { emDenoise, generatorOptions, type EmDenoiseInferenceArtifacts, type EmDenoiseParams } from '../src/benchmarks/em_denoise/spec';
import { generateMicrographs } from '../src/benchmarks/em_denoise/generator';
import { normaliseByMean } from '../src/benchmarks/em_denoise/model';
import { mse } from '../src/benchmarks/em_denoise/metrics';
import { resolveParams } from '../src/lib/harness/params';
import type { TrainedModel, TrainingResult } from '../src/lib/harness/contract';
import type { DataPreview } from '../src/lib/harness/preview';
import { cpuContext, type TestContext } from './helpers/context';

const SIZE = 16;
const N_TRAIN = 16;
const params = (mode: 'training' | 'inference', overrides: Partial<EmDenoiseParams>): EmDenoiseParams =>
  resolveParams(emDenoise.params, overrides, mode).values;

let ctx: TestContext;
let trainedResult: TrainingResult;
let trained: TrainedModel;

beforeAll(async () => {
  ctx = await cpuContext(0);
  trainedResult = await emDenoise.training!(ctx, params('training', { image_size: SIZE, n_train: N_TRAIN, epochs: 2, batch_size: 4 }));
  trained = {
    model: trainedResult.model,
    id: 'test',
    benchmark: 'em_denoise',
    trainingParams: {},
    info: trainedResult.modelInfo ?? {},
  };
}, 300_000);

describe('em_denoise data preview and model', () => {
  it('previews the first training pairs (the same images training generates) with their settings', async () => {
    const preview = (await emDenoise.preview!(ctx, params('training', { image_size: 32 }))) as unknown as DataPreview;
    expect(preview.images).toHaveLength(6);
    expect(preview.images!.map((i) => [i.height, i.width])).toEqual(Array(6).fill([32, 32]));
    const first = await generateMicrographs(ctx.seed, 'train', 1, generatorOptions(params('training', {}), 32));
    expect(preview.images![1].data).toEqual(first.clean.data);
    expect(preview.stats!['training pairs']).toBe(512);
  });

  it('builds the untrained network for the Model cell', () => {
    const model = emDenoise.buildModel!(ctx.tf, params('training', { image_size: 32 }));
    expect(model.inputs[0].shape).toEqual([null, 32, 32, 1]);
    model.dispose();
  });

  it('refuses a minimum above its maximum', async () => {
    await expect(emDenoise.preview!(ctx, params('training', { dose_min: 50, dose_max: 10 }))).rejects.toThrow(/dose_min \(50\) is larger/);
  });
});

describe('em_denoise training', () => {
  it('brings the training loss down from epoch to epoch and below the MSE of the noisy input itself', async () => {
    const { metrics, history } = trainedResult;
    expect(history.loss).toHaveLength(2);
    expect(ctx.epochs.map((e) => e.loss)).toEqual(history.loss);
    expect(metrics.loss).toBe(history.loss[1]);
    expect(metrics.mse).toBe(metrics.loss);
    expect(metrics.time).toBeGreaterThan(0);
    expect(ctx.lines).toContain('MESSG EMDenoiseNet for 16×16 images: 122737 trainable parameters');
    expect(history.loss[1]).toBeLessThan(history.loss[0]);
    expect(history.loss[0]).toBeLessThan(await noisyInputMse());
  });

  it('records the model size, input normalisation and calibrated baselines beside the weights', () => {
    const info = trainedResult.modelInfo!;
    expect(info.imageSize).toBe(SIZE);
    expect(info.inputNormalisation).toBe('mean');
    const baselines = info.baselines as Record<string, { calibrationMse: number; gain: number }>;
    expect(Object.keys(baselines).sort()).toEqual(['gaussian', 'median', 'noisy']);
    // Filtering helps over the intensity-matched input on the calibration images.
    expect(baselines.gaussian.calibrationMse).toBeLessThan(baselines.noisy.calibrationMse);
    expect(baselines.median.calibrationMse).toBeLessThan(baselines.noisy.calibrationMse);
    expect(trainedResult.metrics.noisy_mse).toBe(baselines.noisy.calibrationMse);
  });
});

/** MSE between the mean-normalised noisy training images and their clean targets. */
async function noisyInputMse(): Promise<number> {
  const set = await generateMicrographs(ctx.seed, 'train', N_TRAIN, generatorOptions(params('training', {}), SIZE));
  const per = SIZE * SIZE;
  let total = 0;
  for (let i = 0; i < N_TRAIN; i++) {
    const x = new Float32Array(per);
    normaliseByMean((set.noisy.data as Float32Array).subarray(i * per, (i + 1) * per), x);
    total += mse(x, (set.clean.data as Float32Array).subarray(i * per, (i + 1) * per));
  }
  return total / N_TRAIN;
}

describe('em_denoise inference', () => {
  it('scores the network and the baselines against the clean images and returns viewer artifacts', async () => {
    const n = 6;
    const tensors = ctx.tf.memory().numTensors;
    const result = await emDenoise.inference!(ctx, params('inference', { n_test: n, n_samples: 4, batch_size: 4 }), trained);
    expect(ctx.tf.memory().numTensors).toBe(tensors);
    const m = result.metrics;
    for (const prefix of ['', 'gaussian_', 'median_', 'noisy_']) {
      for (const key of ['mse', 'psnr', 'ssim', 'time', 'throughput']) expect(Number.isFinite(m[`${prefix}${key}`]), `${prefix}${key}`).toBe(true);
      // PSNR with peak 1 is −10·log10 of the mean squared error for one image; averaged per image it
      // is at least the PSNR of the mean MSE (Jensen), so the two agree in ordering and scale.
      expect(m[`${prefix}psnr`]!).toBeGreaterThanOrEqual(-10 * Math.log10(m[`${prefix}mse`]!) - 1e-9);
    }
    expect(m.loss).toBe(m.mse);
    expect(m.throughput).toBeCloseTo(n / m.time!, 6);

    const a = result.artifacts as unknown as EmDenoiseInferenceArtifacts;
    expect(a.psnrPeak).toBe(1);
    expect(a.imageSize).toBe(SIZE);
    for (const key of ['noisy', 'denoised', 'clean', 'gaussian', 'median'] as const) {
      expect(a.samples[key].shape).toEqual([4, SIZE, SIZE]);
      expect(a.samples[key].data).toHaveLength(4 * SIZE * SIZE);
    }
    expect(a.samples.dose).toHaveLength(4);
    expect(a.perImage.dose).toHaveLength(n);
    expect(a.perImage.psnr.network).toHaveLength(n);
    expect(a.perImage.ssim.median).toHaveLength(n);
    const meanPsnr = a.perImage.psnr.gaussian.reduce((s, v) => s + v, 0) / n;
    expect(meanPsnr).toBeCloseTo(m.gaussian_psnr!, 4);
    expect(a.lossHistory).toEqual(trainedResult.history.loss);
  });

  it('refuses a model without its baseline calibration', async () => {
    await expect(emDenoise.inference!(ctx, params('inference', { n_test: 1 }), { ...trained, info: { imageSize: SIZE } })).rejects.toThrow(
      /baseline calibration/,
    );
  });
});

describe('em_denoise apply', () => {
  const image = (height: number, width: number, seed: number) =>
    Float32Array.from({ length: height * width }, (_, i) => 20 * (1 + Math.sin(0.7 * (i % width) + seed) * Math.cos(0.5 * Math.floor(i / width))));

  it('denoises any-size images and stacks, keeping the shape, in tiles of the network input', async () => {
    const single = { data: image(100, 77, 0), shape: [100, 77] };
    const stack = { data: Float64Array.from([...image(70, 66, 1), ...image(70, 66, 2)]), shape: [2, 70, 66, 1] };
    const tensors = ctx.tf.memory().numTensors;
    const result = await emDenoise.apply!(ctx, params('inference', { batch_size: 16 }), trained, {
      name: 'mine.npz',
      arrays: { single, stack, labels: { data: new Int32Array(3), shape: [3] }, tiny: { data: new Float32Array(40 * 40), shape: [40, 40] } },
    });
    expect(ctx.tf.memory().numTensors).toBe(tensors);
    expect(result.outputs.single_denoised.shape).toEqual([100, 77]);
    expect(result.outputs.stack_denoised.shape).toEqual([2, 70, 66, 1]);
    expect(result.outputs.single_denoised.data).toBeInstanceOf(Float32Array);
    expect(result.outputs.stack_denoised.data).toHaveLength(2 * 70 * 66);
    for (const out of Object.values(result.outputs)) expect(Array.from(out.data).every(Number.isFinite)).toBe(true);
    expect(Object.keys(result.outputs).sort()).toEqual(['single_denoised', 'stack_denoised']);
    expect(result.warnings.some((w) => w.startsWith('labels: skipped'))).toBe(true);
    expect(result.warnings.some((w) => w.startsWith('tiny: skipped'))).toBe(true);
    // 'input' scale: each denoised image keeps its input's mean intensity.
    const mean = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0) / v.length;
    expect(mean(result.outputs.single_denoised.data)).toBeCloseTo(mean(single.data), 3);
    const previews = (result.artifacts as { previews: { name: string; index: number }[] }).previews;
    expect(previews.map((p) => `${p.name}[${p.index}]`)).toEqual(['single[0]', 'stack[0]', 'stack[1]']);
  });

  it("'unit' scale returns the network's own output, a fixed multiple of the 'input' one", async () => {
    const arrays = { img: { data: image(64, 64, 3), shape: [64, 64] } };
    const asInput = await emDenoise.apply!(ctx, params('inference', { output_scale: 'input' }), trained, { name: 'a.npy', arrays });
    const asUnit = await emDenoise.apply!(ctx, params('inference', { output_scale: 'unit' }), trained, { name: 'a.npy', arrays });
    const u = asUnit.outputs.img_denoised.data as Float32Array;
    const v = asInput.outputs.img_denoised.data as Float32Array;
    const ratio = v[0] / u[0];
    v.forEach((x, i) => expect(x).toBeCloseTo(u[i] * ratio, 3));
  });

  it('refuses input with no usable image', async () => {
    await expect(
      emDenoise.apply!(ctx, params('inference', {}), trained, { name: 'bad.npy', arrays: { x: { data: new Float32Array(8), shape: [2, 2, 2] } } }),
    ).rejects.toThrow(/no image found/);
  });
});
