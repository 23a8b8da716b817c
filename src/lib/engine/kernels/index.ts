/**
 * This project's WGSL kernels for tfjs' webgpu backend. Each replaces tfjs' kernel of the same
 * name for 'webgpu' only (unregister, then tf.registerKernel), so models keep the tfjs API and
 * other backends are untouched. Correctness against the cpu backend: bench/gpu/kernel-check.ts,
 * run by tests/kernels.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter';
import { registerBroadcastGradients } from './gradients';

/** Builders of the replacements; each gets tfjs' original kernel (for cases it leaves to it). */
const replacements: ((original?: tf.KernelConfig) => tf.KernelConfig)[] = [conv2DBackpropFilterConfig];

let installed: string[] | undefined;

/**
 * Replaces tfjs' webgpu kernels by ours (once), and tfjs-core's Sum and Mean gradients by ones that
 * broadcast on the device (./gradients; `gradients: false` keeps tfjs' own, for benchmarks). Call
 * after the webgpu backend is registered.
 */
export function registerWebGpuKernels({ gradients = true }: { gradients?: boolean } = {}): string[] {
  if (gradients) registerBroadcastGradients();
  installed ??= replacements.map((build) => {
    const mine = build();
    const original = tf.getKernel(mine.kernelName, 'webgpu');
    if (original) tf.unregisterKernel(mine.kernelName, 'webgpu');
    tf.registerKernel(build(original));
    return mine.kernelName;
  });
  return installed;
}
