/**
 * This project's Adam (src/lib/engine/optimizer.ts) against tfjs' AdamOptimizer on the cpu backend,
 * where it runs as tfjs ops (the webgpu kernel is checked against the same reference in
 * tests/kernels.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { adam } from '../src/lib/engine/optimizer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomGradients(shape: number[], steps: number, seed: number): tf.Tensor[] {
  return Array.from({ length: steps }, (_, i) => tf.randomNormal(shape, 0, 1, 'float32', seed + i));
}

/** Applies `gradients` to fresh variables (same start) named a and b; returns their final values. */
async function train(optimizer: tf.Optimizer, gradients: tf.Tensor[][]): Promise<Float32Array[]> {
  const a = tf.variable(tf.randomNormal([3, 4], 0, 1, 'float32', 1), true, `a_${Math.random()}`);
  const b = tf.variable(tf.randomNormal([5], 0, 1, 'float32', 2), true, `b_${Math.random()}`);
  for (const [ga, gb] of gradients) optimizer.applyGradients({ [a.name]: ga, [b.name]: gb });
  const out = [(await a.data()) as Float32Array, (await b.data()) as Float32Array];
  tf.dispose([a, b]);
  return out;
}

describe('adam()', () => {
  it('takes the same steps as tfjs AdamOptimizer, bit for bit on cpu', async () => {
    const ga = randomGradients([3, 4], 6, 10);
    const gb = randomGradients([5], 6, 20);
    const steps = ga.map((g, i) => [g, gb[i]]);
    const reference = tf.train.adam(0.05);
    const want = await train(reference, steps);
    const mine = adam(tf, 0.05);
    const got = await train(mine, steps);
    expect(Array.from(got[0])).toEqual(Array.from(want[0]));
    expect(Array.from(got[1])).toEqual(Array.from(want[1]));
    // The variables moved (so equality is not two untouched copies).
    const start = (await tf.randomNormal([5], 0, 1, 'float32', 2).data()) as Float32Array;
    expect(Math.max(...got[1].map((v, i) => Math.abs(v - start[i])))).toBeGreaterThan(0.1);
    reference.dispose();
    mine.dispose();
    tf.dispose([...ga, ...gb]);
  });

  it('resumes from getWeights/setWeights exactly where it stopped', async () => {
    const gradients = randomGradients([4], 5, 30);
    const name = `w_${Math.random()}`;
    const run = async (split: number | undefined) => {
      const w = tf.variable(tf.ones([4]), true, name);
      let opt = adam(tf, 0.1);
      for (let i = 0; i < gradients.length; i++) {
        if (i === split) {
          const saved = await opt.getWeights();
          const copies = saved.map((s) => ({ name: s.name, tensor: s.tensor.clone() }));
          opt.dispose();
          opt = adam(tf, 0.1);
          await opt.setWeights(copies);
        }
        opt.applyGradients({ [name]: gradients[i] });
      }
      const out = Array.from(await w.data());
      opt.dispose();
      w.dispose();
      return out;
    };
    const straight = await run(undefined);
    const resumed = await run(3);
    expect(resumed).toEqual(straight);
    tf.dispose(gradients);
  });

  it('holds no tensors after dispose and compiles into a LayersModel', async () => {
    const before = tf.memory().numTensors;
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
    const optimizer = adam(tf, 0.1);
    model.compile({ optimizer, loss: 'meanSquaredError' });
    const x = tf.tensor2d([[0, 1], [1, 0], [1, 1], [0, 0]]);
    const y = tf.tensor2d([[1], [1], [2], [0]]);
    const h = await model.fit(x, y, { epochs: 30, batchSize: 4, verbose: 0 });
    expect(h.history.loss[29] as number).toBeLessThan(h.history.loss[0] as number);
    expect(optimizer.getConfig()).toMatchObject({ learningRate: 0.1, beta1: 0.9, beta2: 0.999 });
    optimizer.dispose();
    model.dispose();
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
