/**
 * Preprocessing exactly as the reference's `utils.load_images` (seed-systems §5.2):
 *   1. float32;
 *   2. min–max normalisation over the whole frame, x' = (x − min) / (max − min), NaN → 0;
 *   3. crop rows top:top+200, columns left:left+200 (reference 150:350, 270:470);
 *   4. a channel axis → 200×200×1 (implicit here: arrays are stored H×W and given the axis as tensors).
 * Optionally the crop is then block-averaged by an integer factor to a smaller model input.
 *
 * One deliberate difference: min and max skip non-finite pixels. In numpy one NaN makes min and max
 * NaN and the whole frame becomes 0; here only the bad pixels do.
 */
import { CROP_LEFT, CROP_SIZE, CROP_TOP } from './generator';

export interface CropWindow {
  top: number;
  left: number;
}

export const REFERENCE_CROP: CropWindow = { top: CROP_TOP, left: CROP_LEFT };

/** Throws a readable error unless the CROP_SIZE window lies inside a height × width image. */
export function checkCropWindow(height: number, width: number, crop: CropWindow, what = 'the image'): void {
  const { top, left } = crop;
  const fits =
    Number.isInteger(top) && Number.isInteger(left) && top >= 0 && left >= 0 &&
    top + CROP_SIZE <= height && left + CROP_SIZE <= width;
  if (fits) return;
  const range =
    height >= CROP_SIZE && width >= CROP_SIZE
      ? ` Choose crop_top in 0…${height - CROP_SIZE} and crop_left in 0…${width - CROP_SIZE}` +
        ` (an image already cropped to ${CROP_SIZE}×${CROP_SIZE} needs crop_top = crop_left = 0).`
      : ` The image must be at least ${CROP_SIZE}×${CROP_SIZE} pixels.`;
  throw new Error(
    `The ${CROP_SIZE}×${CROP_SIZE} crop window (rows ${top}:${top + CROP_SIZE}, columns ${left}:${left + CROP_SIZE}) ` +
      `falls outside ${what} (${height}×${width}).${range}`,
  );
}

/**
 * Whole-frame min–max normalisation followed by the crop; `frame` is one height × width image
 * (any numeric type, read from `offset`). Returns CROP_SIZE × CROP_SIZE float32 values.
 */
export function normalizeAndCrop(
  frame: ArrayLike<number>,
  height: number,
  width: number,
  crop: CropWindow = REFERENCE_CROP,
  offset = 0,
): Float32Array {
  checkCropWindow(height, width, crop);
  let min = Infinity;
  let max = -Infinity;
  const n = height * width;
  for (let i = 0; i < n; i++) {
    const v = frame[offset + i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  const out = new Float32Array(CROP_SIZE * CROP_SIZE);
  // A constant (or all non-finite) frame gives 0/0 = NaN in the reference, then 0.
  if (!(range > 0)) return out;
  for (let r = 0; r < CROP_SIZE; r++) {
    const rowStart = offset + (crop.top + r) * width + crop.left;
    for (let c = 0; c < CROP_SIZE; c++) {
      const v = frame[rowStart + c];
      out[r * CROP_SIZE + c] = Number.isFinite(v) ? (v - min) / range : 0;
    }
  }
  return out;
}

/** Mean over factor × factor blocks of a size × size image (size divisible by factor). */
export function downsampleMean(image: Float32Array, size: number, factor: number): Float32Array {
  if (factor === 1) return image;
  if (!Number.isInteger(factor) || factor < 1 || size % factor !== 0) {
    throw new Error(`Cannot downsample a ${size}×${size} image by ${factor}: the factor must divide ${size}.`);
  }
  const out = size / factor;
  const result = new Float32Array(out * out);
  const scale = 1 / (factor * factor);
  for (let r = 0; r < size; r++) {
    const outRow = Math.floor(r / factor) * out;
    for (let c = 0; c < size; c++) result[outRow + Math.floor(c / factor)] += image[r * size + c];
  }
  for (let i = 0; i < result.length; i++) result[i] *= scale;
  return result;
}

/** Max over factor × factor blocks of a 0/1 mask: a model pixel is damaged if any of its source pixels is. */
export function downsampleMask(mask: Uint8Array, size: number, factor: number): Uint8Array {
  if (factor === 1) return mask;
  const out = size / factor;
  const result = new Uint8Array(out * out);
  for (let r = 0; r < size; r++) {
    const outRow = Math.floor(r / factor) * out;
    for (let c = 0; c < size; c++) if (mask[r * size + c]) result[outRow + Math.floor(c / factor)] = 1;
  }
  return result;
}

/** A whole frame shrunk for display, with the scale that maps frame pixels onto it. */
export interface FrameOverview {
  data: Float32Array;
  height: number;
  width: number;
  /** Frame pixels per overview pixel (an integer block size). */
  factor: number;
}

/**
 * Block means of one frame (read from `offset`) with the block size chosen so the longer side
 * is at most `maxSide` pixels; non-finite pixels are left out of their block's mean. Used to show
 * where the crop window sits on a user's frame.
 */
export function frameOverview(frame: ArrayLike<number>, height: number, width: number, maxSide: number, offset = 0): FrameOverview {
  const factor = Math.max(1, Math.ceil(Math.max(height, width) / maxSide));
  const outHeight = Math.ceil(height / factor);
  const outWidth = Math.ceil(width / factor);
  const sums = new Float64Array(outHeight * outWidth);
  const counts = new Uint32Array(outHeight * outWidth);
  for (let r = 0; r < height; r++) {
    const outRow = Math.floor(r / factor) * outWidth;
    for (let c = 0; c < width; c++) {
      const v = frame[offset + r * width + c];
      if (!Number.isFinite(v)) continue;
      const k = outRow + Math.floor(c / factor);
      sums[k] += v;
      counts[k]++;
    }
  }
  const data = Float32Array.from(sums, (s, k) => (counts[k] ? s / counts[k] : 0));
  return { data, height: outHeight, width: outWidth, factor };
}
