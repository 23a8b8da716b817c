/**
 * Classical denoising baselines on single images (row-major H×W Float32Array), matching
 * scipy.ndimage.gaussian_filter and median_filter with their default boundary mode 'reflect'
 * (d c b a | a b c d | d c b a), so tests can compare against scipy directly.
 */

/** scipy 'reflect' boundary: index i mapped into [0, n) by mirroring about the edges (period 2n). */
export function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  const m = ((i % period) + period) % period;
  return m < n ? m : period - 1 - m;
}

/** Source index for each position −radius .. n+radius−1 of a reflect-padded axis (entry p+radius). */
function paddedIndices(n: number, radius: number): Int32Array {
  const at = new Int32Array(n + 2 * radius);
  for (let p = 0; p < at.length; p++) at[p] = reflectIndex(p - radius, n);
  return at;
}

/** Normalised 1-D Gaussian weights exp(−x²/2σ²), radius = round(truncate·σ) as in scipy. */
export function gaussianKernel(sigmaPx: number, truncate = 4): Float64Array {
  const radius = Math.floor(truncate * sigmaPx + 0.5);
  const w = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) {
    w[k + radius] = Math.exp(-(k * k) / (2 * sigmaPx * sigmaPx));
    sum += w[k + radius];
  }
  for (let k = 0; k < w.length; k++) w[k] /= sum;
  return w;
}

/** Separable Gaussian blur with standard deviation `sigmaPx` (pixels). */
export function gaussianFilter(image: Float32Array, height: number, width: number, sigmaPx: number): Float32Array {
  const w = gaussianKernel(sigmaPx);
  const radius = (w.length - 1) / 2;
  const rowAt = paddedIndices(height, radius);
  const colAt = paddedIndices(width, radius);
  // Filter along rows (axis 0) first, then along columns, as scipy does axis by axis.
  const tmp = new Float64Array(height * width);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let acc = 0;
      for (let k = 0; k < w.length; k++) acc += w[k] * image[rowAt[r + k] * width + c];
      tmp[r * width + c] = acc;
    }
  }
  const out = new Float32Array(height * width);
  for (let r = 0; r < height; r++) {
    const row = r * width;
    for (let c = 0; c < width; c++) {
      let acc = 0;
      for (let k = 0; k < w.length; k++) acc += w[k] * tmp[row + colAt[c + k]];
      out[row + c] = acc;
    }
  }
  return out;
}

/** k-th smallest of values[0..n) (0-based), by in-place quickselect. */
function select(values: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}

/** Median over a sizePx × sizePx square window (sizePx odd). */
export function medianFilter(image: Float32Array, height: number, width: number, sizePx: number): Float32Array {
  if (sizePx % 2 !== 1) throw new Error(`median filter size must be odd, got ${sizePx}`);
  const radius = (sizePx - 1) / 2;
  const rowAt = paddedIndices(height, radius);
  const colAt = paddedIndices(width, radius);
  const count = sizePx * sizePx;
  const window = new Float64Array(count);
  const out = new Float32Array(height * width);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let n = 0;
      for (let dr = 0; dr < sizePx; dr++) {
        const row = rowAt[r + dr] * width;
        for (let dc = 0; dc < sizePx; dc++) window[n++] = image[row + colAt[c + dc]];
      }
      out[r * width + c] = select(window, count, count >> 1);
    }
  }
  return out;
}
