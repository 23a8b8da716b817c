/**
 * A fast Conv2DBackpropFilter kernel for tfjs's plain-JS cpu backend.
 *
 * tfjs-backend-cpu 4.22 computes the filter gradient with two TensorBuffer.get(b, r, c, d) calls per
 * multiply–add (an index computation and an argument array each): one 3×3 conv of 64 → 64 channels on
 * 32 images of 20×20 takes over a minute, which makes training this autoencoder on the cpu backend
 * (unit tests, the CLI without a GPU) impractical. This kernel computes the same sum,
 *   dW[i, j, c_in, c_out] = Σ_{b, r, c} x[b, r·s_h + i − pad_top, c·s_w + j − pad_left, c_in] · dy[b, r, c, c_out],
 * over flat arrays with the output channel innermost and a float64 accumulator, about 100× faster.
 * NCHW inputs are passed to the original kernel.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../../harness/contract';

const KERNEL = 'Conv2DBackpropFilter';

/** The parts of tfjs's MathBackendCPU this kernel uses. */
interface CpuBackend {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tfType.TensorInfo;
}

const installed = new WeakSet<object>();

/** Replaces the cpu backend's Conv2DBackpropFilter with the fast one (idempotent). */
export function useFastCpuConvBackpropFilter(tf: TF): void {
  const original = tf.getKernel(KERNEL, 'cpu');
  if (!original || installed.has(original)) return;
  const config: tfType.KernelConfig = {
    kernelName: KERNEL,
    backendName: 'cpu',
    kernelFunc: (args) => {
      const attrs = args.attrs as unknown as {
        strides: [number, number] | number;
        pad: 'valid' | 'same' | number;
        dataFormat: 'NHWC' | 'NCHW';
        dimRoundingMode?: 'floor' | 'round' | 'ceil';
        filterShape: [number, number, number, number];
      };
      if (attrs.dataFormat === 'NCHW') return original.kernelFunc(args);
      const { x, dy } = args.inputs as { x: tfType.TensorInfo; dy: tfType.TensorInfo };
      const backend = args.backend as CpuBackend;
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        attrs.filterShape,
        attrs.strides,
        1,
        attrs.pad,
        attrs.dimRoundingMode,
        false,
        'channelsLast',
      );
      const dW = filterGradient(backend.data.get(x.dataId).values, backend.data.get(dy.dataId).values, info);
      return backend.makeTensorInfo(info.filterShape, 'float32', dW);
    },
  };
  installed.add(config);
  tf.unregisterKernel(KERNEL, 'cpu');
  tf.registerKernel(config);
}

function filterGradient(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  info: ReturnType<TF['backend_util']['computeConv2DInfo']>,
): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const sum = new Float64Array(filterHeight * filterWidth * inChannels * outChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let r = 0; r < outHeight; r++) {
      for (let c = 0; c < outWidth; c++) {
        const dyOffset = ((b * outHeight + r) * outWidth + c) * outChannels;
        for (let i = 0; i < filterHeight; i++) {
          const xr = r * strideHeight + i - top;
          if (xr < 0 || xr >= inHeight) continue;
          for (let j = 0; j < filterWidth; j++) {
            const xc = c * strideWidth + j - left;
            if (xc < 0 || xc >= inWidth) continue;
            const xOffset = ((b * inHeight + xr) * inWidth + xc) * inChannels;
            const wOffset = (i * filterWidth + j) * inChannels * outChannels;
            for (let cin = 0; cin < inChannels; cin++) {
              const xv = x[xOffset + cin];
              if (xv === 0) continue; // ReLU outputs are often zero
              const row = wOffset + cin * outChannels;
              for (let cout = 0; cout < outChannels; cout++) sum[row + cout] += xv * dy[dyOffset + cout];
            }
          }
        }
      }
    }
  }
  return Float32Array.from(sum);
}
