/**
 * Data for the demo benchmark: 16×16 single-channel images of sinusoidal stripes, horizontal
 * (class 0) or vertical (class 1), with random period, phase and contrast plus Gaussian noise.
 * Each image is min–max scaled to [0, 1], the same scaling `apply` uses on a user's images.
 */
import type { ArraySet } from '../../lib/harness/contract';
import { Rng, itemSeed } from '../../lib/engine/random';

export const IMAGE_SIZE = 16;
export const CLASS_NAMES = ['horizontal', 'vertical'] as const;

/** Disjoint item-index ranges, so training, validation and test images never coincide. */
export const SPLIT_OFFSET = { train: 0, validation: 1_000_000, test: 2_000_000 } as const;
export type Split = keyof typeof SPLIT_OFFSET;

/** Scales `image` in place to [0, 1]; a constant image becomes all zeros. */
export function minMaxScale(image: Float32Array): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of image) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  for (let i = 0; i < image.length; i++) image[i] = span > 0 ? (image[i] - lo) / span : 0;
  return image;
}

/** One image: I(y, x) = c·sin(2π·u/T + φ) + noise, with u = y (horizontal stripes) or x (vertical). */
export function stripeImage(seed: number, label: number, noiseStd: number): Float32Array {
  const rng = new Rng(seed);
  const periodPx = rng.uniform(3, 8);
  const phase = rng.uniform(0, 2 * Math.PI);
  const contrast = rng.uniform(0.5, 1);
  const image = new Float32Array(IMAGE_SIZE * IMAGE_SIZE);
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const u = label === 0 ? y : x;
      image[y * IMAGE_SIZE + x] = contrast * Math.sin((2 * Math.PI * u) / periodPx + phase) + rng.normal(0, noiseStd);
    }
  }
  return minMaxScale(image);
}

/** `count` labelled images: images [count, 16, 16, 1] float32, labels [count] int32. */
export function makeStripes(count: number, noiseStd: number, seed: number, split: Split): ArraySet {
  const images = new Float32Array(count * IMAGE_SIZE * IMAGE_SIZE);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const s = itemSeed(seed, SPLIT_OFFSET[split] + i);
    labels[i] = s & 1;
    images.set(stripeImage(s, labels[i], noiseStd), i * IMAGE_SIZE * IMAGE_SIZE);
  }
  return {
    images: { data: images, shape: [count, IMAGE_SIZE, IMAGE_SIZE, 1] },
    labels: { data: labels, shape: [count] },
  };
}
