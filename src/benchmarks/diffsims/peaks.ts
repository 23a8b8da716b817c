/**
 * Peak finding by O'Haver's method, as HyperSpy's find_peaks1D_ohaver, which the reference
 * evaluator calls with slope_thresh = 0, amp_thresh = None (10 % of the profile maximum),
 * medfilt_radius = 3, maxpeakn = 25 and the default peakgroup = 10:
 *
 *  1. median-filter the profile (kernel 3, zero-padded ends) and take its gradient
 *     (central differences, one-sided at the ends);
 *  2. a peak is a downward zero crossing of the gradient, sign(d_j) > sign(d_{j+1}) with
 *     d_{j+1} ≠ 0, whose slope drop d_j − d_{j+1} exceeds slope_thresh and whose (unfiltered)
 *     height y_j exceeds amp_thresh;
 *  3. its sub-channel position is the vertex of a parabola least-squares fitted to log10|y| over
 *     the `peakGroup` channels j − 5 … j + 4 (channel 0 and channels past the end left out;
 *     zeros left out), on centred and scaled channel numbers;
 *  4. positions outside (0, n − 1) or NaN are dropped; when more than maxPeaks remain, the
 *     highest are kept (ties kept); results are sorted by position.
 *
 * Positions are converted to q by offset + position · scale, as the reference sets its axis
 * from offset = x[0] and scale = mean(diff(x)).
 */

export interface PeakOptions {
  slopeThreshold?: number;
  /** Absolute height threshold; default 10 % of the profile maximum. */
  amplitudeThreshold?: number;
  medianKernel?: number;
  maxPeaks?: number;
  peakGroup?: number;
}

export interface Peak {
  /** Fractional channel index. */
  channel: number;
  /** Position on the axis: offset + channel · scale. */
  position: number;
  height: number;
}

/** Median filter with an odd kernel, zero-padded at the ends (scipy.signal.medfilt). */
export function medianFilter(y: ArrayLike<number>, kernel: number): Float64Array {
  const half = Math.floor(kernel / 2);
  const out = new Float64Array(y.length);
  const window = new Array<number>(kernel);
  for (let i = 0; i < y.length; i++) {
    for (let k = -half; k <= half; k++) {
      const j = i + k;
      window[k + half] = j >= 0 && j < y.length ? y[j] : 0;
    }
    window.sort((a, b) => a - b);
    out[i] = window[half];
  }
  return out;
}

/** numpy.gradient with unit spacing. */
export function gradient(y: ArrayLike<number>): Float64Array {
  const n = y.length;
  const out = new Float64Array(n);
  if (n < 2) return out;
  out[0] = y[1] - y[0];
  out[n - 1] = y[n - 1] - y[n - 2];
  for (let i = 1; i < n - 1; i++) out[i] = (y[i + 1] - y[i - 1]) / 2;
  return out;
}

/** Least-squares parabola c0 + c1 t + c2 t² through (t, v); returns [c0, c1, c2] or null. */
function fitParabola(t: readonly number[], v: readonly number[]): [number, number, number] | null {
  // Normal equations: Σ t^(i+j) c_j = Σ t^i v.
  const s = new Array<number>(5).fill(0);
  const r = [0, 0, 0];
  for (let i = 0; i < t.length; i++) {
    let p = 1;
    for (let k = 0; k < 5; k++) {
      s[k] += p;
      if (k < 3) r[k] += p * v[i];
      p *= t[i];
    }
  }
  const m = [
    [s[0], s[1], s[2]],
    [s[1], s[2], s[3]],
    [s[2], s[3], s[4]],
  ];
  const det = (a: number[][]) =>
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
    a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
    a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const d = det(m);
  if (!(Math.abs(d) > 1e-12)) return null;
  const solve = (col: number) => det(m.map((row, i) => row.map((x, j) => (j === col ? r[i] : x)))) / d;
  return [solve(0), solve(1), solve(2)];
}

/** O'Haver peak finding on y; positions mapped with offset + channel · scale. */
export function findPeaksOhaver(y: ArrayLike<number>, offset = 0, scale = 1, opts: PeakOptions = {}): Peak[] {
  const n = y.length;
  if (n < 5) return [];
  const slopeThreshold = opts.slopeThreshold ?? 0;
  let yMax = -Infinity;
  for (let i = 0; i < n; i++) yMax = Math.max(yMax, y[i]);
  const amplitudeThreshold = opts.amplitudeThreshold ?? 0.1 * yMax;
  const maxPeaks = opts.maxPeaks ?? 25;
  const peakGroup = opts.peakGroup ?? 10;
  const d = gradient(medianFilter(y, opts.medianKernel ?? 3));
  const back = Math.round(peakGroup / 2 + 1);

  let peaks: Peak[] = [];
  for (let j = 0; j < n - 4; j++) {
    if (!(Math.sign(d[j]) > Math.sign(d[j + 1])) || Math.sign(d[j + 1]) === 0) continue;
    if (!(d[j] - d[j + 1] > slopeThreshold) || !(y[j] > amplitudeThreshold)) continue;
    const xs: number[] = [];
    const vs: number[] = [];
    for (let k = 0; k < peakGroup; k++) {
      const idx = j + k - back + 1;
      if (idx < 1 || idx > n - 1) continue;
      xs.push(idx);
      vs.push(y[idx]);
    }
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    const t: number[] = [];
    const logv: number[] = [];
    xs.forEach((x, i) => {
      if (vs[i] !== 0) {
        t.push((x - mean) / std);
        logv.push(Math.log10(Math.abs(vs[i])));
      }
    });
    const coef = t.length >= 3 ? fitParabola(t, logv) : null;
    if (!coef) continue;
    const [c0, c1, c2] = coef;
    const channel = mean - (std * c1) / (2 * c2);
    if (!Number.isFinite(channel) || !(channel > 0 && channel < n - 1)) continue;
    const height = Math.pow(10, c0 - (c1 * c1) / (4 * c2));
    peaks.push({ channel, position: offset + channel * scale, height });
  }
  if (peaks.length > maxPeaks) {
    const minHeight = [...peaks].map((p) => p.height).sort((a, b) => b - a)[maxPeaks - 1];
    peaks = peaks.filter((p) => p.height >= minHeight);
  }
  return peaks.sort((a, b) => a.channel - b.channel);
}
