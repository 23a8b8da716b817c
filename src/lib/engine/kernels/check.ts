/**
 * Correctness of this project's WebGPU kernels against tfjs' cpu backend on fresh random inputs:
 * relative error ‖webgpu − cpu‖ / ‖cpu‖ per case. Runs wherever the webgpu backend is current
 * (Node with Dawn, the browser's compute worker); switches to cpu for each reference and back.
 */
import type * as tfType from '@tensorflow/tfjs';
import { adam } from '../optimizer';

type TF = typeof tfType;

export const MAX_REL_ERROR = 1e-4;

interface FilterCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: 'same' | 'valid';
}

/** Shapes like the benchmark models' layers (3×3 'same', conv1d as 1×k, stride 2) at small sizes. */
const FILTER_CASES: FilterCase[] = [
  { name: '3x3 same 1->8', x: [2, 13, 11, 1], filter: [3, 3, 1, 8], strides: [1, 1], pad: 'same' },
  { name: '3x3 same 8->16', x: [3, 16, 16, 8], filter: [3, 3, 8, 16], strides: [1, 1], pad: 'same' },
  { name: '3x3 same 24->8 odd', x: [1, 9, 7, 24], filter: [3, 3, 24, 8], strides: [1, 1], pad: 'same' },
  { name: 'conv1d k6 valid 64->64', x: [4, 1, 33, 64], filter: [1, 6, 64, 64], strides: [1, 1], pad: 'valid' },
  { name: '3x3 same stride 2 5->7', x: [2, 10, 12, 5], filter: [3, 3, 5, 7], strides: [2, 2], pad: 'same' },
  { name: '1x1 valid 64->1', x: [2, 20, 20, 64], filter: [1, 1, 64, 1], strides: [1, 1], pad: 'valid' },
  // Several filter-row and channel tiles, each with a remainder (K = 360, C = 48).
  { name: '3x3 same 40->48 tiled', x: [2, 20, 20, 40], filter: [3, 3, 40, 48], strides: [1, 1], pad: 'same' },
  // Two 64-channel tiles, the second partial (C = 100).
  { name: '3x3 same 16->100 two channel tiles', x: [2, 12, 12, 16], filter: [3, 3, 16, 100], strides: [1, 1], pad: 'same' },
  // Many chunks of positions (16384 positions, C = 12 in a tile of 16).
  { name: '3x3 same 8->12 many chunks', x: [4, 64, 64, 8], filter: [3, 3, 8, 12], strides: [1, 1], pad: 'same' },
];

function randomArray(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

/** Runs one kernel on fresh tensors made from `inputs` (name → values and shape); returns its output. */
async function runOn(tf: TF, kernel: string, inputs: Record<string, [Float32Array, number[]]>, attrs: object): Promise<Float32Array> {
  const tensors = Object.fromEntries(Object.entries(inputs).map(([name, [data, shape]]) => [name, tf.tensor(data, shape)]));
  const out = tf.engine().runKernel(kernel, tensors, attrs as tfType.NamedAttrMap) as tfType.Tensor;
  const data = (await out.data()) as Float32Array;
  tf.dispose([...Object.values(tensors), out]);
  return data;
}

const convAttrs = (c: FilterCase) => ({ strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined });

function runFilter(tf: TF, c: FilterCase, xData: Float32Array, dyData: Float32Array, dyShape: number[]): Promise<Float32Array> {
  return runOn(tf, tf.Conv2DBackpropFilter, { x: [xData, c.x], dy: [dyData, dyShape] }, { ...convAttrs(c), filterShape: c.filter });
}

/** dx of the same convolution (the transposed convolution of the autoencoder's decoder). */
function runInput(tf: TF, c: FilterCase, filterData: Float32Array, dyData: Float32Array, dyShape: number[]): Promise<Float32Array> {
  return runOn(tf, tf.Conv2DBackpropInput, { dy: [dyData, dyShape], filter: [filterData, c.filter] }, { ...convAttrs(c), inputShape: c.x });
}

export function relativeError(got: Float32Array, want: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < want.length; i++) {
    diff += (got[i] - want[i]) ** 2;
    norm += want[i] ** 2;
  }
  return Math.sqrt(diff / norm);
}

export interface KernelCheck {
  kernel: string;
  case: string;
  relError: number;
  ok: boolean;
}

interface ReduceCase {
  name: string;
  shape: number[];
  axis: number[];
  keepDims: boolean;
}

/** BatchNorm statistics, bias gradients, a loss mean, several column tiles, and an inner axis (tfjs' kernel). */
const REDUCE_CASES: ReduceCase[] = [
  { name: 'NHW of [8,128,128,8] keepDims', shape: [8, 128, 128, 8], axis: [0, 1, 2], keepDims: true },
  { name: 'rows of [64,128]', shape: [64, 128], axis: [0], keepDims: false },
  { name: 'leading 2 of [7,9,5]', shape: [7, 9, 5], axis: [1, 0], keepDims: false },
  { name: 'all of [1000]', shape: [1000], axis: [0], keepDims: false },
  { name: 'NH of [3,100,70] (2 column tiles)', shape: [3, 100, 70], axis: [0, 1], keepDims: false },
  { name: 'inner axis of [10,20] (tfjs kernel)', shape: [10, 20], axis: [1], keepDims: false },
];

function runReduce(tf: TF, kernel: string, c: ReduceCase, data: Float32Array): Promise<Float32Array> {
  return runOn(tf, kernel, { x: [data, c.shape] }, { axis: c.axis, keepDims: c.keepDims });
}

async function checkReductions(tf: TF): Promise<KernelCheck[]> {
  const results: KernelCheck[] = [];
  for (const kernel of [tf.Sum, tf.Mean]) {
    for (const c of REDUCE_CASES) {
      // Offset so sums do not cancel to ~0 (the relative error would then measure rounding alone).
      const data = randomArray(c.shape.reduce((a, b) => a * b, 1)).map((v) => v + 0.5);
      await tf.setBackend('cpu');
      const want = await runReduce(tf, kernel, c, data);
      await tf.setBackend('webgpu');
      const got = await runReduce(tf, kernel, c, data);
      const relError = got.length === want.length ? relativeError(got, want) : Number.POSITIVE_INFINITY;
      results.push({ kernel, case: c.name, relError, ok: relError <= MAX_REL_ERROR });
    }
  }
  return results;
}

/** BatchNorm layers' shapes: small, odd channel count, and many rows (two-pass reductions). */
const BATCH_NORM_SHAPES: number[][] = [[2, 6, 5, 8], [3, 7, 9, 12], [8, 64, 64, 8]];

/** Gradients of Σ w·batchNorm(x, μ, σ², β, γ) with respect to all five inputs. */
async function runBatchNormGrads(tf: TF, shape: number[], data: Float32Array[]): Promise<Float32Array[]> {
  const channels = shape[shape.length - 1];
  const [x, w, mean, variance, scale, offset] = [
    tf.tensor(data[0], shape),
    tf.tensor(data[1], shape),
    tf.tensor1d(data[2]),
    tf.tensor1d(data[3].map((v) => Math.abs(v) + 0.1)),
    tf.tensor1d(data[4]),
    tf.tensor1d(data[5]),
  ];
  const grads = tf.grads((...args: tfType.Tensor[]) => {
    const [gx, gm, gv, gs, go] = args;
    return tf.sum(tf.mul(tf.batchNorm(gx, gm, gv, go, gs, 1e-3), w));
  });
  const outs = grads([x, mean, variance, scale, offset]);
  const values = await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([x, w, mean, variance, scale, offset, ...outs]);
  if (values.some((v, i) => v.length !== (i === 0 ? data[0].length : channels))) throw new Error('BatchNorm gradient of the wrong size');
  return values;
}

async function checkBatchNormGrad(tf: TF): Promise<KernelCheck[]> {
  const results: KernelCheck[] = [];
  for (const shape of BATCH_NORM_SHAPES) {
    const size = shape.reduce((a, b) => a * b, 1);
    const channels = shape[shape.length - 1];
    const data = [randomArray(size), randomArray(size), randomArray(channels), randomArray(channels), randomArray(channels), randomArray(channels)];
    await tf.setBackend('cpu');
    const want = await runBatchNormGrads(tf, shape, data);
    await tf.setBackend('webgpu');
    const got = await runBatchNormGrads(tf, shape, data);
    ['x', 'mean', 'variance', 'scale', 'offset'].forEach((input, i) => {
      const relError = relativeError(got[i], want[i]);
      results.push({ kernel: 'SciMLBatchNormGrad', case: `[${shape}] ∂${input}`, relError, ok: relError <= MAX_REL_ERROR });
    });
  }
  return results;
}

/**
 * Host data of each dtype uploaded (./upload.ts writes it with writeBuffer) and used by a program:
 * float32 through an Add, int32 through a Tile, bool through a LogicalNot, read back as numbers.
 */
async function runUploads(tf: TF): Promise<Float32Array[]> {
  const floats = tf.tensor1d([1.5, -2.25, 3e-8, 7, 0, -1, 2, 5]);
  const ints = tf.tensor1d([1, -2, 3, 2147483647, -2147483648, 0, 16777217], 'int32');
  const bools = tf.tensor1d([true, false, false, true, true], 'bool');
  // int32 through a Tile, which copies exactly (tfjs' webgpu Add and Reverse round int32 through float32).
  const outs = [tf.add(floats, floats), tf.tile(ints, [2]), tf.logicalNot(bools).toInt()];
  const values = await Promise.all(outs.map(async (t) => Float32Array.from((await t.data()) as ArrayLike<number>)));
  tf.dispose([floats, ints, bools, ...outs]);
  return values;
}

async function checkUploads(tf: TF): Promise<KernelCheck[]> {
  await tf.setBackend('cpu');
  const want = await runUploads(tf);
  await tf.setBackend('webgpu');
  const got = await runUploads(tf);
  return ['float32', 'int32', 'bool'].map((dtype, i) => {
    const exact = got[i].length === want[i].length && got[i].every((v, j) => v === want[i][j]);
    return { kernel: 'upload', case: `${dtype} host data`, relError: exact ? 0 : Number.POSITIVE_INFINITY, ok: exact };
  });
}

/** Shapes of variables: a conv filter, an odd-length bias, one not a multiple of the workgroup. */
const ADAM_SHAPES: number[][] = [[3, 3, 8, 16], [7], [1000]];
const ADAM_STEPS = 3;

/**
 * Trains one variable for ADAM_STEPS steps on fixed gradients with `optimizer` and returns what
 * the steps changed (θ − θ₀) and the final moments, so that the update itself is compared, not the
 * (much larger) variable it is added to.
 */
async function runAdam(tf: TF, optimizer: tfType.Optimizer, initial: Float32Array, gradients: Float32Array[], shape: number[]) {
  const name = `adam_check_${Math.random().toString(36).slice(2)}`;
  const variable = tf.variable(tf.tensor(initial, shape), true, name);
  for (const g of gradients) {
    const gradient = tf.tensor(g, shape);
    optimizer.applyGradients({ [name]: gradient });
    gradient.dispose();
  }
  const theta = (await variable.data()) as Float32Array;
  const delta = theta.map((t, i) => t - initial[i]);
  const weights = await optimizer.getWeights();
  const m = (await weights[1].tensor.data()) as Float32Array;
  const v = (await weights[2].tensor.data()) as Float32Array;
  optimizer.dispose();
  variable.dispose();
  return { delta, m, v };
}

async function checkAdam(tf: TF): Promise<KernelCheck[]> {
  const results: KernelCheck[] = [];
  for (const shape of ADAM_SHAPES) {
    const size = shape.reduce((a, b) => a * b, 1);
    const initial = randomArray(size);
    const gradients = Array.from({ length: ADAM_STEPS }, () => randomArray(size));
    await tf.setBackend('cpu');
    const want = await runAdam(tf, tf.train.adam(0.05), initial, gradients, shape);
    await tf.setBackend('webgpu');
    const got = await runAdam(tf, adam(tf, 0.05), initial, gradients, shape);
    for (const part of ['delta', 'm', 'v'] as const) {
      const relError = relativeError(got[part], want[part]);
      results.push({ kernel: 'SciMLAdamUpdate', case: `[${shape}] ${part} after ${ADAM_STEPS} steps`, relError, ok: relError <= MAX_REL_ERROR });
    }
  }
  return results;
}

export async function checkWebGpuKernels(tf: TF): Promise<KernelCheck[]> {
  if (tf.getBackend() !== 'webgpu') throw new Error('the kernel check needs the webgpu backend');
  const results: KernelCheck[] = [];
  try {
    for (const c of FILTER_CASES) {
      const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
      const dyShape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
      const xData = randomArray(c.x.reduce((a, b) => a * b, 1));
      const dyData = randomArray(dyShape.reduce((a, b) => a * b, 1));
      await tf.setBackend('cpu');
      const want = await runFilter(tf, c, xData, dyData, dyShape);
      await tf.setBackend('webgpu');
      const got = await runFilter(tf, c, xData, dyData, dyShape);
      const relError = got.length === want.length ? relativeError(got, want) : Number.POSITIVE_INFINITY;
      results.push({ kernel: tf.Conv2DBackpropFilter, case: c.name, relError, ok: relError <= MAX_REL_ERROR });

      // tfjs' matrix-product Conv2DBackpropInput, which ./index.ts selects instead of its naive one.
      const filterData = randomArray(c.filter.reduce((a, b) => a * b, 1));
      await tf.setBackend('cpu');
      const wantDx = await runInput(tf, c, filterData, dyData, dyShape);
      await tf.setBackend('webgpu');
      const gotDx = await runInput(tf, c, filterData, dyData, dyShape);
      const dxError = gotDx.length === wantDx.length ? relativeError(gotDx, wantDx) : Number.POSITIVE_INFINITY;
      results.push({ kernel: tf.Conv2DBackpropInput, case: c.name, relError: dxError, ok: dxError <= MAX_REL_ERROR });
    }
    results.push(...(await checkUploads(tf)));
    results.push(...(await checkReductions(tf)));
    results.push(...(await checkBatchNormGrad(tf)));
    results.push(...(await checkAdam(tf)));
  } finally {
    if (tf.getBackend() !== 'webgpu') await tf.setBackend('webgpu');
  }
  return results;
}
