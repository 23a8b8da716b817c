/**
 * Gradients of Sum and Mean that broadcast on the device. tfjs-core 4.22 writes them as
 *
 *   ∂L/∂x = reshape(dy, keptDims) · ones(x.shape)          (Sum)
 *   ∂L/∂x = reshape(dy, keptDims) · ones(x.shape) / n      (Mean, n = elements reduced)
 *
 * where ones(x.shape) is a tensor filled in JavaScript and uploaded: on a GPU backend every
 * BatchNorm in training mode (two means over N·H·W per layer) and every mean loss then fills and
 * uploads a full activation-sized array per step (936 MiB per EMDenoiseNet step at 32×256², 86 % of
 * its wall-clock time on an H100). broadcastTo gives the same values (dy·1 = dy and (dy/n) per
 * element, both exact rewrites) without touching the host.
 */
import * as tf from '@tensorflow/tfjs';

/** The axes reduced by a Sum or Mean set to size 1 in x's shape (the shape of dy with kept dims). */
function keptDimsShape(xShape: readonly number[], axis: number | number[]): number[] {
  const shape = xShape.slice();
  for (const a of tf.util.parseAxisParam(axis, xShape as number[])) shape[a] = 1;
  return shape;
}

const sumGrad: tf.GradConfig = {
  kernelName: tf.Sum,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { axis } = attrs as unknown as tf.SumAttrs;
    const dyTensor = Array.isArray(dy) ? dy[0] : dy;
    return { x: () => tf.broadcastTo(tf.reshape(dyTensor, keptDimsShape(x.shape, axis)), x.shape) };
  },
};

const meanGrad: tf.GradConfig = {
  kernelName: tf.Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { axis } = attrs as unknown as tf.MeanAttrs;
    const dyTensor = Array.isArray(dy) ? dy[0] : dy;
    const kept = keptDimsShape(x.shape, axis);
    const reduced = x.size / tf.util.sizeFromShape(kept);
    return { x: () => tf.broadcastTo(tf.div(tf.reshape(dyTensor, kept), reduced), x.shape) };
  },
};

/** Replaces tfjs-core's Sum and Mean gradients (for every backend: the values are the same). */
export function registerBroadcastGradients(): void {
  for (const config of [sumGrad, meanGrad]) tf.registerGradient(config);
}
