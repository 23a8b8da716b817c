/**
 * The Sum and Mean gradients of src/lib/engine/kernels/gradients.ts give exactly tfjs-core's
 * values (cpu backend), for reductions over leading, inner, trailing and all axes, with and
 * without kept dims, and through a BatchNorm-style moments computation.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerBroadcastGradients } from '../src/lib/engine/kernels/gradients';

type Reduce = (x: tf.Tensor) => tf.Tensor;

const CASES: [string, Reduce][] = [
  ['sum over N,H,W', (x) => tf.sum(x, [0, 1, 2])],
  ['sum over all', (x) => tf.sum(x)],
  ['sum over H keepDims', (x) => tf.sum(x, 1, true)],
  ['mean over N,H,W', (x) => tf.mean(x, [0, 1, 2])],
  ['mean over C', (x) => tf.mean(x, -1)],
  ['mean over all', (x) => tf.mean(x)],
  ['moments variance', (x) => tf.moments(x, [0, 1, 2]).variance],
];

/** d/dx of Σ w·reduce(x) with fixed random weights w (so dy is not all ones). */
async function gradient(reduce: Reduce, x: tf.Tensor): Promise<Float32Array> {
  const g = tf.tidy(() => {
    const shape = reduce(x).shape;
    const w = tf.randomUniform(shape, -1, 1, 'float32', 7);
    return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(reduce(v), w)))(x);
  });
  const values = (await g.data()) as Float32Array;
  g.dispose();
  return values;
}

describe('broadcast Sum/Mean gradients', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('equal tfjs-core gradients bit for bit', async () => {
    const x = tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 3);
    const reference: Float32Array[] = [];
    for (const [, reduce] of CASES) reference.push(await gradient(reduce, x));
    registerBroadcastGradients();
    for (const [i, [name, reduce]] of CASES.entries()) {
      const mine = await gradient(reduce, x);
      expect(Array.from(mine), name).toEqual(Array.from(reference[i]));
    }
    // Analytic check of one case: ∂/∂x Σ_c w_c·mean_{n,h,w}(x) = w_c / (N·H·W).
    const w = await tf.tidy(() => tf.randomUniform([5], -1, 1, 'float32', 7)).data();
    const g = await gradient(CASES[3][1], x);
    for (let k = 0; k < g.length; k++) expect(g[k]).toBeCloseTo(w[k % 5] / 24, 6);
    x.dispose();
  });
});
