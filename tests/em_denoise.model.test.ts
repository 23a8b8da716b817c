import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEmDenoiseNet, countTrainableParams, normaliseByMean } from '../src/benchmarks/em_denoise/model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('EMDenoiseNet', () => {
  it.each([16, 64, 256])('has the reference 122,737 trainable parameters at %i px', (size) => {
    const model = buildEmDenoiseNet(tf, { size, seed: 0 });
    expect(countTrainableParams(model)).toBe(122_737);
    expect(model.outputs[0].shape).toEqual([null, size, size, 1]);
    // 15 convolutions and 14 BatchNorms (each with 2 non-trainable running statistics).
    expect(model.layers.filter((l) => l.getClassName() === 'Conv2D')).toHaveLength(15);
    expect(model.layers.filter((l) => l.getClassName() === 'BatchNormalization')).toHaveLength(14);
    model.dispose();
  });

  it('refuses sizes that three 2× poolings cannot halve', () => {
    expect(() => buildEmDenoiseNet(tf, { size: 36, seed: 0 })).toThrow(/divisible by 8/);
  });

  it('is reproducible from its seed', async () => {
    const weights = async (seed: number) => {
      const model = buildEmDenoiseNet(tf, { size: 16, seed });
      const values = await model.getWeights()[0].data();
      model.dispose();
      return values;
    };
    expect(await weights(3)).toEqual(await weights(3));
    expect(await weights(3)).not.toEqual(await weights(4));
  });
});

describe('input normalisation', () => {
  it('divides by the image mean and returns it, whatever the scale', () => {
    const counts = Float32Array.from([0, 2, 4, 6]);
    const out = new Float32Array(4);
    expect(normaliseByMean(counts, out)).toBe(3);
    expect(Array.from(out)).toEqual([0, 2 / 3, 4 / 3, 2].map(Math.fround));
    const scaled = normaliseByMean(counts.map((v) => v * 1000));
    expect(scaled).toBe(3000);
  });

  it('leaves an image without positive mean unchanged', () => {
    const zeros = new Float32Array(5);
    const out = new Float32Array(5).fill(7);
    expect(normaliseByMean(zeros, out)).toBe(1);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0]);
  });
});
