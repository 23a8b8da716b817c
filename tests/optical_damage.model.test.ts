import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useFastCpuConvBackpropFilter } from '../src/lib/engine/kernels/cpu-conv2d-backprop-filter';
import {
  buildAutoencoder,
  checkDeviceLimits,
  estimateModel,
  trainableParams,
} from '../src/benchmarks/optical_damage/model';

function countTrainable(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, w) => sum + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

/** The reference model and batches, with a browser-sized number of images. */
const REFERENCE = {
  inputSize: 200,
  latentSize: 512,
  batchSize: 32,
  inferenceBatchSize: 64,
  trainImages: 512,
  validationImages: 128,
  inferenceImages: 512,
};

describe('autoencoder', () => {
  it('has 41,096,609 trainable parameters at 200×200, L = 512 (the reference default)', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const model = buildAutoencoder(tf, { inputSize: 200, latentSize: 512 });
    try {
      expect(countTrainable(model)).toBe(41_096_609);
      expect(model.outputs[0].shape).toEqual([null, 200, 200, 1]);
    } finally {
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(trainableParams({ inputSize: 200, latentSize: 512 })).toBe(41_096_609);
    expect(trainableParams({ inputSize: 200, latentSize: 2000 })).toBe(160_138_097);
  });

  it('counts parameters by formula exactly as built, for downsampled inputs', async () => {
    await tf.setBackend('cpu');
    for (const shape of [
      { inputSize: 20, latentSize: 8 },
      { inputSize: 40, latentSize: 64 },
    ]) {
      const model = buildAutoencoder(tf, shape);
      expect(countTrainable(model)).toBe(trainableParams(shape));
      expect(model.outputs[0].shape).toEqual([null, shape.inputSize, shape.inputSize, 1]);
      model.dispose();
    }
    expect(() => buildAutoencoder(tf, { inputSize: 50, latentSize: 8 })).toThrow(/divisible by 4/);
  });
});

describe('memory estimate and device limits', () => {
  it('estimates the reference configuration', () => {
    const e = estimateModel(REFERENCE);
    expect(e.params).toBe(41_096_609);
    expect(e.bytesWeights).toBe(4 * 41_096_609);
    // The biggest single tensor: the 64-channel inference activations, 64×200×200×64 float32.
    expect(e.largestBufferBytes).toBe(64 * 200 * 200 * 64 * 4);
    expect(e.largestBufferName).toMatch(/inference activation/);
    expect(e.bytesTrainingPeak).toBeGreaterThan(4 * e.bytesWeights);
  });

  it('refuses what does not fit the device buffers, with a clear message', () => {
    const e = estimateModel(REFERENCE);
    const defaults = { maxBufferSize: 256 * 2 ** 20, maxStorageBufferBindingSize: 128 * 2 ** 20 };
    expect(() => checkDeviceLimits(e, defaults)).toThrow(/625\.0 MiB .*maxStorageBufferBindingSize of 128\.0 MiB/);
    expect(() => checkDeviceLimits(e, { maxBufferSize: 4 * 2 ** 30, maxStorageBufferBindingSize: 4 * 2 ** 30 })).not.toThrow();
    expect(() => checkDeviceLimits(e, undefined)).not.toThrow();
    // The reference's 10,533 training images as one tensor would be the largest buffer.
    const everything = estimateModel({ ...REFERENCE, trainImages: 10533 });
    expect(() => checkDeviceLimits(everything, { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30 })).toThrow(
      /1607\.2 MiB \(training images 10533×200×200\).*maxStorageBufferBindingSize of 1024\.0 MiB/,
    );
    const small = estimateModel({ ...REFERENCE, inputSize: 40, latentSize: 64, trainImages: 256, validationImages: 64, inferenceImages: 256 });
    expect(() => checkDeviceLimits(small, defaults)).not.toThrow();
  });
});

describe('fast cpu Conv2DBackpropFilter', () => {
  it('gives the same filter gradients as the stock kernel', async () => {
    await tf.setBackend('cpu');
    const x = tf.randomNormal([2, 9, 7, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const cases = [
      { stride: 1, pad: 'same' as const, filter: [3, 3, 3, 4] as const },
      { stride: 2, pad: 'same' as const, filter: [3, 3, 3, 5] as const },
      { stride: 1, pad: 'valid' as const, filter: [2, 3, 3, 2] as const },
    ];
    const gradients = () =>
      cases.map((c) => {
        const w = tf.randomNormal([...c.filter], 0, 1, 'float32', 2) as tf.Tensor4D;
        const convGrad = tf.grad((v: tf.Tensor) => tf.conv2d(x, v as tf.Tensor4D, c.stride, c.pad).square().sum())(w);
        // conv2dTranspose's filter gradient goes through the same kernel with the roles swapped.
        const wt = tf.randomNormal([3, 3, 2, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
        const outShape: [number, number, number, number] = [2, 18, 14, 2];
        const transposeGrad = tf.grad((v: tf.Tensor) => tf.conv2dTranspose(x, v as tf.Tensor4D, outShape, 2, 'same').square().sum())(wt);
        return [convGrad, transposeGrad];
      });
    const stock = gradients();
    useFastCpuConvBackpropFilter(tf);
    useFastCpuConvBackpropFilter(tf); // idempotent
    const fast = gradients();
    for (let k = 0; k < stock.length; k++) {
      for (let j = 0; j < 2; j++) {
        const [a, b] = [await stock[k][j].data(), await fast[k][j].data()];
        const scale = Math.max(...a.map(Math.abs));
        expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-5 * scale);
      }
    }
    tf.dispose([x, ...stock.flat(), ...fast.flat()]);
  });
});
