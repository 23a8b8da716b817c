/**
 * EMDenoiseNet (SciML-Bench em_denoise v1.1): a U-Net-like autoencoder with three pooling levels,
 * 8/16/32/64 channels and concatenated skips. Every block is (3×3 conv → ReLU → BatchNorm) × 2;
 * the decoder upsamples bilinearly ×2 and concatenates the encoder's skip; a final linear 3×3 conv
 * gives one channel. 122,737 trainable parameters for any input size.
 *
 * Differences from the PyTorch reference, none of which changes the parameter count:
 * - BatchNorm uses PyTorch's running-average momentum 0.1 (Keras momentum 0.9) and ε = 1e-5;
 *   Keras' default 0.99 would leave the running statistics far from the data after the few hundred
 *   steps of a browser-sized run, and inference uses those statistics.
 * - tfjs' bilinear upSampling2d uses align_corners = false (the reference: true).
 * - Kernels start as PyTorch's Conv2d default, U(±1/√fan_in) (variance scaling 1/3, fan in), seeded per
 *   layer so cpu runs are reproducible; biases start at 0 (PyTorch: the same uniform).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../../lib/harness/contract';

export interface EmDenoiseNetOptions {
  /** Input side in pixels (a multiple of 8: three 2× poolings). */
  size: number;
  /** Seed of the weight initialisers. */
  seed: number;
}

/** Builds (uncompiled) EMDenoiseNet for size × size × 1 images. */
export function buildEmDenoiseNet(tf: TF, { size, seed }: EmDenoiseNetOptions): tfType.LayersModel {
  if (size % 8 !== 0) throw new Error(`EMDenoiseNet needs an image size divisible by 8, got ${size}`);
  let layerSeed = seed;
  const conv = (x: tfType.SymbolicTensor, filters: number, name: string, activation: 'relu' | 'linear') =>
    tf.layers
      .conv2d({
        filters,
        kernelSize: 3,
        padding: 'same',
        activation,
        kernelInitializer: tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed: layerSeed++ }),
        name,
      })
      .apply(x) as tfType.SymbolicTensor;
  const block = (x: tfType.SymbolicTensor, filters: number, name: string) => {
    let y = x;
    for (const part of ['a', 'b']) {
      y = conv(y, filters, `${name}_conv_${part}`, 'relu');
      y = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: `${name}_bn_${part}` }).apply(y) as tfType.SymbolicTensor;
    }
    return y;
  };
  const pool = (x: tfType.SymbolicTensor, name: string) =>
    tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name }).apply(x) as tfType.SymbolicTensor;
  const upAndJoin = (x: tfType.SymbolicTensor, skip: tfType.SymbolicTensor, name: string) => {
    const up = tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear', name: `${name}_up` }).apply(x) as tfType.SymbolicTensor;
    return tf.layers.concatenate({ axis: -1, name: `${name}_concat` }).apply([up, skip]) as tfType.SymbolicTensor;
  };

  const input = tf.input({ shape: [size, size, 1], name: 'noisy' });
  const skip1 = block(input, 8, 'block1');
  const skip2 = block(pool(skip1, 'pool1'), 16, 'block2');
  const skip3 = block(pool(skip2, 'pool2'), 32, 'block3');
  const bottleneck = block(pool(skip3, 'pool3'), 64, 'block4');
  const up5 = block(upAndJoin(bottleneck, skip3, 'block5'), 32, 'block5');
  const up6 = block(upAndJoin(up5, skip2, 'block6'), 16, 'block6');
  const up7 = block(upAndJoin(up6, skip1, 'block7'), 8, 'block7');
  const output = conv(up7, 1, 'last', 'linear');
  return tf.model({ inputs: input, outputs: output, name: 'EMDenoiseNet' });
}

/** Number of trainable parameters (the reference's 122,737). */
export function countTrainableParams(model: tfType.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

/**
 * The network's input convention: each image (or tile) is divided by its own mean,
 * x = counts / mean(counts), so inputs have mean 1 whatever the dose or the detector's units
 * (training images: λ counts per pixel; user data: any non-negative scale). The target is the clean
 * image on its [0, 1] scale, so the output needs no rescaling. Returns the mean used (1 when the
 * image has no positive mean, which leaves it unchanged).
 */
export function normaliseByMean(image: Float32Array, out: Float32Array = new Float32Array(image.length)): number {
  let sum = 0;
  for (let i = 0; i < image.length; i++) sum += image[i];
  const scale = sum > 0 ? sum / image.length : 1;
  for (let i = 0; i < image.length; i++) out[i] = image[i] / scale;
  return scale;
}
