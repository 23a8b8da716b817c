/**
 * Classical baselines beside the network, each a fixed pipeline on the mean-normalised noisy image
 * x = counts / mean(counts) (the network's input):
 *
 *   y = gain · F(x) / max(G_f(x), floor) + offset
 *
 * F is a Gaussian filter (σ) or a median filter (k × k), or the identity for the "noisy" reference;
 * the optional flat-field division by a wide Gaussian blur G_f of the input removes the slowly
 * varying beam profile (the network learns to remove it too); gain and offset map the result onto
 * the clean images' [0, 1] scale. The filter width, the flat-field width and the affine map are
 * calibrated on training images by least squares, so each baseline is the best of its kind that
 * the training data can pick, just as the network is.
 */
import { gaussianFilter, medianFilter } from './filters';

export type BaselineMethod = 'gaussian' | 'median' | 'noisy';

export interface BaselineSetting {
  method: BaselineMethod;
  /** Gaussian σ (px) or median window side (px); unused for 'noisy'. */
  width: number;
  /** σ (px) of the flat-field blur, or 0 for none. */
  flatFieldSigmaPx: number;
  gain: number;
  offset: number;
  /** Mean squared error on the calibration images. */
  calibrationMse: number;
}

export type BaselineCalibration = Record<BaselineMethod, BaselineSetting>;

const GAUSSIAN_SIGMAS_PX = [0.5, 0.75, 1, 1.5, 2, 3];
const MEDIAN_SIZES_PX = [3, 5, 7];
const FLAT_FIELD_SIGMAS_PX = [0, 4, 8, 16];
/** Lower bound of the flat-field divisor, in units of the image mean (beam tails carry no signal). */
const FLAT_FIELD_FLOOR = 0.05;

/** The filtered image before the affine map: F(x), divided by the flat field when asked. */
function filtered(
  x: Float32Array,
  height: number,
  width: number,
  method: BaselineMethod,
  filterWidth: number,
  flatField: Float32Array | null,
): Float32Array {
  const y =
    method === 'gaussian'
      ? gaussianFilter(x, height, width, filterWidth)
      : method === 'median'
        ? medianFilter(x, height, width, filterWidth)
        : Float32Array.from(x);
  if (flatField) for (let i = 0; i < y.length; i++) y[i] /= Math.max(flatField[i], FLAT_FIELD_FLOOR);
  return y;
}

/** Runs a calibrated baseline on one mean-normalised image. */
export function runBaseline(setting: BaselineSetting, x: Float32Array, height: number, width: number): Float32Array {
  const flatField = setting.flatFieldSigmaPx > 0 ? gaussianFilter(x, height, width, setting.flatFieldSigmaPx) : null;
  const y = filtered(x, height, width, setting.method, setting.width, flatField);
  for (let i = 0; i < y.length; i++) y[i] = setting.gain * y[i] + setting.offset;
  return y;
}

/** Least-squares gain and offset of clean ≈ gain·y + offset, and the resulting mean squared error. */
function fitAffine(ys: Float32Array[], cleans: Float32Array[]): { gain: number; offset: number; mse: number } {
  let n = 0;
  let sy = 0;
  let sc = 0;
  let syy = 0;
  let syc = 0;
  let scc = 0;
  ys.forEach((y, k) => {
    const c = cleans[k];
    for (let i = 0; i < y.length; i++) {
      n++;
      sy += y[i];
      sc += c[i];
      syy += y[i] * y[i];
      syc += y[i] * c[i];
      scc += c[i] * c[i];
    }
  });
  const varY = syy / n - (sy / n) ** 2;
  const covYC = syc / n - (sy / n) * (sc / n);
  const gain = varY > 0 ? covYC / varY : 0;
  const offset = sc / n - gain * (sy / n);
  // Residual of the least-squares line: Var(c) − Cov(y, c)²/Var(y).
  const varC = scc / n - (sc / n) ** 2;
  const mse = Math.max(0, varC - gain * covYC);
  return { gain, offset, mse };
}

/**
 * Picks, per method, the filter width and flat-field width with the lowest calibration MSE.
 * `inputs` are mean-normalised noisy images, `cleans` their clean references.
 */
export function calibrateBaselines(
  inputs: Float32Array[],
  cleans: Float32Array[],
  height: number,
  width: number,
): BaselineCalibration {
  const flatFields = new Map<number, (Float32Array | null)[]>(
    FLAT_FIELD_SIGMAS_PX.map((s) => [s, inputs.map((x) => (s > 0 ? gaussianFilter(x, height, width, s) : null))]),
  );
  const best = (method: BaselineMethod, widths: number[], flatSigmas: number[]): BaselineSetting => {
    let chosen: BaselineSetting | null = null;
    for (const filterWidth of widths) {
      for (const flatFieldSigmaPx of flatSigmas) {
        const fields = flatFields.get(flatFieldSigmaPx)!;
        const ys = inputs.map((x, k) => filtered(x, height, width, method, filterWidth, fields[k]));
        const { gain, offset, mse } = fitAffine(ys, cleans);
        if (!chosen || mse < chosen.calibrationMse) {
          chosen = { method, width: filterWidth, flatFieldSigmaPx, gain, offset, calibrationMse: mse };
        }
      }
    }
    return chosen!;
  };
  return {
    gaussian: best('gaussian', GAUSSIAN_SIGMAS_PX, FLAT_FIELD_SIGMAS_PX),
    median: best('median', MEDIAN_SIZES_PX, FLAT_FIELD_SIGMAS_PX),
    // The input itself, only intensity-matched: the score to beat at all.
    noisy: best('noisy', [0], [0]),
  };
}
