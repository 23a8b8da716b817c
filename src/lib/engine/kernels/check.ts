/**
 * Correctness of this project's WebGPU kernels against tfjs' cpu backend on fresh random inputs:
 * relative error ‖webgpu − cpu‖ / ‖cpu‖ per case. Runs wherever the webgpu backend is current
 * (Node with Dawn, the browser's compute worker); switches to cpu for each reference and back.
 */
import type * as tfType from '@tensorflow/tfjs';

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
];

function randomArray(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

async function runFilter(tf: TF, c: FilterCase, xData: Float32Array, dyData: Float32Array, dyShape: number[]): Promise<Float32Array> {
  const x = tf.tensor4d(xData, c.x);
  const dy = tf.tensor(dyData, dyShape);
  const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: c.filter };
  const out = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as unknown as tfType.NamedAttrMap) as tfType.Tensor;
  const data = (await out.data()) as Float32Array;
  tf.dispose([x, dy, out]);
  return data;
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
    }
  } finally {
    if (tf.getBackend() !== 'webgpu') await tf.setBackend('webgpu');
  }
  return results;
}
