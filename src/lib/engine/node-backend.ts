/**
 * tfjs in Node for the CLI and `npm run bench`: the plain-JS cpu backend, or WebGPU through the
 * `webgpu` npm package (Dawn), so a GPU server trains headless on its GPU.
 *
 * tfjs-backend-webgpu registers itself only if `navigator.gpu` exists when it is imported, and
 * Node 20 has no `navigator`: so the GPU object is created and published first, then the backend
 * is imported dynamically. While that GPU object lives the process does not exit on its own
 * (crbug 387965810): callers end with process.exit.
 *
 * Without a GPU, Dawn can use Chromium's SwiftShader Vulkan (correct, slow):
 *   LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
 */
import * as tf from '@tensorflow/tfjs';
import { accelerateWebGpu } from './kernels';
import { useFastCpuKernels } from './kernels/cpu-fast';
import type { TF } from '../harness/contract';

export type NodeBackendName = 'cpu' | 'webgpu';

export interface NodeAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software adapter (SwiftShader): results are right, timings are not a GPU's. */
  isFallbackAdapter: boolean;
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

export interface NodeTf {
  tf: TF;
  backend: NodeBackendName;
  adapter?: NodeAdapterInfo;
  /** Why the requested backend was not used, or a warning about it (shown to the user). */
  notice?: string;
  limits?: { maxBufferSize: number; maxStorageBufferBindingSize: number };
}

interface DawnState {
  adapter: GPUAdapter | null;
  info?: NodeAdapterInfo;
  failure?: string;
}

let dawn: Promise<DawnState> | undefined;

function describe(adapter: GPUAdapter): NodeAdapterInfo {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacy = adapter as GPUAdapter & { isFallbackAdapter?: boolean };
  return {
    vendor: info.vendor || 'unknown',
    architecture: info.architecture || 'unknown',
    device: info.device || '',
    description: info.description || '',
    isFallbackAdapter:
      Boolean(info.isFallbackAdapter ?? legacy.isFallbackAdapter) ||
      /swiftshader/i.test(`${info.architecture} ${info.description}`),
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
  };
}

/** "nvidia, NVIDIA: 580.159.04" — the adapter's non-empty fields, for logs and run records. */
export function adapterLabel(info: NodeAdapterInfo): string {
  const parts = [info.vendor, info.device, info.architecture, info.description].filter((p) => p && p !== 'unknown');
  return [...new Set(parts)].join(', ') + (info.isFallbackAdapter ? ' (software adapter)' : '');
}

/** Loads Dawn once, publishes navigator.gpu and asks for an adapter. */
function startDawn(): Promise<DawnState> {
  dawn ??= (async (): Promise<DawnState> => {
    let webgpu: typeof import('webgpu');
    try {
      webgpu = await import('webgpu');
    } catch (err) {
      return { adapter: null, failure: `the webgpu package (Dawn) did not load: ${(err as Error).message}` };
    }
    Object.assign(globalThis, webgpu.globals);
    const gpu = webgpu.create([]);
    const g = globalThis as { navigator?: object };
    if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      return {
        adapter: null,
        failure:
          'no WebGPU adapter was found (Dawn needs a Vulkan driver: libvulkan.so.1 and a GPU ICD; ' +
          'for a software GPU set LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)',
      };
    }
    await import('@tensorflow/tfjs-backend-webgpu');
    return { adapter, info: describe(adapter) };
  })();
  return dawn;
}

/** The adapter Dawn would use, without switching tfjs to it (for `sysinfo`). */
export async function probeWebGpu(): Promise<{ adapter?: NodeAdapterInfo; failure?: string }> {
  const state = await startDawn();
  return { adapter: state.info, failure: state.failure };
}

/**
 * Selects the tfjs backend. For 'webgpu' without a usable adapter it falls back to cpu and says
 * why in `notice`; a software adapter works but gets a notice too.
 */
export async function initNodeTf(requested: NodeBackendName): Promise<NodeTf> {
  if (requested === 'webgpu') {
    const state = await startDawn();
    let failure = state.failure;
    if (state.info) {
      try {
        if (await tf.setBackend('webgpu')) {
          await tf.ready();
          accelerateWebGpu();
          const { maxBufferSize, maxStorageBufferBindingSize } = state.info;
          return {
            tf,
            backend: 'webgpu',
            adapter: state.info,
            limits: { maxBufferSize, maxStorageBufferBindingSize },
            notice: state.info.isFallbackAdapter
              ? `WebGPU is running on a software adapter (${state.info.architecture || state.info.description}): correct but slow`
              : undefined,
          };
        }
        failure = 'tfjs could not initialise its webgpu backend';
      } catch (err) {
        failure = `tfjs could not initialise its webgpu backend: ${(err as Error).message}`;
      }
    }
    await tf.setBackend('cpu');
    await tf.ready();
    useFastCpuKernels(tf);
    return { tf, backend: 'cpu', notice: `WebGPU unavailable — ${failure}; using the cpu backend` };
  }
  await tf.setBackend('cpu');
  await tf.ready();
  useFastCpuKernels(tf);
  return { tf, backend: 'cpu' };
}
