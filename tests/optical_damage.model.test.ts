import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  buildAutoencoder,
  checkDeviceLimits,
  estimateModel,
  recalibrateBatchNorm,
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

describe('BatchNorm recalibration', () => {
  it('moves only the moving statistics, to those of the data', async () => {
    await tf.setBackend('cpu');
    const model = buildAutoencoder(tf, { inputSize: 8, latentSize: 4 }, 1);
    const images = tf.randomUniform([12, 8, 8, 1], 0, 1, 'float32', 7) as tf.Tensor4D;
    const weightsBefore = await Promise.all(model.trainableWeights.map((w) => w.read().data()));
    const firstBn = model.layers.find((l) => l.getClassName() === 'BatchNormalization')!;
    const [movingMean] = firstBn.getWeights().slice(2); // gamma, beta, moving mean, moving variance
    expect(Array.from(await movingMean.data()).every((v) => v === 0)).toBe(true);

    await recalibrateBatchNorm(tf, model, images, 4);

    const weightsAfter = await Promise.all(model.trainableWeights.map((w) => w.read().data()));
    weightsAfter.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(weightsBefore[i])));
    // The first BatchNorm follows Conv(64) + ReLU: its moving mean approaches that layer's mean output.
    const convOutput = tf.model({ inputs: model.inputs, outputs: model.layers[1].output as tf.SymbolicTensor });
    const target = await (convOutput.predict(images) as tf.Tensor).mean([0, 1, 2]).data();
    const updated = await firstBn.getWeights()[2].data();
    const error = Math.max(...Array.from(updated, (v, c) => Math.abs(v - target[c])));
    expect(error).toBeLessThan(0.05 * Math.max(...target) + 1e-6);
    tf.dispose(images);
    model.dispose();
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
