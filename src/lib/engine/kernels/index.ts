/**
 * This project's WGSL kernels for tfjs' webgpu backend. Each replaces tfjs' kernel of the same
 * name for 'webgpu' only (tf.registerKernel after unregistering the original), so models keep
 * the tfjs API and other backends are untouched.
 */
import * as tf from '@tensorflow/tfjs';

/** The kernel configs this module installs; empty until a replacement is measured to be faster. */
export const webGpuKernels: tf.KernelConfig[] = [];

/** Replaces tfjs' webgpu kernels by ours. Call after the webgpu backend is registered. */
export function registerWebGpuKernels(): string[] {
  for (const config of webGpuKernels) {
    if (tf.getKernel(config.kernelName, 'webgpu')) tf.unregisterKernel(config.kernelName, 'webgpu');
    tf.registerKernel({ ...config, backendName: 'webgpu' });
  }
  return webGpuKernels.map((k) => k.kernelName);
}
