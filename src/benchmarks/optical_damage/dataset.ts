/**
 * The optical_damage_ds1 stand-in: generated frames, preprocessed as the reference (whole-frame
 * min–max, crop 150:350 × 270:470) and kept as 200×200 crops, which is all the model ever sees.
 *
 * Folder semantics as in the reference: training/undamaged, validation/undamaged, and an inference
 * set of damaged (label 1, first, as the reference concatenates them) then undamaged (label 0)
 * images. Every image has its own seed, so image i is the same whatever the set size or split.
 */
import type { ArraySet, DatasetCache, ProgressReport } from '../../lib/harness/contract';
import { Rng, itemSeed } from '../../lib/engine/random';
import { CROP_SIZE, FRAME_HEIGHT, FRAME_WIDTH, renderFrame } from './generator';
import { normalizeAndCrop } from './preprocess';

const CROP_PIXELS = CROP_SIZE * CROP_SIZE;
/** Distinct streams for the three sets. */
const SET_SALT = { training: 1, validation: 2, inference: 3 } as const;
const GENERATOR_VERSION = 1;

export interface GenerationHooks {
  signal?: AbortSignal;
  /** Called every few images with the fraction of this set done. */
  progress?(report: ProgressReport): void;
}

export interface CropSet {
  /** n × 200 × 200 preprocessed crops. */
  images: Float32Array;
  /** n × 200 × 200 ground-truth defect masks (zero for undamaged images). */
  masks: Uint8Array;
  /** 1 = damaged. */
  labels: Uint8Array;
}

/** Renders and preprocesses `count` frames, the first `damagedCount` of them damaged. */
export async function generateCrops(
  seed: number,
  set: keyof typeof SET_SALT,
  count: number,
  damagedCount: number,
  hooks: GenerationHooks = {},
): Promise<CropSet> {
  const images = new Float32Array(count * CROP_PIXELS);
  const masks = new Uint8Array(count * CROP_PIXELS);
  const labels = new Uint8Array(count);
  const setSeed = itemSeed(seed, SET_SALT[set]);
  for (let i = 0; i < count; i++) {
    if (i % 8 === 0) {
      if (hooks.signal?.aborted) throw new DOMException('stopped by the user', 'AbortError');
      hooks.progress?.({ fraction: i / count, label: `generating ${set} frames ${i}/${count}` });
      // Let the worker see the stop button's message between chunks.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const damaged = i < damagedCount;
    const frame = renderFrame(new Rng(itemSeed(setSeed, i)), damaged);
    images.set(normalizeAndCrop(frame.data, FRAME_HEIGHT, FRAME_WIDTH), i * CROP_PIXELS);
    masks.set(frame.defectMask, i * CROP_PIXELS);
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
  seed: number,
  nTrain: number,
  nValidation: number,
  hooks: GenerationHooks = {},
): Promise<TrainingSets> {
  const key = `optical_damage/v${GENERATOR_VERSION}/training/seed=${seed}/train=${nTrain}/validation=${nValidation}`;
  const describe = `optical_damage: ${nTrain} training + ${nValidation} validation undamaged frames, crops 200×200`;
  const set: ArraySet = await cache.getOrCreate(key, describe, async () => {
    const scale = (a: number, b: number) => (r: ProgressReport) =>
      hooks.progress?.({ fraction: a + (b - a) * r.fraction, label: r.label });
    const split = nTrain / Math.max(1, nTrain + nValidation);
    const train = await generateCrops(seed, 'training', nTrain, 0, { ...hooks, progress: scale(0, split) });
    const validation = await generateCrops(seed, 'validation', nValidation, 0, { ...hooks, progress: scale(split, 1) });
    return {
      train: { data: train.images, shape: [nTrain, CROP_SIZE, CROP_SIZE] },
      validation: { data: validation.images, shape: [nValidation, CROP_SIZE, CROP_SIZE] },
    };
  });
  return { train: set.train.data as Float32Array, validation: set.validation.data as Float32Array };
}

/** The inference set: round(n · damagedFraction) damaged images first, then undamaged ones. */
export async function inferenceSet(
  cache: DatasetCache,
  seed: number,
  n: number,
  damagedFraction: number,
  hooks: GenerationHooks = {},
): Promise<CropSet> {
  const damaged = Math.round(n * damagedFraction);
  const key = `optical_damage/v${GENERATOR_VERSION}/inference/seed=${seed}/n=${n}/damaged=${damaged}`;
  const describe = `optical_damage: ${n} inference frames (${damaged} damaged), crops 200×200 with defect masks`;
  const set: ArraySet = await cache.getOrCreate(key, describe, async () => {
    const crops = await generateCrops(seed, 'inference', n, damaged, hooks);
    return {
      images: { data: crops.images, shape: [n, CROP_SIZE, CROP_SIZE] },
      masks: { data: crops.masks, shape: [n, CROP_SIZE, CROP_SIZE] },
      labels: { data: crops.labels, shape: [n] },
    };
  });
  return {
    images: set.images.data as Float32Array,
    masks: set.masks.data as Uint8Array,
    labels: set.labels.data as Uint8Array,
  };
}
