/**
 * The fast cpu kernels (src/lib/engine/kernels/cpu-fast.ts) against tfjs' stock cpu kernels on
 * random inputs: each case is computed with the stock kernels first, then with the fast ones.
 * Cases that the fast kernels pass back to the stock ones (sum over non-leading axes, a tile
 * over a non-unit dimension, a broadcast that is not trailing) check that hand-off.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { multiplyTransposed, useFastCpuKernels } from '../src/lib/engine/kernels/cpu-fast';

type Case = { name: string; run: () => tf.Tensor | tf.Tensor[] };

let seed = 1;
const normal = (shape: number[]) => tf.randomNormal(shape, 0, 1, 'float32', seed++);

/** Inputs are created once, outside the cases, so both passes see the same numbers. */
const x = () => normal([2, 9, 7, 3]) as tf.Tensor4D;
let inputs: { x: tf.Tensor4D; profiles: tf.Tensor3D; w: Record<string, tf.Tensor>; ties: tf.Tensor4D };

function cases(): Case[] {
  const { x: image, profiles, w, ties } = inputs;
  const conv = (filter: tf.Tensor, stride: number | [number, number], pad: 'same' | 'valid') => ({
    forward: () => tf.conv2d(image, filter as tf.Tensor4D, stride, pad),
    grads: () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad).square().sum())([image, filter]),
  });
  const list: Case[] = [];
  for (const [name, filter, stride, pad] of [
    ['3×3 same', w.k33, 1, 'same'],
    ['3×3 stride 2 same', w.k33b, 2, 'same'],
    ['2×3 valid', w.k23, 1, 'valid'],
    ['3×3 strides [2, 1] valid', w.k33, [2, 1], 'valid'],
  ] as const) {
    const c = conv(filter, stride as number | [number, number], pad);
    list.push({ name: `conv2d ${name}`, run: c.forward }, { name: `conv2d grads ${name}`, run: c.grads });
  }
  // conv2dTranspose runs Conv2DBackpropInput forward and Conv2D / Conv2DBackpropFilter backward.
  const outShape: [number, number, number, number] = [2, 18, 14, 2];
  list.push({
    name: 'conv2dTranspose stride 2 same, forward and grads',
    run: () => {
      const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, outShape, 2, 'same');
      return [f(image, w.t), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a, b).square().sum())([image, w.t])];
    },
  });
  // The diffsims CNN: conv1d k6 valid + max-pool 2, through the 2-D kernels.
  list.push({
    name: 'conv1d k6 + maxPool1d, grads',
    run: () =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => {
        const y = tf.relu(tf.conv1d(a as tf.Tensor3D, b as tf.Tensor3D, 1, 'valid'));
        return tf.maxPool(y.expandDims(2) as tf.Tensor4D, [2, 1], [2, 1], 'valid').square().sum();
      })([profiles, w.k6]),
  });
  for (const [size, stride, pad] of [[2, 2, 'valid'], [3, 2, 'same'], [3, 1, 'same']] as const) {
    list.push({
      name: `maxPool ${size}×${size} stride ${stride} ${pad} grad`,
      run: () => tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, size, stride, pad).mul(tf.range(1, 2)).sum())(image),
    });
  }
  // Bias additions: trailing broadcasts take the fast path, either operand order; others do not.
  list.push(
    { name: 'add bias [1, 1, 3]', run: () => tf.add(image, w.bias) },
    { name: 'add bias first, [3]', run: () => tf.add(w.bias.reshape([3]), image) },
    { name: 'add [1, 1, 7, 1] (not trailing)', run: () => tf.add(image, w.column) },
    { name: 'add bias grads', run: () => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.add(a, b).square().sum())([image, w.bias]) },
  );
  // BatchNorm's pattern: statistics over N, H, W broadcast back; Sub/Multiply/RealDiv in both orders.
  list.push(
    {
      name: 'batch-norm forward and grads (moments over leading axes)',
      run: () =>
        tf.grads((a: tf.Tensor, g: tf.Tensor) => {
          const { mean, variance } = tf.moments(a, [0, 1, 2]);
          return tf.batchNorm(a as tf.Tensor4D, mean, variance, w.beta as tf.Tensor1D, g as tf.Tensor1D, 1e-3).square().sum();
        })([image, w.gamma]),
    },
    { name: 'sub / multiply / divide, both orders', run: () => [tf.sub(image, w.bias), tf.sub(w.bias, image), tf.mul(w.bias, image), tf.div(image, w.bias.abs().add(1)), tf.div(w.bias, image.abs().add(1))] },
    { name: 'sum and mean over leading axes', run: () => [tf.sum(image, [0, 1, 2]), tf.mean(image, [0, 1], true), tf.sum(image, [1, 2]), tf.mean(image)] },
    { name: 'tile [1, 1, 1, 3]', run: () => [tf.tile(w.bias.reshape([1, 1, 1, 3]), [2, 4, 5, 1]), tf.tile(w.bias.reshape([1, 1, 1, 3]), [2, 1, 1, 2])] },
  );
  // Ties: the gradient goes to the first maximum of each window, as tfjs does.
  list.push({ name: 'maxPool grad with ties', run: () => tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid').sum())(ties) });
  return list;
}

async function evaluate(): Promise<Float32Array[][]> {
  const out: Float32Array[][] = [];
  for (const c of cases()) {
    const result = c.run();
    const tensors = Array.isArray(result) ? result : [result];
    out.push(await Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array)));
    tf.dispose(tensors);
  }
  return out;
}

describe('fast cpu kernels', () => {
  let stock: Float32Array[][];
  beforeAll(async () => {
    await tf.setBackend('cpu');
    inputs = {
      x: x(),
      profiles: normal([3, 40, 1]) as tf.Tensor3D,
      w: { k33: normal([3, 3, 3, 4]), k33b: normal([3, 3, 3, 5]), k23: normal([2, 3, 3, 2]), t: normal([3, 3, 2, 3]), k6: normal([6, 1, 8]), bias: normal([1, 1, 3]), column: normal([1, 1, 7, 1]), gamma: normal([3]), beta: normal([3]) },
      ties: tf.tensor4d([1, 1, 0, 2, 1, 1, 2, 0, 3, 3, 3, 3, 3, 3, 3, 3], [1, 4, 4, 1]),
    };
    stock = await evaluate();
  });

  it('match the stock kernels on convolutions, transposed convolutions, 1-D convs and max-pool gradients', async () => {
    useFastCpuKernels(tf);
    useFastCpuKernels(tf); // idempotent
    const fast = await evaluate();
    const names = cases().map((c) => c.name);
    expect(fast.map((f) => f.length)).toEqual(stock.map((s) => s.length));
    stock.forEach((tensors, k) =>
      tensors.forEach((a, j) => {
        const b = fast[k][j];
        const scale = Math.max(1e-6, ...a.map(Math.abs));
        const error = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
        expect(error / scale, `${names[k]} [${j}]`).toBeLessThanOrEqual(1e-4);
      }),
    );
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    tf.dispose(cases()[0].run());
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('multiplyTransposed', () => {
  it('computes a·bᵀ for odd sizes into scattered rows', () => {
    const rows = 3;
    const N = 5;
    const K = 7;
    const a = Float32Array.from({ length: rows * K }, (_, i) => ((i * 7) % 11) - 5);
    const b = Float32Array.from({ length: N * K }, (_, i) => ((i * 5) % 13) - 6);
    const out = new Float32Array(40).fill(NaN);
    const at = [30, 0, 12];
    multiplyTransposed(a, rows, b, N, K, out, at);
    for (let r = 0; r < rows; r++) {
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[r * K + k] * b[n * K + k];
        expect(out[at[r] + n]).toBe(s);
      }
    }
  });
});
