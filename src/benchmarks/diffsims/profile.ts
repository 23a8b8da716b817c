/**
 * The radial-profile conventions of ml_difsims: the 256-bin azimuthal-integration axis, the crop to
 * 147 points, min–max normalisation, the exponential background and interpolation onto the axis.
 */

/** Reference detector calibration, Å⁻¹ per pixel (1/d convention). */
export const CALIBRATION = 0.00588;
/** Number of bins of the reference azimuthal integration. */
export const RADIAL_BINS = 256;
/** First and last (inclusive) bins kept by the reference "px" crop. */
export const CROP_START = 13;
export const CROP_END = 159;
export const PROFILE_LENGTH = CROP_END - CROP_START + 1; // 147
/** Ends of the cropped axis, as the reference interpolates experimental data onto it. */
export const Q_FIRST = 0.10777668889613681;
export const Q_LAST = 1.318191810345058;
/** Bin spacing of the full axis, Å⁻¹: q_i = i · Q_STEP (≈ 0.0082905). */
export const Q_STEP = Q_LAST / CROP_END;

/** The full 256-point q axis of the integration (Å⁻¹), bin centres q_i = i·Q_STEP. */
export function fullQAxis(): Float64Array {
  return Float64Array.from({ length: RADIAL_BINS }, (_, i) => i * Q_STEP);
}

/** The 147-point model axis: linspace(Q_FIRST, Q_LAST, 147), the crop of the full axis. */
export function profileQAxis(): Float64Array {
  const step = (Q_LAST - Q_FIRST) / (PROFILE_LENGTH - 1);
  return Float64Array.from({ length: PROFILE_LENGTH }, (_, i) => Q_FIRST + i * step);
}

/**
 * Min–max normalises `values[offset .. offset+length)` in place to [0, 1]. A constant (or
 * non-finite) segment becomes all zeros, as the reference's NaN → 0.
 */
export function minMaxNormalize(values: Float32Array | Float64Array, offset = 0, length = values.length - offset): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = offset; i < offset + length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo;
  for (let i = offset; i < offset + length; i++) {
    const v = range > 0 && Number.isFinite(range) ? (values[i] - lo) / range : 0;
    values[i] = Number.isFinite(v) ? v : 0;
  }
}

/**
 * Divides `values[offset .. offset+length)` in place by its maximum, as the reference does
 * (`data / data.max(-1)`, NaN → 0): the profile keeps its floor. A segment whose maximum is not
 * positive and finite becomes all zeros.
 */
export function maxNormalize(values: Float32Array | Float64Array, offset = 0, length = values.length - offset): void {
  let hi = -Infinity;
  for (let i = offset; i < offset + length; i++) if (values[i] > hi) hi = values[i];
  const ok = hi > 0 && Number.isFinite(hi);
  for (let i = offset; i < offset + length; i++) {
    const v = ok ? values[i] / hi : 0;
    values[i] = Number.isFinite(v) ? v : 0;
  }
}

/**
 * Linear interpolation of (xs, ys) at the points xq, extrapolating linearly past both ends
 * (scipy interp1d(fill_value='extrapolate'), as the reference's experimental preprocessing).
 * xs must be strictly increasing.
 */
export function interpolateLinear(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  xq: ArrayLike<number>,
  out: Float32Array | Float64Array = new Float64Array(xq.length),
): Float32Array | Float64Array {
  const n = xs.length;
  let j = 0;
  for (let i = 0; i < xq.length; i++) {
    const x = xq[i];
    while (j < n - 2 && x > xs[j + 1]) j++;
    while (j > 0 && x < xs[j]) j--;
    const t = (x - xs[j]) / (xs[j + 1] - xs[j]);
    out[i] = ys[j] + t * (ys[j + 1] - ys[j]);
  }
  return out;
}

/** Area (px²) of the disc of radius r centred in the square [−h, h]², for counting ring pixels. */
export function discSquareArea(r: number, h: number): number {
  if (r <= 0) return 0;
  if (r <= h) return Math.PI * r * r;
  if (r >= h * Math.SQRT2) return 4 * h * h;
  // Disc minus the four circular segments beyond the square's sides.
  const segment = r * r * Math.acos(h / r) - h * Math.sqrt(r * r - h * h);
  return Math.PI * r * r - 4 * segment;
}
