/** What this project's WGSL kernels share: tfjs' webgpu program types and an elementwise program. */
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

export type WebGpuProgram = Parameters<WebGPUBackend['runWebGPUProgram']>[0];
export type UniformData = NonNullable<Parameters<WebGPUBackend['runWebGPUProgram']>[3]>;

const WORKGROUP = 128;

/**
 * One thread per output element of `shape`: `body` (WGSL) sets result[index] from the inputs
 * named in `variableNames` and the program's `uniforms` (a WGSL struct field list).
 */
export function elementwiseProgram(shaderKey: string, shape: number[], variableNames: string[], uniforms: string, body: string): WebGpuProgram {
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    outputShape: shape,
    shaderKey,
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: [Math.ceil(size / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    variableNames,
    uniforms,
    size: true,
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${body}
        }
      }
    `,
  } as WebGpuProgram;
}
