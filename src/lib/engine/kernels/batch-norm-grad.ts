/**
 * The gradient of FusedBatchNorm with per-channel statistics (channel = last axis, as in every
 * channels-last BatchNormalization layer). With y = (x − μ)·γ·r + β, r = 1/√(σ² + ε), and Σ over all
 * positions of a channel:
 *
 *   ∂x = dy·γ·r,   ∂μ = −r·γ·Σdy,   ∂σ² = −½·r³·γ·Σdy·(x − μ),   ∂γ = r·Σdy·(x − μ),   ∂β = Σdy
 *
 * tfjs-core evaluates this as ≈ 20 programs per layer (x − μ, dy·γ, a tile of r, four
 * activation-sized products, four full reductions, …); a training step of EMDenoiseNet has 14 such
 * layers. 'SciMLBatchNormGrad' (webgpu) does it in 7: one reduction of [Σdy, Σdy·(x − μ)] over the
 * rows (./reduce.ts, two passes when large), four per-channel programs and one elementwise ∂x.
 * Other backends, and statistics that are not per channel, keep tfjs-core's gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { elementwiseProgram, type UniformData } from './program';
import { reduceRows, type RowTerm } from './reduce';

export const BATCH_NORM_GRAD = 'SciMLBatchNormGrad';

/** Columns 0..C−1: dy; columns C..2C−1: dy·(x − μ), over rows of C channels. */
const SUMS: RowTerm = {
  key: 'bn_grad',
  variableNames: ['x', 'dy', 'mean'],
  value: `select(
      dy[r * (uniforms.columns / 2) + c % (uniforms.columns / 2)] *
        (x[r * (uniforms.columns / 2) + c % (uniforms.columns / 2)] - mean[c % (uniforms.columns / 2)]),
      dy[r * (uniforms.columns / 2) + c],
      c < uniforms.columns / 2)`,
};

/** An elementwise program over `shape`; `body` sets result[index] (c = channel of index). */
const elementwise = (key: string, shape: number[], variableNames: string[], body: string) =>
  elementwiseProgram(`sciml_bn_grad_${key}`, shape, variableNames, 'channels : i32, varianceEpsilon : f32,', `let c = index % uniforms.channels;\n${body}`);

const R = 'let r = inverseSqrt(variance[c] + uniforms.varianceEpsilon);';

/** Per-channel gradients from sums = [Σdy (C values), Σdy·(x − μ) (C values)]; each names only the inputs it reads. */
const PER_CHANNEL: Record<'mean' | 'variance' | 'scale' | 'offset', { inputs: ('sums' | 'variance' | 'scale')[]; body: string }> = {
  mean: { inputs: ['sums', 'variance', 'scale'], body: `${R} result[index] = -r * scale[c] * sums[c];` },
  variance: { inputs: ['sums', 'variance', 'scale'], body: `${R} result[index] = -0.5 * r * r * r * scale[c] * sums[uniforms.channels + c];` },
  scale: { inputs: ['sums', 'variance'], body: `${R} result[index] = r * sums[uniforms.channels + c];` },
  offset: { inputs: ['sums'], body: 'result[index] = sums[c];' },
};

export const batchNormGradConfig: tf.KernelConfig = {
  kernelName: BATCH_NORM_GRAD,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy, mean, variance, scale } = inputs as Record<'x' | 'dy' | 'mean' | 'variance' | 'scale', tf.TensorInfo>;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const gpu = backend as WebGPUBackend;
    const channels = mean.shape[0];
    const rows = tf.util.sizeFromShape(x.shape) / channels;
    const uniforms: UniformData = [
      { type: 'int32', data: [channels] },
      { type: 'float32', data: [varianceEpsilon] },
    ];
    const sums = reduceRows(gpu, [x, dy, mean], SUMS, rows, 2 * channels, 1);
    const dx = gpu.runWebGPUProgram(
      elementwise('x', x.shape.slice(), ['dy', 'variance', 'scale'], `${R} result[index] = dy[index] * scale[c] * r;`),
      [dy, variance, scale],
      'float32',
      uniforms,
    );
    const tensors = { sums, variance, scale };
    const perChannel = (['mean', 'variance', 'scale', 'offset'] as const).map((name) => {
      const { inputs: names, body } = PER_CHANNEL[name];
      return gpu.runWebGPUProgram(elementwise(name, [channels], names, body), names.map((n) => tensors[n]), 'float32', uniforms);
    });
    gpu.disposeData(sums.dataId);
    return [dx, ...perChannel];
  },
};

/** tfjs-core's gradient, for the cases the fused kernel leaves to it. */
let original: tf.GradConfig | undefined;

const fusedBatchNormGrad: tf.GradConfig = {
  kernelName: tf.FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const [x, mean, variance, scale] = saved;
    const dyTensor = Array.isArray(dy) ? dy[0] : dy;
    const perChannel = mean.rank === 1 && variance.rank === 1 && x.shape[x.rank - 1] === mean.size && (scale == null || scale.rank === 1);
    if (!perChannel || x.dtype !== 'float32' || tf.getKernel(BATCH_NORM_GRAD, tf.getBackend()) === undefined) {
      if (!original) throw new Error('FusedBatchNorm: tfjs-core gradient not registered');
      return original.gradFunc(dy, saved, attrs);
    }
    // tfjs calls every input's gradient, so all five come from one kernel call, made here.
    const [dx, dMean, dVariance, dScale, dOffset] = tf.engine().runKernel(
      BATCH_NORM_GRAD,
      { x, dy: dyTensor, mean, variance, scale: scale ?? tf.onesLike(mean) },
      attrs,
    ) as tf.Tensor[];
    return { x: () => dx, mean: () => dMean, variance: () => dVariance, scale: () => dScale, offset: () => dOffset };
  },
};

/** Replaces tfjs-core's FusedBatchNorm gradient (keeping it for the cases above). */
export function registerBatchNormGradient(): void {
  original ??= tf.getGradient(tf.FusedBatchNorm);
  tf.registerGradient(fusedBatchNormGrad);
}
