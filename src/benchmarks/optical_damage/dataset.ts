/**
 * The optical_damage_ds1 stand-in: generated frames, preprocessed as the reference (whole-frame
 * min–max, crop 150:350 × 270:470), block-averaged by the model's downsampling factor and kept
 * at that size (the 492×656 frames themselves are never stored: the model only sees the crop).
 *
 * Folder semantics as in the reference: training/undamaged, validation/undamaged, and an inference
 * set of damaged (label 1, first, as the reference concatenates them) then undamaged (label 0)
 * images. Every image has its own seed, so image i is the same whatever the set size or split.
 */
import type { ArraySet, DatasetCache, ProgressReport } from '../../lib/harness/contract';
import { Rng, itemSeed } from '../../lib/engine/random';
import { CROP_SIZE, FRAME_HEIGHT, FRAME_WIDTH, renderFrame } from './generator';
import { downsampleMask, downsampleMean, normalizeAndCrop } from './preprocess';
/** Distinct streams for the three sets. */
const SET_SALT = { training: 1, validation: 2, inference: 3 } as const;
const GENERATOR_VERSION = 2;

export interface GenerationHooks {
  signal?: AbortSignal;
  /** Called every few images with the fraction of this set done. */
  progress?(report: ProgressReport): void;
}

export interface CropSet {
  /** n × s × s preprocessed crops, s = 200 / downsample. */
  images: Float32Array;
  /** n × s × s ground-truth defect masks (a pixel is damaged if any pixel of its block is; zero for undamaged images). */
  masks: Uint8Array;
  /** 1 = damaged. */
  labels: Uint8Array;
}

/** The seed of image `index` of a set. */
export function frameSeed(seed: number, set: keyof typeof SET_SALT, index: number): number {
  return itemSeed(itemSeed(seed, SET_SALT[set]), index);
}

/** What every set of one dataset shares. */
export interface DatasetOptions {
  seed: number;
  /** Block-averaging factor of the 200×200 crop (the model input is 200/downsample square). */
  downsample: number;
  /** How many optics of the beam line the frames show (1…BEAM_LINE_OPTICS). */
  optics: number;
}

function describeOptions({ seed, downsample, optics }: DatasetOptions): string {
  return `seed=${seed}/optics=${optics}/downsample=${downsample}`;
}

/** Renders and preprocesses `count` frames, the first `damagedCount` of them damaged. */
export async function generateCrops(
  options: DatasetOptions,
  set: keyof typeof SET_SALT,
  count: number,
  damagedCount: number,
  hooks: GenerationHooks = {},
): Promise<CropSet> {
  const { seed, downsample, optics } = options;
  const pixels = (CROP_SIZE / downsample) ** 2;
  const images = new Float32Array(count * pixels);
  const masks = new Uint8Array(count * pixels);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    if (i % 8 === 0) {
      if (hooks.signal?.aborted) throw new DOMException('stopped by the user', 'AbortError');
      hooks.progress?.({ fraction: i / count, label: `generating ${set} frames ${i}/${count}` });
      // Let the worker see the stop button's message between chunks.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const damaged = i < damagedCount;
    const frame = renderFrame(new Rng(frameSeed(seed, set, i)), damaged, optics);
    const crop = normalizeAndCrop(frame.data, FRAME_HEIGHT, FRAME_WIDTH);
    images.set(downsampleMean(crop, CROP_SIZE, downsample), i * pixels);
    masks.set(downsampleMask(frame.defectMask, CROP_SIZE, downsample), i * pixels);
    labels[i] = damaged ? 1 : 0;
  }
  return { images, masks, labels };
}

export interface TrainingSets {
  train: Float32Array;
  validation: Float32Array;
}

/** Training and validation crops (undamaged only), cached by their generator parameters. */
export async function trainingSets(
  cache: DatasetCache,
  options: DatasetOptions,
  nTrain: number,
  nValidation: number,
  hooks: GenerationHooks = {},
): Promise<TrainingSets> {
  const size = CROP_SIZE / options.downsample;
  const key = `optical_damage/v${GENERATOR_VERSION}/training/${describeOptions(options)}/train=${nTrain}/validation=${nValidation}`;
  const describe =
    `optical_damage: ${nTrain} training + ${nValidation} validation undamaged frames of ${options.optics} optics, ` +
    `crops ${size}×${size}`;
  const set: ArraySet = await cache.getOrCreate(key, describe, async () => {
    const scale = (a: number, b: number) => (r: ProgressReport) =>
      hooks.progress?.({ fraction: a + (b - a) * r.fraction, label: r.label });
    const split = nTrain / Math.max(1, nTrain + nValidation);
    const train = await generateCrops(options, 'training', nTrain, 0, { ...hooks, progress: scale(0, split) });
    const validation = await generateCrops(options, 'validation', nValidation, 0, { ...hooks, progress: scale(split, 1) });
    return {
      train: { data: train.images, shape: [nTrain, size, size] },
      validation: { data: validation.images, shape: [nValidation, size, size] },
    };
  });
  return { train: set.train.data as Float32Array, validation: set.validation.data as Float32Array };
}

/** The inference set: round(n · damagedFraction) damaged images first, then undamaged ones. */
export async function inferenceSet(
  cache: DatasetCache,
  options: DatasetOptions,
  n: number,
  damagedFraction: number,
  hooks: GenerationHooks = {},
): Promise<CropSet> {
  const damaged = Math.round(n * damagedFraction);
  const size = CROP_SIZE / options.downsample;
  const key = `optical_damage/v${GENERATOR_VERSION}/inference/${describeOptions(options)}/n=${n}/damaged=${damaged}`;
  const describe =
    `optical_damage: ${n} inference frames of ${options.optics} optics (${damaged} damaged), ` +
    `crops ${size}×${size} with defect masks`;
  const set: ArraySet = await cache.getOrCreate(key, describe, async () => {
    const crops = await generateCrops(options, 'inference', n, damaged, hooks);
    return {
      images: { data: crops.images, shape: [n, size, size] },
      masks: { data: crops.masks, shape: [n, size, size] },
      labels: { data: crops.labels, shape: [n] },
    };
  });
  return {
    images: set.images.data as Float32Array,
    masks: set.masks.data as Uint8Array,
    labels: set.labels.data as Uint8Array,
  };
}
