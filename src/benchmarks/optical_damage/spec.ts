/**
 * optical_damage (SciML-Bench): unsupervised damage detection in laser-optic diagnostic images.
 * An autoencoder trained only on undamaged optics reconstructs them well and damaged ones badly;
 * damage shows as high reconstruction error. See seed-systems §5 and the module docstrings:
 * generator.ts (synthetic frames), preprocess.ts (reference preprocessing), model.ts (the reference
 * autoencoder and its memory estimate), anomaly.ts (scores, thresholds and metrics).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { QualityCheck } from '../registry';
import {
  defineBenchmark,
  type ApplyInput,
  type ApplyResult,
  type Artifacts,
  type NDArray,
  type NumericArray,
  type ParamValues,
  type RunContext,
  type TrainedModel,
} from '../../lib/harness/contract';
import { adam } from '../../lib/engine/optimizer';
import { fitModel, predictBatched } from '../../lib/engine/train';
import { Rng } from '../../lib/engine/random';
import type { DataPreview, PreviewImage } from '../../lib/harness/preview';
import {
  accuracy,
  averagePrecision,
  calibrateThreshold,
  confusion,
  f1,
  imageScores,
  percentileSorted,
  percentileSweep,
  prCurve,
  rocAuc,
  rocCurve,
  SCORE_KINDS,
  sortedCopy,
  squaredErrors,
  verdicts,
  type ImageScores,
} from './anomaly';
import { frameSeed, inferenceSet, trainingSets } from './dataset';
import { BEAM_LINE_OPTICS, CROP_SIZE, DEFECT_KINDS, FRAME_HEIGHT, FRAME_WIDTH, MAX_DEFECT_FRACTION, renderFrame } from './generator';
import { buildAutoencoder, checkDeviceLimits, estimateModel, mib, recalibrateBatchNorm, type ModelEstimate } from './model';
import { checkCropWindow, downsampleMean, frameOverview, normalizeAndCrop, REFERENCE_CROP } from './preprocess';

const BENCHMARK_ID = 'optical_damage';
/** The reference's pooled pixel percentiles; the last is the headline. */
export const REFERENCE_PERCENTILES = [99.0, 99.5, 99.9] as const;
/** Percentiles for the accuracy/F1-vs-percentile panel. */
export const SWEEP_PERCENTILES = [95, 96, 97, 98, 99, 99.5, 99.7, 99.8, 99.9, 99.95, 99.99] as const;
const EXAMPLES_PER_CLASS = 3;
const GALLERY_SIZE = 6;
const APPLY_PREVIEWS = 6;
/** Longer side of the frame overview that shows the crop window, pixels. */
const OVERVIEW_SIDE = 328;

export const DOWNSAMPLE_OPTIONS = ['1', '2', '5', '10'] as const;
export const THRESHOLD_OPTIONS = ['validation', 'p99.9', 'p99.5', 'p99.0', 'custom'] as const;

const params = {
  latent_size: {
    group: 'model',
    kind: 'int',
    default: 16,
    min: 1,
    max: 4096,
    label: 'latent size L',
    help: 'Width of the dense bottleneck (reference 512: 41.1 M parameters at full resolution; parameters ≈ 2·16·(s/4)²·L).',
    modes: ['training'],
  },
  downsample: {
    group: 'model',
    kind: 'enum',
    default: '5',
    options: DOWNSAMPLE_OPTIONS,
    help: 'Block-average the 200×200 crop by this factor before the model (1 = reference resolution; 5 → 40×40).',
    modes: ['training'],
  },
  epochs: { group: 'train', kind: 'int', default: 4, min: 1, max: 500, help: 'Training epochs (reference 5).', modes: ['training'] },
  batch_size: { group: 'train', kind: 'int', default: 8, min: 1, max: 1024, help: 'Training batch size (reference 32; 8 gives a small set more steps).', modes: ['training'] },
  lr: { group: 'train', kind: 'number', default: 1e-3, min: 1e-6, max: 1, help: 'Adam learning rate (reference 1e-3).', modes: ['training'] },
  n_optics: {
    group: 'data',
    kind: 'int',
    default: 1,
    min: 1,
    max: BEAM_LINE_OPTICS,
    label: 'optics',
    help: `How many of the beam line's ${BEAM_LINE_OPTICS} optics the frames show (1 = one camera, one model).`,
    modes: ['training'],
  },
  n_train: {
    group: 'data',
    kind: 'int',
    default: 128,
    min: 1,
    max: 20000,
    help: 'Undamaged training frames to generate (reference 10,533).',
    modes: ['training'],
  },
  n_validation: {
    group: 'data',
    kind: 'int',
    default: 32,
    min: 2,
    max: 5000,
    help: 'Undamaged validation frames (reference 1,476); they also calibrate the deployable threshold.',
    modes: ['training'],
  },
  n_inference: {
    group: 'data',
    kind: 'int',
    default: 256,
    min: 2,
    max: 20000,
    help: 'Inference frames to generate, damaged and undamaged (reference 6,546).',
    modes: ['inference'],
  },
  damaged_fraction: {
    group: 'data',
    kind: 'number',
    default: 0.31,
    min: 0,
    max: 1,
    help: 'Share of damaged frames in the inference set (reference 2,047 of 6,546 ≈ 0.31 per its code comment).',
    modes: ['inference'],
  },
  inference_batch_size: {
    group: 'evaluate',
    kind: 'int',
    default: 64,
    min: 1,
    max: 1024,
    help: 'Images per prediction batch (reference 64).',
    modes: ['inference'],
  },
  calibration_fpr: {
    group: 'evaluate',
    kind: 'number',
    default: 0.01,
    min: 0,
    max: 0.5,
    label: 'validation false-positive rate',
    help: 'Deployable threshold: the image score that flags this fraction of the (undamaged) validation images.',
  },
  threshold: {
    group: 'evaluate',
    kind: 'enum',
    default: 'validation',
    options: THRESHOLD_OPTIONS,
    help: 'Threshold for verdicts, masks and galleries: validation-calibrated, a pooled pixel percentile of the judged images (reference), or custom.',
    modes: ['inference'],
  },
  custom_threshold: {
    group: 'evaluate',
    kind: 'number',
    default: 0.01,
    min: 0,
    help: "Squared-error threshold used when threshold = 'custom'.",
    modes: ['inference'],
  },
  crop_top: {
    group: 'apply',
    kind: 'int',
    default: REFERENCE_CROP.top,
    min: 0,
    help: 'Apply to my data: first row of the 200×200 crop window (reference 150).',
    modes: ['inference'],
  },
  crop_left: {
    group: 'apply',
    kind: 'int',
    default: REFERENCE_CROP.left,
    min: 0,
    help: 'Apply to my data: first column of the 200×200 crop window (reference 270).',
    modes: ['inference'],
  },
} as const;

export type OpticalDamageParams = ParamValues<typeof params>;

/** A small fixed budget for `npm run bench`. */
export const benchParams = {
  downsample: '10',
  latent_size: 32,
  epochs: 2,
  n_train: 64,
  n_validation: 16,
  n_inference: 64,
} satisfies Partial<OpticalDamageParams>;

/** Reported after the default budget: separation of damaged from undamaged frames, and its cost. */
export const qualityBar: readonly QualityCheck[] = [
  { mode: 'inference', metric: 'roc_auc', label: 'ROC-AUC (max-pixel image score)', atLeast: 0.8 },
  { mode: 'inference', metric: 'f1_validation_threshold', label: 'F1 at the validation-calibrated threshold' },
  { mode: 'inference', metric: 'pr_auc', label: 'PR-AUC' },
  { mode: 'training', metric: 'time', label: 'training time incl. data generation, s' },
];

/** Metadata saved beside the weights. */
export interface OpticalDamageModelInfo {
  inputSize: number;
  downsample: number;
  latentSize: number;
  /** The optics of the beam line the model was trained on; inference shows it the same ones. */
  optics: number;
  params: number;
  /** Image scores of the validation images, for the deployable threshold. */
  validationScores: Record<(typeof SCORE_KINDS)[number], number[]>;
  validationMse: number;
}

/** Model input side for a downsampling factor of the 200×200 crop. */
export function inputSizeFor(downsample: number): number {
  const size = CROP_SIZE / downsample;
  if (!Number.isInteger(size) || size % 4 !== 0) {
    throw new Error(`downsample must divide ${CROP_SIZE} into a side divisible by 4 (${DOWNSAMPLE_OPTIONS.join(', ')}); got ${downsample}.`);
  }
  return size;
}

/** Parameter count and memory estimate of a parameter set, before anything is built. */
export function estimateFor(p: OpticalDamageParams): ModelEstimate {
  return estimateModel({
    inputSize: inputSizeFor(Number(p.downsample)),
    latentSize: p.latent_size,
    batchSize: p.batch_size,
    inferenceBatchSize: p.inference_batch_size,
    trainImages: p.n_train,
    validationImages: p.n_validation,
    inferenceImages: p.n_inference,
  });
}

function describeEstimate(e: ModelEstimate): string {
  return (
    `${e.params.toLocaleString('en-US')} trainable parameters, weights ${mib(e.bytesWeights)}, ` +
    `training peak ≈ ${mib(e.bytesTrainingPeak)}, largest tensor ${mib(e.largestBufferBytes)} (${e.largestBufferName})`
  );
}

/** The trained model's input side and downsampling factor, from its input layer. */
function modelGeometry(model: tfType.LayersModel): { inputSize: number; downsample: number } {
  const inputSize = model.inputs[0].shape[1];
  if (typeof inputSize !== 'number' || CROP_SIZE % inputSize !== 0) {
    throw new Error(`This model's input (${String(inputSize)}) is not a downsampled ${CROP_SIZE}×${CROP_SIZE} crop.`);
  }
  return { inputSize, downsample: CROP_SIZE / inputSize };
}

function toTensor(tf: RunContext['tf'], images: Float32Array, size: number): tfType.Tensor4D {
  return tf.tensor4d(images, [images.length / (size * size), size, size, 1]);
}

/** Reconstructs images (n × size²) in batches; returns reconstructions and the prediction time in seconds. */
async function reconstruct(
  ctx: RunContext,
  model: tfType.LayersModel,
  images: Float32Array,
  size: number,
  batchSize: number,
): Promise<{ reconstructions: Float32Array; seconds: number }> {
  const x = toTensor(ctx.tf, images, size);
  try {
    const start = performance.now();
    // Fewer images than a batch: one call of their own size (padding would only cost time).
    const batch = Math.min(batchSize, x.shape[0]);
    const reconstructions = await predictBatched(ctx.tf, model, x, batch, ctx.signal);
    return { reconstructions, seconds: (performance.now() - start) / 1000 };
  } finally {
    x.dispose();
  }
}

function toPlainScores(scores: ImageScores): OpticalDamageModelInfo['validationScores'] {
  return { max: Array.from(scores.max), p999: Array.from(scores.p999), mean: Array.from(scores.mean) };
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

function validationInfo(model: TrainedModel): OpticalDamageModelInfo['validationScores'] | undefined {
  const info = model.info as Partial<OpticalDamageModelInfo>;
  return info.validationScores?.max?.length ? info.validationScores : undefined;
}

/** One image's panel views: input, reconstruction, error heat map and thresholded mask. */
function imageViews(
  index: number,
  pixels: number,
  images: Float32Array,
  reconstructions: Float32Array,
  errors: Float32Array,
  threshold: number,
) {
  const span = [index * pixels, (index + 1) * pixels] as const;
  const error = errors.slice(...span);
  const mask = new Uint8Array(pixels);
  for (let k = 0; k < pixels; k++) mask[k] = error[k] > threshold ? 1 : 0;
  return { index, input: images.slice(...span), reconstruction: reconstructions.slice(...span), error, mask };
}

/** The Data cell: a raw frame of a damaged optic, its crop, mask and model input, and an undamaged crop. */
async function preview(ctx: RunContext, p: OpticalDamageParams): Promise<Artifacts> {
  const downsample = Number(p.downsample);
  const size = inputSizeFor(downsample);
  const damaged = renderFrame(new Rng(frameSeed(ctx.seed, 'inference', 0)), true, p.n_optics);
  const clean = renderFrame(new Rng(frameSeed(ctx.seed, 'training', 0)), false, p.n_optics);
  const damagedCrop = normalizeAndCrop(damaged.data, FRAME_HEIGHT, FRAME_WIDTH);
  const image = (title: string, data: Float32Array, height = CROP_SIZE, width = CROP_SIZE): PreviewImage => ({
    title,
    data,
    height,
    width,
    colormap: 'greys',
  });
  const estimate = estimateFor(p);
  const preview: DataPreview = {
    images: [
      image(`damaged frame of optic ${damaged.optic} (${FRAME_HEIGHT}×${FRAME_WIDTH}, raw)`, damaged.data, FRAME_HEIGHT, FRAME_WIDTH),
      image('its crop: rows 150:350, columns 270:470, min–max scaled', damagedCrop),
      image(`defects: ${damaged.defects.join(', ')}`, Float32Array.from(damaged.defectMask)),
      image(`model input ${size}×${size} (crop / ${downsample})`, downsampleMean(damagedCrop, CROP_SIZE, downsample), size, size),
      image(`undamaged training crop, optic ${clean.optic}`, normalizeAndCrop(clean.data, FRAME_HEIGHT, FRAME_WIDTH)),
    ],
    stats: {
      'training / validation frames (undamaged)': `${p.n_train} / ${p.n_validation}`,
      'inference frames (damaged share)': `${p.n_inference} (${p.damaged_fraction})`,
      'model input': `${size}×${size}×1`,
      'optics shown (of the beam line)': `${p.n_optics} of ${BEAM_LINE_OPTICS}`,
      'defect kinds': DEFECT_KINDS.join(', '),
      'defect area per frame (max % of crop)': 100 * MAX_DEFECT_FRACTION,
      'trainable parameters': estimate.params,
      'training memory estimate (MiB)': estimate.bytesTrainingPeak / 2 ** 20,
    },
    note:
      'Synthetic beam-line diagnostics: an illuminated optic (super-Gaussian beam, fringes, vignetting, mount edge, ' +
      'read noise, occasional hot pixels). The autoencoder trains on undamaged crops only.',
  };
  return { ...preview };
}

async function training(ctx: RunContext, p: OpticalDamageParams) {
  const { tf, log } = ctx;
  log.begin('Running benchmark optical_damage on training mode');
  const downsample = Number(p.downsample);
  const inputSize = inputSizeFor(downsample);
  const estimate = estimateFor(p);
  log.message(`Model: input ${inputSize}×${inputSize}×1 (crop 200×200 / ${downsample}), latent ${p.latent_size}`);
  log.message(`Estimate: ${describeEstimate(estimate)}`);
  checkDeviceLimits(estimate, ctx.limits);

  log.begin('Generating training and validation data');
  const options = { seed: ctx.seed, downsample, optics: p.n_optics };
  const { train, validation } = await trainingSets(ctx.datasets, options, p.n_train, p.n_validation, {
    signal: ctx.signal,
    progress: (r) => ctx.progress({ fraction: 0.15 * r.fraction, label: r.label }),
  });
  log.message(`Training images: ${p.n_train}, validation images: ${p.n_validation}`);
  log.end();

  const model = buildAutoencoder(tf, { inputSize, latentSize: p.latent_size }, ctx.seed);
  const xTrain = toTensor(tf, train, inputSize);
  const xValidation = toTensor(tf, validation, inputSize);
  try {
    model.compile({ optimizer: adam(tf, p.lr), loss: 'meanSquaredError', metrics: ['mae', 'mse'] });
    log.begin('Fitting model parameters');
    ctx.event('start training');
    const start = performance.now();
    const history = await fitModel(ctx, model, xTrain, xTrain, {
      epochs: p.epochs,
      batchSize: p.batch_size,
      validationData: [xValidation, xValidation],
      progressSpan: [0.15, 0.95],
    });
    log.end();
    log.begin('Recalibrating BatchNorm statistics');
    await recalibrateBatchNorm(tf, model, xTrain, p.batch_size, ctx.signal);
    const seconds = (performance.now() - start) / 1000;
    log.end();

    log.begin('Scoring validation images');
    const { reconstructions } = await reconstruct(ctx, model, validation, inputSize, p.inference_batch_size);
    const scores = imageScores(squaredErrors(validation, reconstructions), p.n_validation, inputSize * inputSize);
    const validationMse = mean(scores.mean);
    const threshold = calibrateThreshold(scores.max, p.calibration_fpr);
    log.message(`Validation MSE: ${validationMse.toPrecision(5)}; threshold at ${p.calibration_fpr} FPR: ${threshold.toPrecision(5)}`);
    log.end();
    ctx.progress({ fraction: 1, label: 'done' });
    log.end();

    const modelInfo: OpticalDamageModelInfo = {
      inputSize,
      downsample,
      latentSize: p.latent_size,
      optics: p.n_optics,
      params: estimate.params,
      validationScores: toPlainScores(scores),
      validationMse,
    };
    return {
      model,
      history,
      metrics: { time: seconds, mse: validationMse, loss: validationMse, threshold_validation: threshold, params: estimate.params },
      modelInfo: { ...modelInfo },
      artifacts: { estimate, validationScores: scores, thresholdValidation: threshold } satisfies Artifacts,
    };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    tf.dispose([xTrain, xValidation]);
  }
}

/** The threshold selected by the `threshold` param; `sortedPooled` serves the percentile options. */
function chooseThreshold(
  p: OpticalDamageParams,
  model: TrainedModel,
  sortedPooled: () => Float32Array,
): { name: string; value: number } {
  switch (p.threshold) {
    case 'validation': {
      const validation = validationInfo(model);
      if (!validation) throw new Error('This model has no validation scores; choose a percentile or custom threshold.');
      return { name: `validation (FPR ${p.calibration_fpr})`, value: calibrateThreshold(validation.max, p.calibration_fpr) };
    }
    case 'custom':
      return { name: 'custom', value: p.custom_threshold };
    default: {
      const percent = Number(p.threshold.slice(1));
      return { name: `pooled pixel percentile ${percent}`, value: percentileSorted(sortedPooled(), percent) };
    }
  }
}

async function inference(ctx: RunContext, p: OpticalDamageParams, trained: TrainedModel) {
  const { log } = ctx;
  const model = trained.model;
  const { inputSize, downsample } = modelGeometry(model);
  const pixels = inputSize * inputSize;
  log.begin('Running benchmark optical_damage on inference mode');
  checkDeviceLimits(
    estimateModel({
      inputSize,
      latentSize: (trained.info as Partial<OpticalDamageModelInfo>).latentSize ?? 1,
      batchSize: 1,
      inferenceBatchSize: p.inference_batch_size,
      trainImages: 0,
      validationImages: 0,
      inferenceImages: p.n_inference,
    }),
    ctx.limits,
  );

  log.begin('Generating inference data');
  const optics = (trained.info as Partial<OpticalDamageModelInfo>).optics ?? BEAM_LINE_OPTICS;
  log.message(`Frames of ${optics} optics, as the model was trained on`);
  const set = await inferenceSet(ctx.datasets, { seed: ctx.seed, downsample, optics }, p.n_inference, p.damaged_fraction, {
    signal: ctx.signal,
    progress: (r) => ctx.progress({ fraction: 0.3 * r.fraction, label: r.label }),
  });
  const { images, labels } = set;
  const n = labels.length;
  const damagedCount = labels.reduce((a, b) => a + b, 0);
  log.message(`Number of damaged images: ${damagedCount}, undamaged images: ${n - damagedCount}`);
  log.end();

  log.begin('Start inference');
  ctx.progress({ fraction: 0.3, label: 'reconstructing' });
  // Warm-up on one batch so shader compilation is not timed.
  await reconstruct(ctx, model, images.subarray(0, Math.min(n, p.inference_batch_size) * pixels), inputSize, p.inference_batch_size);
  const { reconstructions, seconds } = await reconstruct(ctx, model, images, inputSize, p.inference_batch_size);
  const throughput = n / seconds;
  log.message(`Inference time: ${seconds.toFixed(4)}, Images/s: ${throughput.toFixed(1)}`);
  log.end();

  log.begin('Calculating inference statistics');
  ctx.progress({ fraction: 0.8, label: 'scoring' });
  const errors = squaredErrors(images, reconstructions);
  const scores = imageScores(errors, n, pixels);
  const sortedPooled = sortedCopy(errors);
  let absSum = 0;
  for (let i = 0; i < images.length; i++) absSum += Math.abs(images[i] - reconstructions[i]);

  const reference = REFERENCE_PERCENTILES.map((percent) => {
    const threshold = percentileSorted(sortedPooled, percent);
    const c = confusion(labels, verdicts(scores.max, threshold));
    return { percent, threshold, confusion: c, accuracy: accuracy(c), f1: f1(c) };
  });
  const [at990, at995, at999] = reference;
  log.message(`Accuracy at 99.0%: ${at990.accuracy.toFixed(2)}, 99.5%: ${at995.accuracy.toFixed(2)}, 99.9%: ${at999.accuracy.toFixed(2)}`);
  log.message(`F1 Score at 99.0%: ${at990.f1.toFixed(2)}, 99.5%: ${at995.f1.toFixed(2)}, 99.9%: ${at999.f1.toFixed(2)}`);

  const validation = validationInfo(trained);
  const thresholdValidation = validation ? calibrateThreshold(validation.max, p.calibration_fpr) : NaN;
  const confusionValidation = confusion(labels, verdicts(scores.max, thresholdValidation));
  if (validation) {
    log.message(
      `Validation-calibrated threshold (FPR ${p.calibration_fpr}): ${thresholdValidation.toPrecision(4)}, ` +
        `accuracy ${accuracy(confusionValidation).toFixed(3)}, F1 ${f1(confusionValidation).toFixed(3)}`,
    );
  } else {
    log.message('This model has no validation scores: no validation-calibrated threshold.');
  }

  const auc = Object.fromEntries(
    SCORE_KINDS.flatMap((kind) => [
      [`roc_auc${kind === 'max' ? '' : `_${kind}`}`, rocAuc(scores[kind], labels)],
      [`pr_auc${kind === 'max' ? '' : `_${kind}`}`, averagePrecision(scores[kind], labels)],
    ]),
  ) as Record<string, number>;
  log.message(`ROC-AUC ${auc.roc_auc.toFixed(4)}, PR-AUC ${auc.pr_auc.toFixed(4)} (max-pixel score)`);

  const used = chooseThreshold(p, trained, () => sortedPooled);
  const calls = verdicts(scores.max, used.value);
  const byScore = (a: number, b: number) => scores.max[b] - scores.max[a];
  const indices = Array.from(labels, (_, i) => i);
  const falsePositives = indices.filter((i) => !labels[i] && calls[i]).sort(byScore).slice(0, GALLERY_SIZE);
  const falseNegatives = indices
    .filter((i) => labels[i] && !calls[i])
    .sort((a, b) => -byScore(a, b))
    .slice(0, GALLERY_SIZE);
  const exampleIndices = [
    ...indices.filter((i) => labels[i]).slice(0, EXAMPLES_PER_CLASS),
    ...indices.filter((i) => !labels[i]).slice(0, EXAMPLES_PER_CLASS),
  ];
  const view = (i: number) => ({
    ...imageViews(i, pixels, images, reconstructions, errors, used.value),
    label: labels[i],
    score: scores.max[i],
  });
  const examples = exampleIndices.map((i) => ({ ...view(i), truth: set.masks.slice(i * pixels, (i + 1) * pixels) }));
  log.end();
  ctx.progress({ fraction: 1, label: 'done' });
  log.end();

  const mse = mean(scores.mean);
  const metrics = {
    time: seconds,
    throughput,
    accuracy: 100 * at999.accuracy,
    f1: at999.f1,
    mse,
    loss: mse,
    mae: absSum / images.length,
    ...Object.fromEntries(
      reference.flatMap((r) => {
        const tag = r.percent.toFixed(1).replace('.', '_');
        return [
          [`accuracy_${tag}`, 100 * r.accuracy],
          [`f1_${tag}`, r.f1],
          [`threshold_${tag}`, r.threshold],
        ];
      }),
    ),
    ...auc,
    threshold_validation: thresholdValidation,
    accuracy_validation_threshold: 100 * accuracy(confusionValidation),
    f1_validation_threshold: f1(confusionValidation),
  };

  const artifacts = {
    inputSize,
    downsample,
    labels,
    scores,
    thresholds: {
      ...Object.fromEntries(reference.map((r) => [`p${r.percent.toFixed(1)}`, r.threshold])),
      validation: thresholdValidation,
      used,
    },
    confusion: { p99_9: at999.confusion, validation: confusionValidation, used: confusion(labels, calls) },
    sweep: percentileSweep(sortedPooled, scores.max, labels, SWEEP_PERCENTILES),
    roc: rocCurve(scores.max, labels),
    pr: prCurve(scores.max, labels),
    examples,
    falsePositives: falsePositives.map(view),
    falseNegatives: falseNegatives.map(view),
  } satisfies Artifacts;
  return { metrics, artifacts };
}

/** One user image as (array name, data, offset, height, width). */
interface SourceImage {
  source: string;
  data: NumericArray;
  offset: number;
  height: number;
  width: number;
}

/** Splits a user array into images: H×W, H×W×1, N×H×W or N×H×W×1. */
function imagesOf(name: string, array: NDArray<NumericArray>, warnings: string[]): SourceImage[] {
  const shape = array.shape;
  const describe = `'${name}' (${shape.join('×')})`;
  if (shape.length < 2) {
    warnings.push(`Skipped ${describe}: an image needs at least two dimensions.`);
    return [];
  }
  let count: number;
  let height: number;
  let width: number;
  let stack = false;
  if (shape.length === 2) [count, height, width] = [1, shape[0], shape[1]];
  else if (shape.length === 3 && shape[2] === 1) [count, height, width] = [1, shape[0], shape[1]];
  else if (shape.length === 3 && shape[2] <= 4 && shape[0] >= CROP_SIZE && shape[1] >= CROP_SIZE) {
    throw new Error(`${describe} looks like a colour image; give one channel (H×W or N×H×W).`);
  } else if (shape.length === 3 || (shape.length === 4 && shape[3] === 1)) {
    [count, height, width] = shape;
    stack = true;
  } else {
    throw new Error(`${describe}: expected H×W, N×H×W or N×H×W×1 single-channel images.`);
  }
  return Array.from({ length: count }, (_, i) => ({
    source: stack ? `${name}[${i}]` : name,
    data: array.data,
    offset: i * height * width,
    height,
    width,
  }));
}

async function apply(
  ctx: RunContext,
  p: OpticalDamageParams,
  trained: TrainedModel,
  input: ApplyInput,
): Promise<ApplyResult> {
  const warnings: string[] = [];
  const { inputSize, downsample } = modelGeometry(trained.model);
  const pixels = inputSize * inputSize;
  const crop = { top: p.crop_top, left: p.crop_left };
  const sources = Object.entries(input.arrays).flatMap(([name, array]) => imagesOf(name, array, warnings));
  if (sources.length === 0) throw new Error(`No images found in ${input.name}.`);
  for (const s of sources) checkCropWindow(s.height, s.width, crop, `'${s.source}'`);
  checkDeviceLimits(
    estimateModel({
      inputSize,
      latentSize: (trained.info as Partial<OpticalDamageModelInfo>).latentSize ?? 1,
      batchSize: 1,
      inferenceBatchSize: p.inference_batch_size,
      trainImages: 0,
      validationImages: 0,
      inferenceImages: Math.min(sources.length, p.inference_batch_size),
    }),
    ctx.limits,
  );

  const n = sources.length;
  const images = new Float32Array(n * pixels);
  let nonFinite = 0;
  sources.forEach((s, i) => {
    for (let k = 0; k < s.height * s.width; k++) if (!Number.isFinite(s.data[s.offset + k])) nonFinite++;
    const cropped = normalizeAndCrop(s.data, s.height, s.width, crop, s.offset);
    images.set(downsampleMean(cropped, CROP_SIZE, downsample), i * pixels);
  });
  if (nonFinite > 0) warnings.push(`${nonFinite} NaN/Inf pixels were set to 0 (and ignored for the min–max scaling).`);

  // Predict in chunks so a long stack never sits on the GPU whole.
  const heatmaps = new Float32Array(n * pixels);
  const reconstructions = new Float32Array(n * pixels);
  const chunk = p.inference_batch_size;
  for (let start = 0; start < n; start += chunk) {
    const part = images.subarray(start * pixels, Math.min(n, start + chunk) * pixels);
    const result = await reconstruct(ctx, trained.model, part, inputSize, p.inference_batch_size);
    reconstructions.set(result.reconstructions, start * pixels);
    heatmaps.set(squaredErrors(part, result.reconstructions), start * pixels);
    ctx.progress({ fraction: Math.min(n, start + chunk) / n, label: `image ${Math.min(n, start + chunk)}/${n}` });
  }

  const scores = imageScores(heatmaps, n, pixels);
  const used = chooseThreshold(p, trained, () => sortedCopy(heatmaps));
  if (p.threshold.startsWith('p')) {
    warnings.push(
      `The ${used.name} threshold is taken from these ${n} image(s) themselves (the reference's rule): ` +
        'it always flags some pixels, so verdicts are only meaningful for a large mixed stack.',
    );
  }
  const calls = verdicts(scores.max, used.value);
  ctx.log.message(`Applied to ${n} image(s): ${calls.reduce((a, b) => a + b, 0)} flagged as damaged (threshold ${used.value.toPrecision(4)}).`);
  return {
    outputs: { heatmaps: { data: heatmaps, shape: [n, inputSize, inputSize] } },
    artifacts: {
      inputSize,
      scores,
      verdicts: calls,
      threshold: used,
      sources: sources.map((s) => s.source),
      cropWindow: {
        source: sources[0].source,
        frameHeight: sources[0].height,
        frameWidth: sources[0].width,
        top: crop.top,
        left: crop.left,
        size: CROP_SIZE,
        overview: frameOverview(sources[0].data, sources[0].height, sources[0].width, OVERVIEW_SIDE, sources[0].offset),
      },
      previews: Array.from({ length: Math.min(n, APPLY_PREVIEWS) }, (_, i) => ({
        ...imageViews(i, pixels, images, reconstructions, heatmaps, used.value),
        source: sources[i].source,
        score: scores.max[i],
        verdict: calls[i],
      })),
    } satisfies Artifacts,
    warnings,
  };
}

export const opticalDamage = defineBenchmark({
  id: BENCHMARK_ID,
  title: 'Optical damage (laser-optic anomaly detection)',
  group: 'science',
  datasets: ['optical_damage_ds1'],
  modes: ['training', 'inference'],
  params,
  description: [
    'Detect damaged laser optics in Central Laser Facility beam-line diagnostic images, as SciML-Bench',
    '`optical_damage`. An autoencoder is trained only on **undamaged** optics; damaged ones reconstruct',
    'badly, so damage shows up as high reconstruction error.',
    '',
    '- **Data** (synthetic stand-in for `optical_damage_ds1`): 492×656 camera frames of the 8 optics of a',
    '  beam line (apertures, super-Gaussian beam, faint fringes, vignetting, mount; exposure, jitter, read',
    '  noise and hot pixels vary frame to frame); damaged frames carry',
    '  1–5 pits, burns, scratches, blotches or halos covering ≤ 2 % of the crop. Preprocessing as the',
    '  reference: whole-frame min–max, crop rows 150:350 × columns 270:470. By default the frames show one',
    '  optic (one camera, one model; `n_optics` up to 8 for the whole beam line, which needs more data).',
    '- **Model**: the reference convolutional autoencoder (64/32/16 filters, dense bottleneck of size L,',
    '  mirrored decoder). L = 512 at full resolution is the reference (41.1 M parameters); the default',
    '  block-averages the crop to 40×40 and uses L = 16 on 128 frames so it trains in minutes.',
    '- **Metrics**: accuracy and F1 when an image is called damaged if any pixel error exceeds the',
    '  99.9th percentile of all pixel errors of the inference set (the reference headline; also 99.0',
    '  and 99.5), plus a deployable threshold calibrated on validation images only, ROC-AUC, PR-AUC,',
    '  MSE and images/s.',
  ].join('\n'),
  preview,
  buildModel: (tf, p) =>
    buildAutoencoder(tf, { inputSize: inputSizeFor(Number(p.downsample)), latentSize: p.latent_size }, 0),
  training,
  inference,
  apply,
});

/** The registry's name for this module's benchmark. */
export const benchmark = opticalDamage;
