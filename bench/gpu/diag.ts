/**
 * Where a tfjs WebGPU step spends its wall-clock time (bench/gpu.ts --diag): counts and times the
 * WebGPU calls that tfjs makes (buffer and bind-group creation, pipeline creation, uniform
 * writes, dispatches, submits, buffer mapping) by wrapping the prototypes of the WebGPU classes,
 * and splits each step into host time (until the step function returns: tfjs and Dawn recording
 * and submitting the work) and the wait for the GPU after it (a one-element read).
 */
import * as tf from '@tensorflow/tfjs';

/** Calls and host milliseconds spent inside one WebGPU method. */
export interface CallStat {
  calls: number;
  ms: number;
  /** Bytes, for createBuffer and writeBuffer. */
  bytes?: number;
}

export interface StepDiag {
  /** From calling the step until it returns (all GPU work recorded and submitted). */
  hostMs: number;
  /** From then until a one-element read of the result has come back. */
  waitMs: number;
  webgpu: Record<string, CallStat>;
  /** GPU programs run by the webgpu backend. */
  kernels: number;
  /** tf.memory() after the step minus before it. */
  bytesAllocatedGrowth: number;
  tensorGrowth: number;
}

/** The WebGPU methods counted, by class (as dawn.node's globals name them). */
const METHODS: Record<string, string[]> = {
  GPUDevice: ['createBuffer', 'createBindGroup', 'createComputePipeline', 'createComputePipelineAsync', 'createShaderModule', 'createCommandEncoder'],
  GPUQueue: ['submit', 'writeBuffer'],
  GPUBuffer: ['mapAsync', 'destroy'],
  GPUComputePassEncoder: ['dispatchWorkgroups', 'setBindGroup', 'setPipeline', 'end'],
  GPUCommandEncoder: ['beginComputePass', 'copyBufferToBuffer', 'finish'],
};

let stats: Record<string, CallStat> = {};
let installed = false;

/** Wraps the WebGPU methods once; later calls only reset the counters. */
export function installWebGpuCounters(): void {
  stats = {};
  if (installed) return;
  installed = true;
  const g = globalThis as unknown as Record<string, { prototype: Record<string, unknown> } | undefined>;
  for (const [cls, methods] of Object.entries(METHODS)) {
    const proto = g[cls]?.prototype;
    if (!proto) continue;
    for (const name of methods) {
      const original = proto[name];
      if (typeof original !== 'function') continue;
      const key = `${cls}.${name}`;
      proto[name] = function (this: unknown, ...args: unknown[]) {
        const t0 = performance.now();
        const result = (original as (...a: unknown[]) => unknown).apply(this, args);
        const s = (stats[key] ??= { calls: 0, ms: 0 });
        s.calls++;
        s.ms += performance.now() - t0;
        if (name === 'createBuffer') s.bytes = (s.bytes ?? 0) + Number((args[0] as { size: number }).size);
        if (name === 'writeBuffer') {
          const data = args[2] as ArrayBufferView | ArrayBuffer;
          s.bytes = (s.bytes ?? 0) + (typeof args[4] === 'number' ? args[4] : data.byteLength);
        }
        return result;
      };
    }
  }
}

/** Runs `step` (already warmed up) `steps` times, each synchronised, and reports each. */
export async function diagnoseSteps(step: () => tf.Tensor, steps: number): Promise<StepDiag[]> {
  installWebGpuCounters();
  const out: StepDiag[] = [];
  for (let i = 0; i < steps; i++) {
    const memBefore = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
    stats = {};
    const profileKernels = countKernels();
    const t0 = performance.now();
    const result = step();
    const t1 = performance.now();
    const probe = tf.tidy(() => result.reshape([-1]).slice(0, 1));
    await probe.data();
    const t2 = performance.now();
    const kernels = profileKernels();
    tf.dispose([probe, result]);
    const memAfter = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
    out.push({
      hostMs: t1 - t0,
      waitMs: t2 - t1,
      webgpu: stats,
      kernels,
      bytesAllocatedGrowth: (memAfter.numBytesAllocatedInGPU ?? 0) - (memBefore.numBytesAllocatedInGPU ?? 0),
      tensorGrowth: memAfter.numTensors - memBefore.numTensors,
    });
  }
  return out;
}

/** Counts the GPU programs that the webgpu backend runs from now until the returned function is called. */
function countKernels(): () => number {
  const backend = tf.backend() as unknown as { runWebGPUProgram?: (...a: unknown[]) => unknown };
  const original = backend.runWebGPUProgram;
  if (!original) return () => 0;
  let n = 0;
  backend.runWebGPUProgram = function (this: unknown, ...args: unknown[]) {
    n++;
    return original.apply(this, args);
  };
  return () => {
    backend.runWebGPUProgram = original;
    return n;
  };
}

/** One line per step and the per-method table of the last step. */
export function formatDiag(name: string, steps: readonly StepDiag[]): string {
  const lines = [`diag: ${name}`];
  for (const s of steps) {
    lines.push(
      `  host ${s.hostMs.toFixed(1)} ms + wait ${s.waitMs.toFixed(1)} ms = ${(s.hostMs + s.waitMs).toFixed(1)} ms; ` +
        `${s.kernels} programs; GPU bytes allocated +${(s.bytesAllocatedGrowth / 2 ** 20).toFixed(1)} MiB; tensors ${s.tensorGrowth >= 0 ? '+' : ''}${s.tensorGrowth}`,
    );
  }
  const last = steps[steps.length - 1];
  const rows = Object.entries(last.webgpu).sort((a, b) => b[1].ms - a[1].ms);
  for (const [k, v] of rows) {
    const bytes = v.bytes !== undefined ? ` ${(v.bytes / 2 ** 20).toFixed(2)} MiB` : '';
    lines.push(`    ${k.padEnd(40)} ${String(v.calls).padStart(6)} calls ${v.ms.toFixed(2).padStart(9)} ms${bytes}`);
  }
  return lines.join('\n');
}
