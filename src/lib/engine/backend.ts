/**
 * Choosing the tfjs backend in the browser's compute worker: webgpu → webgl → cpu.
 * wasm is never used for training (it lacks Conv2DBackpropFilter and has a wrong MaxPoolGrad).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { accelerateWebGpu } from './kernels';
import { useFastCpuKernels } from './kernels/cpu-fast';

export const BACKEND_ORDER = ['webgpu', 'webgl', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

export interface BackendInfo {
  backend: BackendName;
  /** Present when the backend is webgpu. */
  adapter?: AdapterInfo;
  /** Things the user should know, e.g. a software adapter or an ignored ?backend= value. */
  notices: string[];
}

export const LINUX_WEBGPU_HINT =
  'On Linux, start Chrome with --enable-unsafe-webgpu --enable-features=Vulkan ' +
  '(or enable "Unsafe WebGPU Support" and "Vulkan" in chrome://flags) to train on your GPU.';

export function isBackendName(value: string): value is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(value);
}

/** Reads the adapter tfjs is using (tfjs asks for a high-performance adapter). */
async function describeAdapter(): Promise<AdapterInfo | undefined> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return undefined;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return undefined;
  const info = adapter.info;
  return {
    vendor: info.vendor || 'unknown',
    architecture: info.architecture || 'unknown',
    description: info.description || '',
    isFallbackAdapter: Boolean((info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter) ||
      info.architecture === 'swiftshader',
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
  };
}

async function trySetBackend(name: BackendName): Promise<boolean> {
  try {
    return (await tf.setBackend(name)) && tf.getBackend() === name;
  } catch {
    return false;
  }
}

/**
 * Initialises tfjs on the first backend that works, starting at `requested` when given.
 * `requested` comes from `?backend=` or the settings; an unknown value is reported, not fatal.
 */
export async function initBackend(requested?: string, userAgent = ''): Promise<BackendInfo> {
  const notices: string[] = [];
  let order: BackendName[] = [...BACKEND_ORDER];
  if (requested) {
    if (isBackendName(requested)) {
      order = [requested, ...BACKEND_ORDER.filter((b) => b !== requested)];
    } else {
      notices.push(`Unknown backend "${requested}" ignored; valid values are ${BACKEND_ORDER.join(', ')}.`);
    }
  }
  const hasWebGpu = Boolean((globalThis.navigator as Navigator | undefined)?.gpu);
  for (const name of order) {
    if (name === 'webgpu' && !hasWebGpu) continue;
    if (await trySetBackend(name)) {
      await tf.ready();
      if (name === 'webgpu') accelerateWebGpu();
      if (name === 'cpu') useFastCpuKernels(tf);
      const info: BackendInfo = { backend: name, notices };
      if (name === 'webgpu') {
        info.adapter = await describeAdapter();
        if (info.adapter?.isFallbackAdapter) {
          notices.push(
            `WebGPU is running on a software adapter (${info.adapter.architecture}): correct but slow. ` +
              (/Linux/.test(userAgent) ? LINUX_WEBGPU_HINT : 'Check that hardware acceleration is enabled.'),
          );
        }
      }
      if (name !== 'webgpu' && (requested === undefined || requested === 'webgpu')) {
        notices.push(
          hasWebGpu
            ? 'WebGPU is present but no adapter could be used; fell back to ' + name + '.'
            : 'WebGPU is not available in this browser; using ' + name + '. ' + (/Linux/.test(userAgent) ? LINUX_WEBGPU_HINT : ''),
        );
      }
      return info;
    }
  }
  throw new Error('No tfjs backend could be initialised (webgpu, webgl and cpu all failed).');
}

/** Resolves when the WebGPU device tfjs uses is lost (driver reset, GPU removed, out of memory). */
export function deviceLost(): Promise<string> | undefined {
  if (tf.getBackend() !== 'webgpu') return undefined;
  const backend = tf.backend() as unknown as { device?: GPUDevice };
  return backend.device?.lost.then((info) => `${info.reason}: ${info.message}`);
}
