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
 * S is chosen so that pass 1 has about TARGET_WORKGROUPS workgroups. Same products, summed in
 * another order, so results match tfjs' kernel to float32 rounding.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { UniformData, WebGpuProgram } from './program';

/**
 * Pass 1 as a tiled matrix product: with k = (wR, wC, d1) and p = (b, yR, yC),
 *   dW[k, d2] = Σ_p X[p, k] · dy[p, d2]     (X = the im2col view of x, never materialised)
 * Workgroup (d2 tile, k tile, chunk s) walks its chunk of positions TILE_P at a time: the 64
 * threads stage X[TILE_P × TILE_K] and dy[TILE_P × tileC] in workgroup memory, then each thread
 * adds its RK × RC block of products from there. Every x and dy value is read from global memory
 * once per (k tile, d2 tile) instead of once per filter element as in a thread-per-element loop.
 */
const TILE_P = 32;
const TILE_K = 32;
const THREAD_ROWS = 8;
const THREAD_COLS = 8;
const RK = TILE_K / THREAD_ROWS;
const WORKGROUP = THREAD_ROWS * THREAD_COLS;
/** Workgroups pass 1 aims for: enough to fill a large GPU (H100: 132 SMs) several times over. */
const TARGET_WORKGROUPS = 2048;
/** Fewest positions a chunk walks, so small layers do not explode into partial sums. */
const MIN_POSITIONS_PER_CHUNK = 4 * TILE_P;
const MAX_WORKGROUPS_PER_DIMENSION = 65535;


/** Output channels per tile: 8, 16, 32 or 64 (each thread column takes tileC / 8 of them). */
export function channelTile(outChannels: number): number {
  return outChannels <= 8 ? 8 : outChannels <= 16 ? 16 : outChannels <= 32 ? 32 : 64;
}

/** Number of chunks the N·Ho·Wo positions are split into, given the output tiles. */
export function chunkCount(positions: number, outputTiles: number): number {
  const byOccupancy = Math.ceil(TARGET_WORKGROUPS / outputTiles);
  const byChunkSize = Math.ceil(positions / MIN_POSITIONS_PER_CHUNK);
  return Math.max(1, Math.min(byOccupancy, byChunkSize, MAX_WORKGROUPS_PER_DIMENSION));
}

/** Pass 1: partial[s, k·C + d2] over the positions of chunk s. Output shape [S, K·C]. */
function partialProgram(tileC: number, tiles: { c: number; k: number }, chunks: number, filterElements: number): WebGpuProgram {
  const rc = tileC / THREAD_COLS;
  const accumulators = Array.from({ length: RK * rc }, (_, i) => `var acc${i} = 0.0;`).join('\n');
  const products: string[] = [];
  for (let i = 0; i < RK; i++) {
    products.push(`let x${i} = xs[pp * ${TILE_K} + row + ${i * THREAD_ROWS}];`);
  }
  for (let j = 0; j < rc; j++) {
    products.push(`let d${j} = ds[pp * ${tileC} + col + ${j * THREAD_COLS}];`);
    for (let i = 0; i < RK; i++) products.push(`acc${i * rc + j} = acc${i * rc + j} + x${i} * d${j};`);
  }
  const stores: string[] = [];
  for (let i = 0; i < RK; i++) {
    for (let j = 0; j < rc; j++) {
      stores.push(`store(k0 + row + ${i * THREAD_ROWS}, c0 + col + ${j * THREAD_COLS}, acc${i * rc + j});`);
    }
  }
  return {
    outputShape: [chunks, filterElements],
    shaderKey: `sciml_conv2dBackpropFilter_tiled_${tileC}`,
    dispatchLayout: { x: [0, 1] },
    dispatch: [tiles.c, tiles.k, chunks],
    workgroupSize: [WORKGROUP, 1, 1],
    variableNames: ['x', 'dy'],
    uniforms:
      'filterShape : vec4<i32>, pads : vec2<i32>, strides : vec2<i32>, positions : i32, chunkSize : i32, filterElements : i32,',
    getUserCode: () => `
      var<workgroup> xs : array<f32, ${TILE_P * TILE_K}>;
      var<workgroup> ds : array<f32, ${TILE_P * tileC}>;

      fn store(k : i32, c : i32, value : f32) {
        let outChannels = uniforms.filterShape[3];
        if (k < uniforms.filterShape[0] * uniforms.filterShape[1] * uniforms.filterShape[2] && c < outChannels) {
          result[i32(workgroupId.z) * uniforms.filterElements + k * outChannels + c] = value;
        }
      }

      fn main(index : i32) {
        let c0 = i32(workgroupId.x) * ${tileC};
        let k0 = i32(workgroupId.y) * ${TILE_K};
        let t = i32(localIndex);
        let col = t % ${THREAD_COLS};
        let row = t / ${THREAD_COLS};
        let filterWidth = uniforms.filterShape[1];
        let inChannels = uniforms.filterShape[2];
        let outChannels = uniforms.filterShape[3];
        let filterRows = uniforms.filterShape[0] * filterWidth * inChannels;
        let inHeight = uniforms.xShape[1];
        let inWidth = uniforms.xShape[2];
        let outHeight = uniforms.dyShape[1];
        let outWidth = uniforms.dyShape[2];
        let first = i32(workgroupId.z) * uniforms.chunkSize;
        let last = min(first + uniforms.chunkSize, uniforms.positions);
        ${accumulators}
        // Each thread stages one filter row k (its (wR, wC, d1) computed once) and one channel c,
        // for every ${WORKGROUP / TILE_K}th and every ${WORKGROUP / tileC}th position of a tile.
        let kk = t % ${TILE_K};
        let k = k0 + kk;
        let d1 = k % inChannels;
        let wC = (k / inChannels) % filterWidth;
        let wR = k / (inChannels * filterWidth);
        let cc = t % ${tileC};
        let c = c0 + cc;
        // Bounds from uniforms only: the barriers inside need uniform control flow (the last
        // chunk's missing positions load as zeros).
        for (var offset = 0; offset < uniforms.chunkSize; offset = offset + ${TILE_P}) {
          let p0 = first + offset;
          for (var pp = t / ${TILE_K}; pp < ${TILE_P}; pp = pp + ${WORKGROUP / TILE_K}) {
            let p = p0 + pp;
            var value = 0.0;
            if (p < last && k < filterRows) {
              let yC = p % outWidth;
              let yR = (p / outWidth) % outHeight;
              let b = p / (outWidth * outHeight);
              let xR = yR * uniforms.strides[0] + wR - uniforms.pads[0];
              let xC = yC * uniforms.strides[1] + wC - uniforms.pads[1];
              if (xR >= 0 && xR < inHeight && xC >= 0 && xC < inWidth) {
                value = x[((b * inHeight + xR) * inWidth + xC) * inChannels + d1];
              }
            }
            xs[pp * ${TILE_K} + kk] = value;
          }
          for (var pp = t / ${tileC}; pp < ${TILE_P}; pp = pp + ${WORKGROUP / tileC}) {
            let p = p0 + pp;
            var value = 0.0;
            if (p < last && c < outChannels) {
              value = dy[p * outChannels + c];
            }
            ds[pp * ${tileC} + cc] = value;
          }
          workgroupBarrier();
          for (var pp = 0; pp < ${TILE_P}; pp = pp + 1) {
            ${products.join('\n            ')}
          }
          workgroupBarrier();
        }
        ${stores.join('\n        ')}
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
      const filterRows = filterElements / info.outChannels;
      const tileC = channelTile(info.outChannels);
      const tiles = { c: Math.ceil(info.outChannels / tileC), k: Math.ceil(filterRows / TILE_K) };
      const chunks = chunkCount(positions, tiles.c * tiles.k);
      const chunkSize = Math.ceil(positions / chunks / TILE_P) * TILE_P;
      const uniforms: UniformData = [
        { type: 'int32', data: filterShape },
        { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
        { type: 'int32', data: [info.strideHeight, info.strideWidth] },
        { type: 'int32', data: [positions] },
        { type: 'int32', data: [chunkSize] },
        { type: 'int32', data: [filterElements] },
      ];
      const partial = gpu.runWebGPUProgram(partialProgram(tileC, tiles, Math.ceil(positions / chunkSize), filterElements), [x, dy], 'float32', uniforms);
      const out = gpu.runWebGPUProgram(reduceProgram(filterShape, filterElements), [partial], 'float32', [
        { type: 'int32', data: [filterElements] },
      ]);
      gpu.disposeData(partial.dataId);
      return out;
    },
  };
}
