/**
 * What this project adds to tfjs' webgpu backend, for the app's worker, the CLI and the benchmarks
 * alike (models keep the tfjs API; other backends are untouched):
 *  - WGSL kernels that replace tfjs' kernels of the same name for 'webgpu' (unregister, then
 *    tf.registerKernel), keeping tfjs' own for the cases they leave to it;
 *  - the fused Adam update ('SciMLAdamUpdate', used by ../optimizer.ts);
 *  - Sum and Mean gradients that broadcast on the device (./gradients) and a FusedBatchNorm gradient
 *    of 7 programs ('SciMLBatchNormGrad', ./batch-norm-grad);
 *  - uploads through GPUQueue.writeBuffer (./upload), a larger submit batch and tfjs' matrix-product
 *    transposed convolution (FLAGS).
 * Correctness against the cpu backend: bench/gpu/kernel-check.ts, run by tests/kernels.test.ts and
 * the browser e2e suite; the gain of each part: BENCHMARKS.md.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { adamUpdateConfig } from './adam';
import { batchNormGradConfig, registerBatchNormGradient } from './batch-norm-grad';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { registerBroadcastGradients } from './gradients';
import { meanConfig, sumConfig } from './reduce';
import { uploadThroughWriteBuffer } from './upload';

/** Builders of the replacements; each gets tfjs' original kernel (for cases it leaves to it). */
const replacements: ((original?: tf.KernelConfig) => tf.KernelConfig)[] = [conv2DBackpropFilterConfig, sumConfig, meanConfig];
/** Kernels tfjs does not have (used by this project's code where the backend has them). */
const additions: tf.KernelConfig[] = [adamUpdateConfig, batchNormGradConfig];

/**
 * Programs recorded before tfjs submits them (tfjs' default: 15). A queue submit costs 1.7 ms of
 * host time under Dawn on an H100 VM; 64 took an EMDenoiseNet step from 319 to 249 ms, 256 gave no
 * more (BENCHMARKS.md). tfjs returns buffers to its pool only at a submit, so larger batches hold
 * more memory between submits.
 */
export const SUBMIT_BATCH = 64;

export interface WebGpuOptions {
  /** This project's Sum/Mean gradients (false: tfjs-core's, which upload a host-filled ones tensor). */
  gradients?: boolean;
  /** This project's FusedBatchNorm gradient (false: tfjs-core's). */
  batchNormGradient?: boolean;
  /** Uploads through writeBuffer (false: tfjs' staging buffer per upload). */
  writeBufferUploads?: boolean;
}

/**
 * tfjs flags set with the kernels: the submit batch above, and tfjs' matrix-product
 * Conv2DBackpropInput instead of its naive one (GPU time of the autoencoder's transposed
 * convolutions 21.5 → 15.2 ms per training step on an H100).
 */
const FLAGS = { WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE: SUBMIT_BATCH, WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE: false } as const;

let installed: string[] | undefined;

/** Installs the above on the current webgpu backend; returns the names of the kernels it changes. */
export function accelerateWebGpu({ gradients = true, batchNormGradient = true, writeBufferUploads = true }: WebGpuOptions = {}): string[] {
  if (gradients) registerBroadcastGradients();
  if (batchNormGradient) registerBatchNormGradient();
  installed ??= replacements.map((build) => {
    const mine = build();
    const original = tf.getKernel(mine.kernelName, 'webgpu');
    if (original) tf.unregisterKernel(mine.kernelName, 'webgpu');
    tf.registerKernel(build(original));
    return mine.kernelName;
  });
  for (const config of additions) {
    if (!installed.includes(config.kernelName)) {
      tf.registerKernel(config);
      installed.push(config.kernelName);
    }
  }
  if (tf.getBackend() === 'webgpu') {
    if (writeBufferUploads) uploadThroughWriteBuffer(tf.backend() as WebGPUBackend);
    for (const [name, value] of Object.entries(FLAGS)) tf.env().set(name, value);
  }
  // What ./check.ts checks: our kernels, tfjs' own where a flag above picks it, and the uploads.
  return [...installed, tf.Conv2DBackpropInput, 'upload'];
}
