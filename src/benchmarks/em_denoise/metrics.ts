/**
 * Image quality metrics against the clean reference. Intensities are on the clean images' [0, 1]
 * scale, so the PSNR peak is 1.0 (not the 255 of the SciML-Bench reference).
 */

/** Mean squared error between two equally long images. */
export function mse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum / a.length;
}

/** Peak signal-to-noise ratio in dB: PSNR = 10·log10(peak² / MSE); +∞ for identical images. */
export function psnr(meanSquaredError: number, peak = 1): number {
  return 10 * Math.log10((peak * peak) / meanSquaredError);
}

export interface SsimOptions {
  /** Dynamic range L of the data (skimage's data_range). */
  dataRange: number;
  /** Side of the square uniform window (odd, ≥ 3). */
  windowSize?: number;
}

/**
 * Mean structural similarity (Wang et al. 2004, IEEE TIP 13:600, eq. 13) with skimage's
 * structural_similarity defaults: a 7×7 uniform window, K1 = 0.01, K2 = 0.03, sample
 * (N−1 normalised) variances and covariance, and the mean over pixels at least (win−1)/2 from
 * the border (where the window lies fully inside the image, so no padding is involved):
 *   SSIM = (2·μx·μy + C1)(2·σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)),  C1 = (K1·L)², C2 = (K2·L)².
 */
export function ssim(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  height: number,
  width: number,
  { dataRange, windowSize = 7 }: SsimOptions,
): number {
  if (height < windowSize || width < windowSize) throw new Error(`SSIM needs images of at least ${windowSize} px`);
  const c1 = (0.01 * dataRange) ** 2;
  const c2 = (0.03 * dataRange) ** 2;
  const np = windowSize * windowSize;
  const covNorm = np / (np - 1);
  // Summed-area tables (one row and column of zeros in front) of x, y, x², y², xy.
  const w1 = width + 1;
  const tables = Array.from({ length: 5 }, () => new Float64Array((height + 1) * w1));
  const [sx, sy, sxx, syy, sxy] = tables;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const xv = x[r * width + c];
      const yv = y[r * width + c];
      const at = (r + 1) * w1 + c + 1;
      const accumulate = (s: Float64Array, v: number) => (s[at] = v + s[at - 1] + s[at - w1] - s[at - w1 - 1]);
      accumulate(sx, xv);
      accumulate(sy, yv);
      accumulate(sxx, xv * xv);
      accumulate(syy, yv * yv);
      accumulate(sxy, xv * yv);
    }
  }
  const windowMean = (s: Float64Array, r0: number, c0: number) =>
    (s[(r0 + windowSize) * w1 + c0 + windowSize] - s[r0 * w1 + c0 + windowSize] - s[(r0 + windowSize) * w1 + c0] + s[r0 * w1 + c0]) /
    np;
  let total = 0;
  let count = 0;
  for (let r0 = 0; r0 + windowSize <= height; r0++) {
    for (let c0 = 0; c0 + windowSize <= width; c0++) {
      const ux = windowMean(sx, r0, c0);
      const uy = windowMean(sy, r0, c0);
      const vx = covNorm * (windowMean(sxx, r0, c0) - ux * ux);
      const vy = covNorm * (windowMean(syy, r0, c0) - uy * uy);
      const vxy = covNorm * (windowMean(sxy, r0, c0) - ux * uy);
      total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
      count++;
    }
  }
  return total / count;
}

/** Per-image MSE, PSNR (peak 1) and SSIM (data range 1) of a stack of predictions against the clean stack. */
export interface ImageScores {
  mse: Float64Array;
  psnr: Float64Array;
  ssim: Float64Array;
}

export function scoreImages(pred: Float32Array, clean: Float32Array, count: number, height: number, width: number): ImageScores {
  const per = height * width;
  const scores: ImageScores = {
    mse: new Float64Array(count),
    psnr: new Float64Array(count),
    ssim: new Float64Array(count),
  };
  for (let i = 0; i < count; i++) {
    const p = pred.subarray(i * per, (i + 1) * per);
    const c = clean.subarray(i * per, (i + 1) * per);
    scores.mse[i] = mse(p, c);
    scores.psnr[i] = psnr(scores.mse[i], 1);
    scores.ssim[i] = ssim(p, c, height, width, { dataRange: 1 });
  }
  return scores;
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}
