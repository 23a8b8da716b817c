import { describe, expect, it } from 'vitest';
import type { ParamValues, TrainedModel } from '../src/lib/harness/contract';
import { buildModel } from '../src/benchmarks/diffsims/model';
import { BUILTIN_CIFS, DEFAULT_PHASES } from '../src/benchmarks/diffsims/phases';
import { profileQAxis } from '../src/benchmarks/diffsims/profile';
import { diffsims, prepareInputProfiles } from '../src/benchmarks/diffsims/spec';
import { cpuContext } from './helpers/context';

type Params = ParamValues<typeof diffsims.params>;
const defaults = Object.fromEntries(Object.entries(diffsims.params).map(([k, spec]) => [k, spec.default])) as Params;

describe('diffsims CNN', () => {
  it('has the reference 164,931 parameters for 3 phases and softmax outputs', async () => {
    const ctx = await cpuContext(0);
    const model = buildModel(ctx.tf, { nPhases: 3, learningRate: 1e-3, seed: 1 });
    expect(model.countParams()).toBe(164931);
    expect(model.layers.map((l) => l.getClassName())).toEqual([
      'Conv1D', 'MaxPooling1D', 'Conv1D', 'MaxPooling1D', 'Dropout', 'Conv1D', 'MaxPooling1D', 'Flatten', 'Dense', 'Dense',
    ]);
    const probs = ctx.tf.tidy(() => model.predict(ctx.tf.zeros([2, 147, 1])) as import('@tensorflow/tfjs').Tensor);
    expect(probs.shape).toEqual([2, 3]);
    const sums = await probs.sum(1).data();
    expect(sums[0]).toBeCloseTo(1, 5);
    probs.dispose();
    model.dispose();
  });
});

describe('diffsims apply', () => {
  it('normalises profiles and interpolates a different q axis with a warning', () => {
    const modelAxis = profileQAxis();
    const same = prepareInputProfiles(modelAxis, Float32Array.from({ length: 147 }, (_, i) => 10 + i), 1, modelAxis, 'a.npz');
    expect(same.warnings).toEqual([]);
    expect(same.profiles[0]).toBe(0);
    expect(same.profiles[146]).toBeCloseTo(1, 6);

    // A coarser axis over a narrower range: interpolated, extrapolated, and both said.
    const x = Float64Array.from({ length: 100 }, (_, i) => 0.2 + (i * 1.0) / 99);
    const y = Float64Array.from(x, (q) => 3 * q);
    const moved = prepareInputProfiles(x, y, 1, modelAxis, 'b.npz');
    expect(moved.warnings).toHaveLength(2);
    expect(moved.warnings[0]).toMatch(/b\.npz.*differs from the model's.*interpolated/);
    expect(moved.warnings[1]).toMatch(/extrapolated/);
    // A linear profile stays linear on the model axis after min–max normalisation.
    for (let i = 0; i < 147; i++) expect(moved.profiles[i]).toBeCloseTo(i / 146, 5);
  });

  it('predicts every position of an (H, W, L) map and returns pred, argmax and the evaluation', async () => {
    const ctx = await cpuContext(0);
    const model = buildModel(ctx.tf, { nPhases: 3, learningRate: 1e-3, seed: 1 });
    const trained: TrainedModel = {
      model,
      id: 'cnn-test',
      benchmark: 'diffsims',
      trainingParams: {},
      info: { phases: [...DEFAULT_PHASES], cifs: { ...BUILTIN_CIFS }, q_axis: Array.from(profileQAxis()) },
    };
    const x = Float64Array.from({ length: 120 }, (_, i) => 0.1 + i * 0.01);
    const y = Float32Array.from({ length: 2 * 3 * 120 }, (_, i) => Math.sin(i / 7) + 2);
    const result = await diffsims.apply!(ctx, defaults, trained, {
      name: 'roi_radial_crop.npz',
      arrays: { x: { data: x, shape: [120] }, y: { data: y, shape: [2, 3, 120] } },
    });
    expect(result.outputs.pred.shape).toEqual([2, 3, 3]);
    expect(result.outputs.pred.data).toBeInstanceOf(Float32Array);
    expect(result.warnings[0]).toMatch(/interpolated/);
    expect(result.artifacts?.predictionFileName).toBe('roi_radial_crop_probability_pred.npz');
    expect(result.artifacts?.cnn_id).toBe('cnn-test');
    expect((result.artifacts?.argmax as { shape: number[] }).shape).toEqual([2, 3]);
    expect(result.artifacts?.phases).toEqual([...DEFAULT_PHASES]);
    model.dispose();
  });

  it('refuses inputs without x and y, naming what it found', async () => {
    const ctx = await cpuContext(0);
    const trained = { model: buildModel(ctx.tf, { nPhases: 3, learningRate: 1e-3, seed: 1 }), id: 'i', benchmark: 'diffsims', trainingParams: {}, info: {} };
    await expect(diffsims.apply!(ctx, defaults, trained, { name: 'f.npz', arrays: { exp1d: { data: new Float32Array(147), shape: [147] } } })).rejects.toThrow(
      /expected arrays 'x' \(q axis\) and 'y'.*found exp1d/,
    );
    trained.model.dispose();
  });
});

describe('diffsims training and inference (tiny budget)', () => {
  it('simulates, trains, reports labelled metrics and runs the default-scan inference with the evaluation', async () => {
    const ctx = await cpuContext(3);
    const params: Params = { ...defaults, n_per_phase: 6, epochs: 1, holdout: 0.5, scan_height: 4, scan_width: 5, scan_grains: 4 };
    const result = await diffsims.training!(ctx, params);
    expect(result.model.countParams()).toBe(164931);
    expect(result.metrics.accuracy).toBeGreaterThanOrEqual(0);
    expect(result.metrics.accuracy).toBeLessThanOrEqual(1);
    expect(result.history.loss).toHaveLength(1);
    expect(result.modelInfo?.phases).toEqual([...DEFAULT_PHASES]);
    const report = result.artifacts?.report as { confusion: number[][]; perClass: unknown[] };
    expect(report.perClass).toHaveLength(3);
    expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(9);
    expect(ctx.lines.some((l) => l.includes('simulated 18 profiles'))).toBe(true);

    const trained: TrainedModel = { model: result.model, id: 'tiny', benchmark: 'diffsims', trainingParams: {}, info: result.modelInfo! };
    const inference = await diffsims.inference!(ctx, params, trained);
    expect((inference.artifacts?.pred as { shape: number[] }).shape).toEqual([4, 5, 3]);
    expect((inference.artifacts?.truth as { shape: number[] }).shape).toEqual([4, 5]);
    expect(inference.metrics.throughput).toBeGreaterThan(0);
    expect(ctx.lines).toContain('MESSG Evaluation method: Peak X position difference');
    result.model.dispose();
  });
});
