/**
 * The reference optical_damage autoencoder (`model.autoencoder(input_shape, latent_dim)`, seed-systems §5.3),
 * for a square single-channel input of side s (s divisible by 4; the reference uses s = 200):
 *
 *   encoder  Conv 64 → BN → MaxPool 2 → Conv 32 → BN → MaxPool 2 → Conv 16 → BN        (s/4 × s/4 × 16)
 *   bottleneck  Flatten (16·(s/4)²) → Dense L (linear) → Dense 16·(s/4)² (linear) → Reshape
 *   decoder  BN → Conv 16 → BN → ConvT 32 /2 → BN → Conv 32 → BN → ConvT 64 /2 → BN → Conv 64 → BN
 *   output   Conv 1×1, linear                                                           (s × s × 1)
 *
 * Convolutions are 3×3, 'same', ReLU; the Conv2D layers use he_normal, the transposed convolutions,
 * dense layers and the output keep Keras's glorot_uniform, as in the reference.
 * At s = 200 and L = 512 this has 41,096,609 trainable parameters; almost all are the two dense
 * layers, 2·16·(s/4)²·L.
 *
 * Two deliberate changes for short runs, neither touching the architecture or its parameters:
 * - BatchNorm momentum 0.9 instead of Keras's 0.99. The moving statistics used at inference forget
 *   their initial values (mean 0, variance 1) as 0.99^steps; the reference trains ~1,650 steps,
 *   browser-scale runs a few hundred or fewer, where 0.99 would leave the statistics visibly wrong.
 * - After training, recalibrateBatchNorm refreshes those statistics with forward passes over the
 *   training images ("precise BN"): while the weights still move fast, the running averages lag
 *   behind them, and inference-mode reconstructions are then several times worse than the network is.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../../lib/harness/contract';

export const BATCH_NORM_MOMENTUM = 0.9;
const BYTES_PER_FLOAT = 4;

export interface AutoencoderShape {
  /** Side of the square model input, divisible by 4. */
  inputSize: number;
  latentSize: number;
}

/** Builds the autoencoder; `seed` makes the initial weights reproducible. */
export function buildAutoencoder(tf: TF, shape: AutoencoderShape, seed = 0): tfType.LayersModel {
  const { inputSize: s, latentSize } = shape;
  checkShape(shape);
  const bottleneck = s / 4;
  let layerSeed = seed * 1000;
  const heNormal = () => tf.initializers.heNormal({ seed: ++layerSeed });
  const glorot = () => tf.initializers.glorotUniform({ seed: ++layerSeed });
  const conv = (filters: number) =>
    tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: heNormal() });
  const convTranspose = (filters: number) =>
    tf.layers.conv2dTranspose({
      filters,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: glorot(),
    });
  const batchNorm = () => tf.layers.batchNormalization({ momentum: BATCH_NORM_MOMENTUM });
  const pool = () => tf.layers.maxPooling2d({ poolSize: 2 });

  const input = tf.input({ shape: [s, s, 1] });
  const layers: tfType.layers.Layer[] = [
    conv(64), batchNorm(), pool(),
    conv(32), batchNorm(), pool(),
    conv(16), batchNorm(),
    tf.layers.flatten(),
    tf.layers.dense({ units: latentSize, kernelInitializer: glorot() }),
    tf.layers.dense({ units: bottleneck * bottleneck * 16, kernelInitializer: glorot() }),
    tf.layers.reshape({ targetShape: [bottleneck, bottleneck, 16] }),
    batchNorm(), conv(16), batchNorm(),
    convTranspose(32), batchNorm(), conv(32), batchNorm(),
    convTranspose(64), batchNorm(), conv(64), batchNorm(),
    tf.layers.conv2d({ filters: 1, kernelSize: 1, padding: 'same', kernelInitializer: glorot() }),
  ];
  let x = input;
  for (const layer of layers) x = layer.apply(x) as tfType.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: 'optical_damage_autoencoder' });
}

/** Forward passes (no weight updates) that refresh the moving statistics, see the module docstring. */
export const RECALIBRATION_BATCHES = 32;

/**
 * Runs the model in training mode on `images` (n × s × s × 1) batch after batch, cycling through
 * them, for max(RECALIBRATION_BATCHES, one pass) batches: every BatchNorm layer's moving mean and
 * variance become averages over the last ~1/(1 − momentum) batches of the trained network.
 * Only the moving statistics change; the weights stay as trained.
 */
export async function recalibrateBatchNorm(
  tf: TF,
  model: tfType.LayersModel,
  images: tfType.Tensor4D,
  batchSize: number,
  signal?: AbortSignal,
): Promise<void> {
  const n = images.shape[0];
  const batch = Math.min(batchSize, n);
  const perPass = Math.floor(n / batch);
  const batches = Math.max(RECALIBRATION_BATCHES, perPass);
  for (let k = 0; k < batches; k++) {
    if (signal?.aborted) return;
    const start = (k % perPass) * batch;
    const out = tf.tidy(() => model.apply(images.slice(start, batch), { training: true }) as tfType.Tensor);
    // Reading the output waits for the step, so the loop does not queue up all batches at once.
    await out.data();
    out.dispose();
  }
}

export function checkShape({ inputSize, latentSize }: AutoencoderShape): void {
  if (!Number.isInteger(inputSize) || inputSize < 4 || inputSize % 4 !== 0) {
    throw new Error(`The autoencoder needs an input side divisible by 4 (two 2× poolings); got ${inputSize}.`);
  }
  if (!Number.isInteger(latentSize) || latentSize < 1) {
    throw new Error(`latent_size must be a positive integer; got ${latentSize}.`);
  }
}

/** Trainable parameters, from the layer definitions (BatchNorm counts γ and β only). */
export function trainableParams({ inputSize, latentSize }: AutoencoderShape): number {
  const flat = 16 * (inputSize / 4) ** 2;
  const conv = (inCh: number, outCh: number, k = 3) => k * k * inCh * outCh + outCh;
  const batchNorm = (ch: number) => 2 * ch;
  return (
    conv(1, 64) + batchNorm(64) + conv(64, 32) + batchNorm(32) + conv(32, 16) + batchNorm(16) +
    (flat * latentSize + latentSize) + (latentSize * flat + flat) +
    batchNorm(16) + conv(16, 16) + batchNorm(16) +
    conv(16, 32) + batchNorm(32) + conv(32, 32) + batchNorm(32) +
    conv(32, 64) + batchNorm(64) + conv(64, 64) + batchNorm(64) +
    conv(64, 1, 1)
  );
}

/** Elements per image of every layer output, in order (for the activation-memory estimate). */
function activationElements(inputSize: number, latentSize: number): number[] {
  const full = inputSize * inputSize;
  const half = full / 4;
  const quarter = full / 16;
  return [
    full * 64, full * 64, half * 64, // conv, BN, pool
    half * 32, half * 32, quarter * 32,
    quarter * 16, quarter * 16,
    latentSize, quarter * 16, // dense, dense (flatten/reshape are views)
    quarter * 16, quarter * 16, quarter * 16,
    half * 32, half * 32, half * 32, half * 32,
    full * 64, full * 64, full * 64, full * 64,
    full,
  ];
}

export interface EstimateInput extends AutoencoderShape {
  batchSize: number;
  /** Images in the inference batches (predictBatched). */
  inferenceBatchSize: number;
  /** Images held as tensors: the training, validation and inference sets (0 to leave one out). */
  trainImages: number;
  validationImages: number;
  inferenceImages: number;
}

export interface ModelEstimate {
  /** Trainable parameters. */
  params: number;
  /** float32 trainable weights. */
  bytesWeights: number;
  /**
   * Rough peak while training: weights, gradients and Adam's two moments (4× weights), the layer
   * outputs of one batch kept for backprop and their gradients (2×), and the training and
   * validation image tensors.
   */
  bytesTrainingPeak: number;
  /** The largest single tensor, which must fit one GPU buffer (WebGPU binds each tensor as a buffer). */
  largestBufferBytes: number;
  /** What that largest tensor is, for messages. */
  largestBufferName: string;
}

/** Parameter count and memory estimate for a configuration, available before building anything. */
export function estimateModel(input: EstimateInput): ModelEstimate {
  checkShape(input);
  const { inputSize: s, latentSize, batchSize, inferenceBatchSize } = input;
  const { trainImages, validationImages, inferenceImages } = input;
  const params = trainableParams(input);
  const bytesWeights = params * BYTES_PER_FLOAT;
  const perImageActivations = activationElements(s, latentSize).reduce((a, b) => a + b, 0);
  const imageBytes = s * s * BYTES_PER_FLOAT;
  const bytesTrainingPeak =
    4 * bytesWeights + 2 * batchSize * perImageActivations * BYTES_PER_FLOAT +
    (trainImages + validationImages) * imageBytes;

  const flat = 16 * (s / 4) ** 2;
  const candidates: [string, number][] = [
    [`dense kernel ${flat}×${latentSize}`, flat * latentSize * BYTES_PER_FLOAT],
    [`training activation ${batchSize}×${s}×${s}×64`, batchSize * s * s * 64 * BYTES_PER_FLOAT],
    [`inference activation ${inferenceBatchSize}×${s}×${s}×64`, inferenceBatchSize * s * s * 64 * BYTES_PER_FLOAT],
    [`training images ${trainImages}×${s}×${s}`, trainImages * imageBytes],
    [`validation images ${validationImages}×${s}×${s}`, validationImages * imageBytes],
    [`inference images ${inferenceImages}×${s}×${s}`, inferenceImages * imageBytes],
  ];
  const [largestBufferName, largestBufferBytes] = candidates.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { params, bytesWeights, bytesTrainingPeak, largestBufferBytes, largestBufferName };
}

export interface DeviceLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

/** Throws a readable error when the estimate's largest tensor exceeds the device's buffer limits. */
export function checkDeviceLimits(estimate: ModelEstimate, limits: DeviceLimits | undefined): void {
  if (!limits) return;
  const limit = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
  if (estimate.largestBufferBytes <= limit) return;
  const limitName =
    limits.maxStorageBufferBindingSize <= limits.maxBufferSize ? 'maxStorageBufferBindingSize' : 'maxBufferSize';
  throw new Error(
    `This configuration needs a single GPU buffer of ${mib(estimate.largestBufferBytes)} ` +
      `(${estimate.largestBufferName}), more than this device's ${limitName} of ${mib(limit)}. ` +
      'Lower latent_size or the batch size, raise downsample, or use fewer images.',
  );
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
