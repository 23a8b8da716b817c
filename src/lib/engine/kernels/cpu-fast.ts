/**
 * Faster convolution and pooling-gradient kernels for tfjs's plain-JS cpu backend, the backend
 * of the CLI without a GPU, the unit tests, and the browser's last fallback.
 *
 * tfjs-backend-cpu 4.22 runs Conv2D and Conv2DBackpropInput as nested loops that load and store
 * the output element on every multiply–add, and Conv2DBackpropFilter and MaxPoolGrad through
 * TensorBuffer.get (an index computation and an argument array per element). Here:
 *  - Conv2D, Conv2DBackpropInput: im2col in blocks of output positions, then a register-blocked
 *    product (2 positions × 4 channels of accumulators), see `multiplyTransposed`;
 *  - Conv2DBackpropFilter: the same product on transposed blocks, accumulated over blocks;
 *  - MaxPoolGrad: one pass that routes each dy to the first maximum of its window (tfjs' rule);
 *  - Add, Sub, Multiply, RealDiv of a [1, …, 1, C] operand, Sum and Mean over leading axes, Tile of
 *    a [1, …, 1, C] tensor: the bias and BatchNorm patterns, where tfjs computes an index per
 *    element or transposes first.
 * Same sums as tfjs, NHWC only; NCHW, dilations ≠ 1 and anything else unusual go to the original
 * kernels. One diffsims training step (1-D CNN, batch 64) drops from
 * about 1.5 s to a few hundred ms (BENCHMARKS.md).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../../harness/contract';

/** The parts of tfjs's MathBackendCPU these kernels use. */
interface CpuBackend {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tfType.TensorInfo;
}

type ConvInfo = ReturnType<TF['backend_util']['computeConv2DInfo']>;
type Pad = 'valid' | 'same' | number | tfType.backend_util.ExplicitPadding;

interface ConvAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Output positions per im2col block: bounds the scratch memory to BLOCK · K floats. */
const BLOCK = 128;

const installed = new WeakSet<object>();

/** Replaces the cpu backend's conv and max-pool-gradient kernels with the fast ones (idempotent). */
export function useFastCpuKernels(tf: TF): void {
  replace(tf, 'Conv2D', (args, original) => {
    const attrs = args.attrs as unknown as ConvAttrs;
    if (attrs.dataFormat === 'NCHW' || !unitDilation(attrs.dilations)) return original(args);
    const { x, filter } = args.inputs as { x: tfType.TensorInfo; filter: tfType.TensorInfo };
    const backend = args.backend as CpuBackend;
    const info = convInfo(tf, x.shape, filter.shape, attrs);
    const y = conv2d(backend.data.get(x.dataId).values, backend.data.get(filter.dataId).values, info);
    return backend.makeTensorInfo(info.outShape, 'float32', y);
  });
  replace(tf, 'Conv2DBackpropInput', (args, original) => {
    const attrs = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
    if (attrs.dataFormat === 'NCHW') return original(args);
    const { dy, filter } = args.inputs as { dy: tfType.TensorInfo; filter: tfType.TensorInfo };
    const backend = args.backend as CpuBackend;
    const info = convInfo(tf, attrs.inputShape, filter.shape, attrs);
    const dx = conv2dBackpropInput(backend.data.get(dy.dataId).values, backend.data.get(filter.dataId).values, info);
    return backend.makeTensorInfo(info.inShape, 'float32', dx);
  });
  replace(tf, 'Conv2DBackpropFilter', (args, original) => {
    const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
    if (attrs.dataFormat === 'NCHW') return original(args);
    const { x, dy } = args.inputs as { x: tfType.TensorInfo; dy: tfType.TensorInfo };
    const backend = args.backend as CpuBackend;
    const info = convInfo(tf, x.shape, attrs.filterShape, attrs);
    const dW = conv2dBackpropFilter(backend.data.get(x.dataId).values, backend.data.get(dy.dataId).values, info);
    return backend.makeTensorInfo(info.filterShape, 'float32', dW);
  });
  const binary: [string, (a: number, b: number) => number][] = [
    ['Add', (a, b) => a + b],
    ['Sub', (a, b) => a - b],
    ['Multiply', (a, b) => a * b],
    ['RealDiv', (a, b) => a / b],
  ];
  for (const [name, op] of binary) {
    replace(tf, name, (args, original) => {
      const { a, b } = args.inputs as { a: tfType.TensorInfo; b: tfType.TensorInfo };
      if (a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
      const backend = args.backend as CpuBackend;
      const av = backend.data.get(a.dataId).values;
      const bv = backend.data.get(b.dataId).values;
      if (isTrailingBroadcast(a.shape, b.shape)) {
        return backend.makeTensorInfo([...a.shape], 'float32', broadcastTrailing(av, bv, op, false));
      }
      if (isTrailingBroadcast(b.shape, a.shape)) {
        return backend.makeTensorInfo([...b.shape], 'float32', broadcastTrailing(bv, av, op, true));
      }
      return original(args);
    });
  }
  for (const name of ['Sum', 'Mean']) {
    replace(tf, name, (args, original) => {
      const { x } = args.inputs as { x: tfType.TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
      const axes = tf.util.parseAxisParam(axis, x.shape).sort((i, j) => i - j);
      const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
      if (x.dtype !== 'float32' || !leading) return original(args);
      const backend = args.backend as CpuBackend;
      const kept = x.shape.slice(axes.length);
      const out = sumLeading(backend.data.get(x.dataId).values, kept.reduce((m, d) => m * d, 1), name === 'Mean');
      const shape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
      return backend.makeTensorInfo(shape, 'float32', out);
    });
  }
  replace(tf, 'Tile', (args, original) => {
    const { x } = args.inputs as { x: tfType.TensorInfo };
    const { reps } = args.attrs as unknown as { reps: number[] };
    // A [1, …, 1, C…] tensor tiled over its leading unit dimensions only: whole copies of it.
    let first = 0;
    while (first < x.shape.length && x.shape[first] === 1) first++;
    if (x.dtype !== 'float32' || first === 0 || reps.slice(first).some((r) => r !== 1)) return original(args);
    const backend = args.backend as CpuBackend;
    const values = backend.data.get(x.dataId).values;
    const copies = reps.slice(0, first).reduce((m, r) => m * r, 1);
    const out = new Float32Array(values.length * copies);
    for (let k = 0; k < copies; k++) for (let i = 0; i < values.length; i++) out[k * values.length + i] = values[i];
    return backend.makeTensorInfo(x.shape.map((d, i) => d * reps[i]), 'float32', out);
  });
  replace(tf, 'MaxPoolGrad', (args) => {
    const attrs = args.attrs as unknown as {
      filterSize: [number, number] | number;
      strides: [number, number] | number;
      pad: Pad;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    const { dy, input } = args.inputs as { dy: tfType.TensorInfo; input: tfType.TensorInfo };
    const backend = args.backend as CpuBackend;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const dx = maxPoolGrad(backend.data.get(input.dataId).values, backend.data.get(dy.dataId).values, info);
    return backend.makeTensorInfo(info.inShape, 'float32', dx);
  });
}

function replace(
  tf: TF,
  kernelName: string,
  fast: (args: Parameters<tfType.KernelFunc>[0], original: tfType.KernelFunc) => ReturnType<tfType.KernelFunc>,
): void {
  const original = tf.getKernel(kernelName, 'cpu');
  if (!original || installed.has(original)) return;
  const config: tfType.KernelConfig = {
    kernelName,
    backendName: 'cpu',
    kernelFunc: (args) => fast(args, original.kernelFunc),
  };
  installed.add(config);
  tf.unregisterKernel(kernelName, 'cpu');
  tf.registerKernel(config);
}

/**
 * Whether `small` broadcasts against `big` by repetition only: leading 1s, then `big`'s trailing
 * dimensions (a bias [1, 1, C] on [N, W, C], BatchNorm's [1, 1, 1, C] statistics). tfjs' cpu binary
 * ops compute an index per element then; equal shapes and scalars they already do fast, so those
 * stay with them.
 */
function isTrailingBroadcast(big: readonly number[], small: readonly number[]): boolean {
  let first = 0;
  while (first < small.length && small[first] === 1) first++;
  const tail = small.slice(first);
  if (tail.length === 0 || tail.length >= big.length || small.length > big.length) return false;
  return tail.every((d, i) => d === big[big.length - tail.length + i]);
}

/** op(big[i], small[i mod |small|]), or op(small[…], big[i]) when `smallFirst`. */
function broadcastTrailing(
  big: ArrayLike<number>,
  small: ArrayLike<number>,
  op: (a: number, b: number) => number,
  smallFirst: boolean,
): Float32Array {
  const out = new Float32Array(big.length);
  const period = small.length;
  for (let i = 0; i < big.length; i += period) {
    if (smallFirst) for (let k = 0; k < period; k++) out[i + k] = op(small[k], big[i + k]);
    else for (let k = 0; k < period; k++) out[i + k] = op(big[i + k], small[k]);
  }
  return out;
}

/** Sum (or mean) over the leading axes of a row-major array whose kept trailing part has `inner` elements. */
function sumLeading(x: ArrayLike<number>, inner: number, mean: boolean): Float32Array {
  const sums = new Float64Array(inner);
  for (let i = 0; i < x.length; i += inner) for (let k = 0; k < inner; k++) sums[k] += x[i + k];
  const scale = mean ? inner / x.length : 1;
  return Float32Array.from(sums, (v) => v * scale);
}

function unitDilation(d: ConvAttrs['dilations']): boolean {
  return d === undefined || (typeof d === 'number' ? d === 1 : d[0] === 1 && d[1] === 1);
}

function convInfo(tf: TF, xShape: readonly number[], filterShape: readonly number[], attrs: ConvAttrs): ConvInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/**
 * out[outIndex[r] + n] = Σ_k a[r·K + k] · b[n·K + k] for r < rows, n < N (or += with
 * `accumulate`): a block of im2col rows times a weight matrix stored with K contiguous. Eight
 * scalar accumulators (2 rows × 4 columns) share each load, which is what makes this several
 * times faster than tfjs' loops.
 */
export function multiplyTransposed(
  a: Float32Array,
  rows: number,
  b: Float32Array,
  N: number,
  K: number,
  out: Float32Array,
  outIndex: ArrayLike<number>,
  accumulate = false,
): void {
  let r = 0;
  for (; r + 1 < rows; r += 2) {
    const a0 = r * K;
    const a1 = a0 + K;
    const o0 = outIndex[r];
    const o1 = outIndex[r + 1];
    let n = 0;
    for (; n + 3 < N; n += 4) {
      const b0 = n * K;
      const b1 = b0 + K;
      const b2 = b1 + K;
      const b3 = b2 + K;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0; // prettier-ignore
      for (let k = 0; k < K; k++) {
        const x0 = a[a0 + k];
        const x1 = a[a1 + k];
        const w0 = b[b0 + k];
        const w1 = b[b1 + k];
        const w2 = b[b2 + k];
        const w3 = b[b3 + k];
        s00 += x0 * w0;
        s01 += x0 * w1;
        s02 += x0 * w2;
        s03 += x0 * w3;
        s10 += x1 * w0;
        s11 += x1 * w1;
        s12 += x1 * w2;
        s13 += x1 * w3;
      }
      out[o0 + n] = accumulate ? out[o0 + n] + s00 : s00;
      out[o0 + n + 1] = accumulate ? out[o0 + n + 1] + s01 : s01;
      out[o0 + n + 2] = accumulate ? out[o0 + n + 2] + s02 : s02;
      out[o0 + n + 3] = accumulate ? out[o0 + n + 3] + s03 : s03;
      out[o1 + n] = accumulate ? out[o1 + n] + s10 : s10;
      out[o1 + n + 1] = accumulate ? out[o1 + n + 1] + s11 : s11;
      out[o1 + n + 2] = accumulate ? out[o1 + n + 2] + s12 : s12;
      out[o1 + n + 3] = accumulate ? out[o1 + n + 3] + s13 : s13;
    }
    for (; n < N; n++) {
      const bn = n * K;
      let s0 = 0;
      let s1 = 0;
      for (let k = 0; k < K; k++) {
        s0 += a[a0 + k] * b[bn + k];
        s1 += a[a1 + k] * b[bn + k];
      }
      out[o0 + n] = accumulate ? out[o0 + n] + s0 : s0;
      out[o1 + n] = accumulate ? out[o1 + n] + s1 : s1;
    }
  }
  if (r < rows) {
    const a0 = r * K;
    const o0 = outIndex[r];
    for (let n = 0; n < N; n++) {
      const bn = n * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += a[a0 + k] * b[bn + k];
      out[o0 + n] = accumulate ? out[o0 + n] + s : s;
    }
  }
}

/**
 * Writes the im2col patch of output position `pos` (flat over b, r, c) — x over its filter window,
 * K = filterHeight · filterWidth · inChannels values in (i, j, d) order — to out[offset + k · stride].
 * Taps outside the image are skipped: `out` must hold zeros there.
 */
function gatherPatch(x: ArrayLike<number>, info: ConvInfo, pos: number, out: Float32Array, offset: number, stride: number): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const c = pos % outWidth;
  const r = Math.floor(pos / outWidth) % outHeight;
  const b = Math.floor(pos / (outWidth * outHeight));
  for (let i = 0; i < filterHeight; i++) {
    const xr = r * strideHeight + i - info.padInfo.top;
    if (xr < 0 || xr >= inHeight) continue;
    for (let j = 0; j < filterWidth; j++) {
      const xc = c * strideWidth + j - info.padInfo.left;
      if (xc < 0 || xc >= inWidth) continue;
      const from = ((b * inHeight + xr) * inWidth + xc) * inChannels;
      const to = offset + (i * filterWidth + j) * inChannels * stride;
      for (let d = 0; d < inChannels; d++) out[to + d * stride] = x[from + d];
    }
  }
}

/** y[b, r, c, o] = Σ_{i, j, d} x[b, r·s_h + i − pad_top, c·s_w + j − pad_left, d] · W[i, j, d, o]. */
function conv2d(x: ArrayLike<number>, w: ArrayLike<number>, info: ConvInfo): Float32Array {
  const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const K = filterHeight * filterWidth * inChannels;
  // Weights as [o][i, j, d]: K contiguous per output channel.
  const wT = new Float32Array(outChannels * K);
  for (let k = 0; k < K; k++) for (let o = 0; o < outChannels; o++) wT[o * K + k] = w[k * outChannels + o];

  const y = new Float32Array(batchSize * outHeight * outWidth * outChannels);
  const positions = batchSize * outHeight * outWidth;
  const patches = new Float32Array(Math.min(BLOCK, positions) * K);
  const outIndex = new Int32Array(BLOCK);
  for (let start = 0; start < positions; start += BLOCK) {
    const rows = Math.min(BLOCK, positions - start);
    patches.fill(0, 0, rows * K);
    for (let p = 0; p < rows; p++) {
      outIndex[p] = (start + p) * outChannels;
      gatherPatch(x, info, start + p, patches, p * K, 1);
    }
    multiplyTransposed(patches, rows, wT, outChannels, K, y, outIndex);
  }
  return y;
}

/**
 * dx[b, r, c, d] = Σ dy[b, (r + pad_top − i)/s_h, (c + pad_left − j)/s_w, o] · W[i, j, d, o] over
 * the i, j that make both quotients whole and in range. Positions are grouped by their phase
 * (r + pad_top) mod s_h, (c + pad_left) mod s_w, which fixes the contributing filter taps, so no
 * multiply is spent on the zeros a strided (transposed) convolution would insert.
 */
function conv2dBackpropInput(dy: ArrayLike<number>, w: ArrayLike<number>, info: ConvInfo): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dx = new Float32Array(batchSize * inHeight * inWidth * inChannels);

  for (let phaseR = 0; phaseR < strideHeight; phaseR++) {
    for (let phaseC = 0; phaseC < strideWidth; phaseC++) {
      const taps: [number, number][] = [];
      for (let i = phaseR; i < filterHeight; i += strideHeight) for (let j = phaseC; j < filterWidth; j += strideWidth) taps.push([i, j]);
      const rowsOfPhase: number[] = [];
      for (let r = 0; r < inHeight; r++) if ((r + top) % strideHeight === phaseR) rowsOfPhase.push(r);
      const colsOfPhase: number[] = [];
      for (let c = 0; c < inWidth; c++) if ((c + left) % strideWidth === phaseC) colsOfPhase.push(c);
      if (taps.length === 0 || rowsOfPhase.length === 0 || colsOfPhase.length === 0) continue; // dx stays 0

      // Weights as [d][tap, o]: K contiguous per input channel.
      const K = taps.length * outChannels;
      const wT = new Float32Array(inChannels * K);
      taps.forEach(([i, j], t) => {
        for (let d = 0; d < inChannels; d++) {
          const from = ((i * filterWidth + j) * inChannels + d) * outChannels;
          wT.set(Array.prototype.slice.call(w, from, from + outChannels) as number[], d * K + t * outChannels);
        }
      });

      const perImage = rowsOfPhase.length * colsOfPhase.length;
      const positions = batchSize * perImage;
      const patches = new Float32Array(Math.min(BLOCK, positions) * K);
      const outIndex = new Int32Array(BLOCK);
      for (let start = 0; start < positions; start += BLOCK) {
        const rows = Math.min(BLOCK, positions - start);
        patches.fill(0, 0, rows * K);
        for (let p = 0; p < rows; p++) {
          const pos = start + p;
          const b = Math.floor(pos / perImage);
          const within = pos % perImage;
          const r = rowsOfPhase[Math.floor(within / colsOfPhase.length)];
          const c = colsOfPhase[within % colsOfPhase.length];
          outIndex[p] = ((b * inHeight + r) * inWidth + c) * inChannels;
          for (let t = 0; t < taps.length; t++) {
            const yr = (r + top - taps[t][0]) / strideHeight;
            const yc = (c + left - taps[t][1]) / strideWidth;
            if (yr < 0 || yr >= outHeight || yc < 0 || yc >= outWidth) continue;
            const from = ((b * outHeight + yr) * outWidth + yc) * outChannels;
            const to = p * K + t * outChannels;
            for (let o = 0; o < outChannels; o++) patches[to + o] = dy[from + o];
          }
        }
        multiplyTransposed(patches, rows, wT, inChannels, K, dx, outIndex);
      }
    }
  }
  return dx;
}

/**
 * dW[i, j, d, o] = Σ_{b, r, c} x[b, r·s_h + i − pad_top, c·s_w + j − pad_left, d] · dy[b, r, c, o]:
 * per block of output positions, dyᵀ (o × positions) times the im2col patchesᵀ (K × positions),
 * accumulated into dWᵀ (o × K), transposed at the end.
 */
function conv2dBackpropFilter(x: ArrayLike<number>, dy: ArrayLike<number>, info: ConvInfo): Float32Array {
  const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const K = filterHeight * filterWidth * inChannels;
  const positions = batchSize * outHeight * outWidth;
  const block = Math.min(BLOCK, positions);
  const patchesT = new Float32Array(K * block);
  const dyT = new Float32Array(outChannels * block);
  const dWT = new Float32Array(outChannels * K);
  const rowStarts = Int32Array.from({ length: outChannels }, (_, o) => o * K);
  for (let start = 0; start < positions; start += block) {
    const rows = Math.min(block, positions - start);
    patchesT.fill(0);
    dyT.fill(0);
    for (let p = 0; p < rows; p++) {
      const pos = start + p;
      for (let o = 0; o < outChannels; o++) dyT[o * block + p] = dy[pos * outChannels + o];
      gatherPatch(x, info, pos, patchesT, p, block);
    }
    // Unused tail columns of a short last block are zero in both factors.
    multiplyTransposed(dyT, outChannels, patchesT, K, block, dWT, rowStarts, true);
  }
  const dW = new Float32Array(K * outChannels);
  for (let o = 0; o < outChannels; o++) for (let k = 0; k < K; k++) dW[k * outChannels + o] = dWT[o * K + k];
  return dW;
}

/**
 * dx = Σ over windows of dy routed to the window's maximum; ties go to the first maximum in
 * row-major window order and windows with no finite maximum pass nothing (tfjs' rule).
 */
function maxPoolGrad(x: ArrayLike<number>, dy: ArrayLike<number>, info: ConvInfo): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dx = new Float32Array(batchSize * inHeight * inWidth * inChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let r = 0; r < outHeight; r++) {
      const r0 = Math.max(0, r * strideHeight - top);
      const r1 = Math.min(inHeight, r * strideHeight - top + filterHeight);
      for (let c = 0; c < outWidth; c++) {
        const c0 = Math.max(0, c * strideWidth - left);
        const c1 = Math.min(inWidth, c * strideWidth - left + filterWidth);
        const dyOffset = ((b * outHeight + r) * outWidth + c) * inChannels;
        for (let d = 0; d < inChannels; d++) {
          let best = -Infinity;
          let at = -1;
          for (let xr = r0; xr < r1; xr++) {
            for (let xc = c0; xc < c1; xc++) {
              const index = ((b * inHeight + xr) * inWidth + xc) * inChannels + d;
              if (x[index] > best) {
                best = x[index];
                at = index;
              }
            }
          }
          if (at >= 0) dx[at] += dy[dyOffset + d];
        }
      }
    }
  }
  return dx;
}
