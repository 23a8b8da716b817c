/**
 * Conv2DBackpropFilter (the weight gradient of a 2-D convolution, NHWC) for tfjs' webgpu backend.
 *
 *   dW[wR, wC, d1, d2] = Σ_{b, yR, yC} x[b, yR·sH + wR − padT, yC·sW + wC − padL, d1] · dy[b, yR, yC, d2]
 *
 * tfjs 4.22 runs one GPU thread per filter element, each looping over all N·Ho·Wo output
 * positions: a 3×3 1→8 filter is 72 threads summing 2 M products each, so the GPU idles (97 % of an
 * EMDenoiseNet training step on an H100). Here the position sum is split into S chunks:
 *   pass 1: workgroup (filter tile, chunk s) writes partial[s, f] = the sum over chunk s;
 *   pass 2: one workgroup per filter element adds its S partials (tree reduction in workgroup memory).
 * S is chosen so that pass 1 has about TARGET_THREADS threads. Same products, summed in another
 * order, so results match tfjs' kernel to float32 rounding.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/** Threads pass 1 aims for: a few per ALU lane of a large GPU (H100: 132 SMs × 128 lanes). */
const TARGET_THREADS = 1 << 18;
/** Fewest output positions a chunk sums, so tiny layers do not explode into partials. */
const MIN_POSITIONS_PER_CHUNK = 64;
const MAX_WORKGROUPS_PER_DIMENSION = 65535;
const WORKGROUP = 64;

type WebGpuProgram = Parameters<WebGPUBackend['runWebGPUProgram']>[0];
type UniformData = NonNullable<Parameters<WebGPUBackend['runWebGPUProgram']>[3]>;

/** Number of chunks the N·Ho·Wo positions are split into for `filterElements` outputs. */
export function chunkCount(positions: number, filterElements: number): number {
  const byThreads = Math.ceil(TARGET_THREADS / filterElements);
  const byChunkSize = Math.ceil(positions / MIN_POSITIONS_PER_CHUNK);
  return Math.max(1, Math.min(byThreads, byChunkSize, MAX_WORKGROUPS_PER_DIMENSION));
}

/** Pass 1: partial[s, f] over the positions of chunk s. Output shape [S, F]. */
function partialProgram(filterElements: number, chunks: number): WebGpuProgram {
  const outputShape = [chunks, filterElements];
  return {
    outputShape,
    shaderKey: 'sciml_conv2dBackpropFilter_partial',
    dispatchLayout: { x: [0, 1] },
    dispatch: [Math.ceil(filterElements / WORKGROUP), chunks, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    variableNames: ['x', 'dy'],
    uniforms:
      'filterShape : vec4<i32>, pads : vec2<i32>, strides : vec2<i32>, positions : i32, chunkSize : i32, filterElements : i32,',
    getUserCode: () => `
      fn main(index : i32) {
        let f = i32(workgroupId.x) * ${WORKGROUP} + i32(localIndex);
        let s = i32(workgroupId.y);
        if (f >= uniforms.filterElements) {
          return;
        }
        // f → (wR, wC, d1, d2), d2 fastest (the filter's row-major layout).
        let outChannels = uniforms.filterShape[3];
        let inChannels = uniforms.filterShape[2];
        let d2 = f % outChannels;
        let d1 = (f / outChannels) % inChannels;
        let wC = (f / (outChannels * inChannels)) % uniforms.filterShape[1];
        let wR = f / (outChannels * inChannels * uniforms.filterShape[1]);
        let inHeight = uniforms.xShape[1];
        let inWidth = uniforms.xShape[2];
        let outHeight = uniforms.dyShape[1];
        let outWidth = uniforms.dyShape[2];
        let first = s * uniforms.chunkSize;
        let last = min(first + uniforms.chunkSize, uniforms.positions);
        var acc = 0.0;
        for (var p = first; p < last; p = p + 1) {
          let yC = p % outWidth;
          let yR = (p / outWidth) % outHeight;
          let b = p / (outWidth * outHeight);
          let xR = yR * uniforms.strides[0] + wR - uniforms.pads[0];
          let xC = yC * uniforms.strides[1] + wC - uniforms.pads[1];
          if (xR >= 0 && xR < inHeight && xC >= 0 && xC < inWidth) {
            acc = acc + x[((b * inHeight + xR) * inWidth + xC) * inChannels + d1] * dy[p * outChannels + d2];
          }
        }
        result[s * uniforms.filterElements + f] = acc;
      }
    `,
  } as WebGpuProgram;
}

/** Pass 2: out[f] = Σ_s partial[s, f], one workgroup per f. */
function reduceProgram(filterShape: number[], filterElements: number): WebGpuProgram {
  return {
    outputShape: filterShape,
    shaderKey: 'sciml_conv2dBackpropFilter_reduce',
    dispatchLayout: { x: [0, 1, 2, 3] },
    dispatch: [Math.min(filterElements, MAX_WORKGROUPS_PER_DIMENSION), Math.ceil(filterElements / MAX_WORKGROUPS_PER_DIMENSION), 1],
    workgroupSize: [WORKGROUP, 1, 1],
    variableNames: ['partial'],
    uniforms: 'filterElements : i32,',
    getUserCode: () => `
      var<workgroup> sums : array<f32, ${WORKGROUP}>;
      fn main(index : i32) {
        let f = i32(workgroupId.y) * ${MAX_WORKGROUPS_PER_DIMENSION} + i32(workgroupId.x);
        let t = i32(localIndex);
        let chunks = uniforms.partialShape[0];
        var acc = 0.0;
        if (f < uniforms.filterElements) {
          for (var s = t; s < chunks; s = s + ${WORKGROUP}) {
            acc = acc + partial[s * uniforms.filterElements + f];
          }
        }
        sums[t] = acc;
        workgroupBarrier();
        for (var span = ${WORKGROUP / 2}; span > 0; span = span / 2) {
          if (t < span) {
            sums[t] = sums[t] + sums[t + span];
          }
          workgroupBarrier();
        }
        if (t == 0 && f < uniforms.filterElements) {
          result[f] = sums[0];
        }
      }
    `,
  } as WebGpuProgram;
}

/** Kernel config; `fallback` is tfjs' own kernel, used for NCHW. */
export function conv2DBackpropFilterConfig(fallback?: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropFilter,
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
      if (format !== 'channelsLast') {
        if (!fallback) throw new Error('Conv2DBackpropFilter: only NHWC is implemented here');
        return fallback.kernelFunc(args);
      }
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, format,
      );
      const gpu = backend as WebGPUBackend;
      const positions = info.batchSize * info.outHeight * info.outWidth;
      const filterElements = filterShape.reduce((a, b) => a * b, 1);
      const chunks = chunkCount(positions, filterElements);
      const chunkSize = Math.ceil(positions / chunks);
      const uniforms: UniformData = [
        { type: 'int32', data: filterShape },
        { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
        { type: 'int32', data: [info.strideHeight, info.strideWidth] },
        { type: 'int32', data: [positions] },
        { type: 'int32', data: [chunkSize] },
        { type: 'int32', data: [filterElements] },
      ];
      const partial = gpu.runWebGPUProgram(partialProgram(filterElements, chunks), [x, dy], 'float32', uniforms);
      const out = gpu.runWebGPUProgram(reduceProgram(filterShape, filterElements), [partial], 'float32', [
        { type: 'int32', data: [filterElements] },
      ]);
      gpu.disposeData(partial.dataId);
      return out;
    },
  };
}
