/**
 * Sum and Mean over leading axes (float32) for tfjs' webgpu backend: the reductions of a
 * channels-last network, i.e. bias gradients and BatchNorm statistics and gradients, which reduce
 * [N, H, W, C] over N·H·W and keep C.
 *
 * tfjs 4.22 transposes the reduced axes to the end and gives each output one workgroup: 8 channels
 * of 2 M values each are 8 workgroups on a GPU with 132 SMs (Sum and Mean were 54 % of the GPU
 * time of an EMDenoiseNet training step on an H100). Here x is viewed as [R, C] and
 *   pass 1: workgroup (column tile, chunk s of rows) writes partial[s, c] = Σ_{r in chunk s} x[r, c];
 *   pass 2: the same program on partial [S, C] with one chunk, dividing by R for Mean.
 * Threads of a workgroup read consecutive columns of a row (coalesced) and reduce over rows in
 * workgroup memory. Other reductions (inner axes, int32) go to tfjs' own kernels.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { WebGpuProgram } from './program';


const WORKGROUP = 256;
const MAX_COLUMN_TILE = 64;
/** Workgroups pass 1 aims for (H100: 132 SMs). */
const TARGET_WORKGROUPS = 2048;
/** Fewest rows per thread in a chunk, so small reductions stay in one pass. */
const MIN_ROWS_PER_THREAD = 8;
const MAX_WORKGROUPS_PER_DIMENSION = 65535;

/** Columns a workgroup covers: the power of two ≥ C, at most 64; the rest of its threads take rows. */
export function columnTile(columns: number): number {
  let tile = 1;
  while (tile < columns && tile < MAX_COLUMN_TILE) tile *= 2;
  return tile;
}

/** Chunks the R rows are split into for pass 1 (1 = a single pass). */
export function rowChunks(rows: number, columns: number): number {
  const tile = columnTile(columns);
  const columnTiles = Math.ceil(columns / tile);
  const rowLanes = WORKGROUP / tile;
  const byOccupancy = Math.ceil(TARGET_WORKGROUPS / columnTiles);
  const byWork = Math.ceil(rows / (rowLanes * MIN_ROWS_PER_THREAD));
  return Math.max(1, Math.min(byOccupancy, byWork, MAX_WORKGROUPS_PER_DIMENSION));
}

/**
 * What a row reduction sums: row r, column c of a [rows, columns] view of its inputs, as a WGSL
 * expression in r and c (the inputs are `variableNames`).
 */
export interface RowTerm {
  key: string;
  variableNames: string[];
  value: string;
}

/** Plain Sum: x itself. */
const ELEMENT: RowTerm = { key: 'x', variableNames: ['x'], value: 'x[r * uniforms.columns + c]' };

/** out[s, c] = (Σ over row chunk s of the term) / divisor. */
function reduceRowsProgram(term: RowTerm, columns: number, chunks: number): WebGpuProgram {
  const tile = columnTile(columns);
  const rowLanes = WORKGROUP / tile;
  const outputShape = [chunks, columns];
  return {
    outputShape,
    shaderKey: `sciml_reduce_rows_${term.key}_${tile}`,
    dispatchLayout: { x: [0, 1] },
    dispatch: [Math.ceil(columns / tile), chunks, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    variableNames: term.variableNames,
    uniforms: 'rows : i32, columns : i32, chunkRows : i32, divisor : f32,',
    getUserCode: () => `
      var<workgroup> sums : array<f32, ${WORKGROUP}>;
      fn term(r : i32, c : i32) -> f32 {
        return ${term.value};
      }
      fn main(index : i32) {
        let t = i32(localIndex);
        let c = i32(workgroupId.x) * ${tile} + t % ${tile};
        let lane = t / ${tile};
        let first = i32(workgroupId.y) * uniforms.chunkRows;
        let last = min(first + uniforms.chunkRows, uniforms.rows);
        var acc = 0.0;
        if (c < uniforms.columns) {
          for (var r = first + lane; r < last; r = r + ${rowLanes}) {
            acc = acc + term(r, c);
          }
        }
        sums[t] = acc;
        workgroupBarrier();
        for (var span = ${rowLanes / 2}; span > 0; span = span / 2) {
          if (lane < span) {
            sums[t] = sums[t] + sums[t + span * ${tile}];
          }
          workgroupBarrier();
        }
        if (lane == 0 && c < uniforms.columns) {
          result[i32(workgroupId.y) * uniforms.columns + c] = sums[t] / uniforms.divisor;
        }
      }
    `,
  } as WebGpuProgram;
}

/**
 * Σ over the rows of `term` on `inputs` viewed as [rows, columns], divided by `divisor`: one pass
 * when the rows fit one chunk, else chunks and then a pass over their partial sums. Returns [1, columns].
 */
export function reduceRows(
  gpu: WebGPUBackend,
  inputs: tf.TensorInfo[],
  term: RowTerm,
  rows: number,
  columns: number,
  divisor: number,
): tf.TensorInfo {
  const chunks = rowChunks(rows, columns);
  if (chunks === 1) return runRows(gpu, inputs, term, rows, columns, rows, 1, divisor);
  const chunkRows = Math.ceil(rows / chunks);
  const used = Math.ceil(rows / chunkRows);
  const partial = runRows(gpu, inputs, term, rows, columns, chunkRows, used, 1);
  const out = runRows(gpu, [partial], ELEMENT, used, columns, used, 1, divisor);
  gpu.disposeData(partial.dataId);
  return out;
}

/** Sum or Mean of x over its leading `reducedAxes` axes, as [R, C] → C. */
function reduceLeading(gpu: WebGPUBackend, x: tf.TensorInfo, reducedAxes: number, outShape: number[], mean: boolean): tf.TensorInfo {
  const rows = x.shape.slice(0, reducedAxes).reduce((a, b) => a * b, 1);
  const columns = x.shape.slice(reducedAxes).reduce((a, b) => a * b, 1);
  const out = reduceRows(gpu, [x], ELEMENT, rows, columns, mean ? rows : 1);
  // [1, C] holds the values in the output's order: hand its data over under the output's shape.
  return { dataId: out.dataId, shape: outShape, dtype: 'float32' };
}

/** One pass: [rows, columns] → [chunks, columns]. */
function runRows(
  gpu: WebGPUBackend,
  inputs: tf.TensorInfo[],
  term: RowTerm,
  rows: number,
  columns: number,
  chunkRows: number,
  chunks: number,
  divisor: number,
): tf.TensorInfo {
  return gpu.runWebGPUProgram(reduceRowsProgram(term, columns, chunks), inputs, 'float32', [
    { type: 'int32', data: [rows] },
    { type: 'int32', data: [columns] },
    { type: 'int32', data: [chunkRows] },
    { type: 'float32', data: [divisor] },
  ]);
}

/** The number of leading axes reduced, or undefined when the axes are not 0..k−1. */
function leadingAxes(axis: number | number[], shape: number[]): number | undefined {
  const axes = tf.util.parseAxisParam(axis, shape).sort((a, b) => a - b);
  return axes.every((a, i) => a === i) && axes.length > 0 ? axes.length : undefined;
}

function reduceConfig(kernelName: typeof tf.Sum | typeof tf.Mean, fallback?: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'webgpu',
    kernelFunc: (args) => {
      const x = (args.inputs as { x: tf.TensorInfo }).x;
      const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
      const reduced = x.dtype === 'float32' ? leadingAxes(axis, x.shape) : undefined;
      if (reduced === undefined || x.shape.some((d) => d === 0)) {
        if (!fallback) throw new Error(`${kernelName}: only float32 reductions over leading axes are implemented here`);
        return fallback.kernelFunc(args);
      }
      const outShape = keepDims ? x.shape.map((d, i) => (i < reduced ? 1 : d)) : x.shape.slice(reduced);
      return reduceLeading(args.backend as WebGPUBackend, x, reduced, outShape, kernelName === tf.Mean);
    },
  };
}

export const sumConfig = (fallback?: tf.KernelConfig): tf.KernelConfig => reduceConfig(tf.Sum, fallback);
export const meanConfig = (fallback?: tf.KernelConfig): tf.KernelConfig => reduceConfig(tf.Mean, fallback);
