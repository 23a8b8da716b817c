/**
 * em_denoise (SciML-Bench): denoising low-dose electron micrographs of graphene with EMDenoiseNet,
 * trained on simulated noisy/clean pairs, compared with calibrated Gaussian and median filters.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { QualityCheck } from '../registry';
import {
  defineBenchmark,
  type ArraySet,
  type NDArray,
  type NumericArray,
  type ParamSpecs,
  type ParamValues,
  type RunContext,
  type TrainedModel,
} from '../../lib/harness/contract';
import { adam } from '../../lib/engine/optimizer';
import { fitModel, predictBatched } from '../../lib/engine/train';
import { calibrateBaselines, runBaseline, type BaselineCalibration, type BaselineMethod } from './baselines';
import { generateMicrographs, micrographSeed, simulateMicrograph, type GeneratorOptions, type Split } from './generator';
import type { DataPreview } from '../../lib/harness/preview';
import { mean, scoreImages, type ImageScores } from './metrics';
import { buildEmDenoiseNet, countTrainableParams, normaliseByMean } from './model';
import { processTiled, type TileFunction } from './tiling';

const params = {
  image_size: {
    kind: 'int',
    default: 64,
    min: 16,
    max: 512,
    group: 'data',
    modes: ['training'],
    help: 'Side of the simulated images and of the network input, px (a multiple of 8; the reference data are 256)',
  },
  n_train: {
    kind: 'int',
    default: 512,
    min: 4,
    max: 100_000,
    group: 'data',
    modes: ['training'],
    help: 'Number of simulated noisy/clean training pairs',
  },
  px_per_lattice_min: {
    kind: 'number',
    default: 8,
    min: 4,
    max: 64,
    group: 'data',
    help: 'Finest sampling: pixels per graphene lattice constant (2.46 Å), drawn uniformly per image',
  },
  px_per_lattice_max: {
    kind: 'number',
    default: 16,
    min: 4,
    max: 64,
    group: 'data',
    help: 'Coarsest sampling: pixels per lattice constant',
  },
  dose_min: {
    kind: 'number',
    default: 1,
    min: 0.01,
    max: 1e6,
    group: 'data',
    help: 'Lowest dose: mean counts per pixel, drawn log-uniformly per image',
  },
  dose_max: {
    kind: 'number',
    default: 100,
    min: 0.01,
    max: 1e6,
    group: 'data',
    help: 'Highest dose: mean counts per pixel',
  },
  dead_pixel_frac_min: {
    kind: 'number',
    default: 0.001,
    min: 0,
    max: 0.5,
    group: 'data',
    help: 'Lowest fraction of dead (zero) pixels per image',
  },
  dead_pixel_frac_max: {
    kind: 'number',
    default: 0.01,
    min: 0,
    max: 0.5,
    group: 'data',
    help: 'Highest fraction of dead pixels per image',
  },
  beam_width_min: {
    kind: 'number',
    default: 0.4,
    min: 0.05,
    max: 100,
    group: 'data',
    help: 'Narrowest beam: σ of the Gaussian beam profile as a multiple of the image side',
  },
  beam_width_max: {
    kind: 'number',
    default: 1.5,
    min: 0.05,
    max: 100,
    group: 'data',
    help: 'Widest beam profile (σ / image side)',
  },
  defects: {
    kind: 'bool',
    default: true,
    group: 'data',
    help: 'Vacancies, Stone–Wales-like bond rotations and grain boundaries in the lattice',
  },
  epochs: {
    kind: 'int',
    default: 10,
    min: 1,
    max: 10_000,
    group: 'train',
    modes: ['training'],
    help: 'Passes over the training set (reference: 10)',
  },
  batch_size: {
    kind: 'int',
    default: 32,
    min: 1,
    max: 4096,
    group: 'train',
    help: 'Images per batch, in training and inference (reference: 128 and 64)',
  },
  lr: {
    kind: 'number',
    default: 0.01,
    min: 1e-6,
    max: 1,
    group: 'train',
    modes: ['training'],
    help: 'Adam learning rate (reference: 0.01)',
  },
  n_test: {
    kind: 'int',
    default: 64,
    min: 1,
    max: 100_000,
    group: 'evaluate',
    modes: ['inference'],
    help: 'Number of simulated test pairs (drawn independently of the training set)',
  },
  n_samples: {
    kind: 'int',
    default: 8,
    min: 0,
    max: 64,
    group: 'evaluate',
    modes: ['inference'],
    help: 'Test images returned in full (noisy, denoised, clean, baselines) for the viewer',
  },
  tile_overlap: {
    kind: 'number',
    default: 0.25,
    min: 0,
    max: 0.75,
    group: 'apply',
    modes: ['inference'],
    help: 'Overlap of neighbouring tiles as a fraction of the tile side (the network input size)',
  },
  output_scale: {
    kind: 'enum',
    default: 'input',
    options: ['input', 'unit'],
    group: 'apply',
    modes: ['inference'],
    help: "Scale of the denoised result: 'input' keeps each image's mean intensity; 'unit' is the network's clean scale (about 0–1)",
  },
} satisfies ParamSpecs;

export type EmDenoiseParams = ParamValues<typeof params>;

/** What a trained model carries beside its weights. */
export interface EmDenoiseModelInfo {
  imageSize: number;
  inputNormalisation: 'mean';
  trainableParams: number;
  baselines: BaselineCalibration;
  lossHistory: number[];
}

export interface EmDenoiseTrainingArtifacts {
  /** Mean training MSE per epoch. */
  lossHistory: number[];
  /** MSE of the intensity-matched noisy input on the calibration images: the score to beat. */
  noisyMse: number;
  imageSize: number;
  trainableParams: number;
}

/** Test images returned in full: each a k × size × size stack. */
export interface EmDenoiseSamples {
  /** Detector counts as simulated. */
  noisy: NDArray;
  /** Network output, on the clean [0, 1] scale. */
  denoised: NDArray;
  clean: NDArray;
  gaussian: NDArray;
  median: NDArray;
  /** Mean dose λ of each sample (counts per pixel). */
  dose: Float32Array;
}

export type ScoredMethod = 'network' | BaselineMethod;

export interface EmDenoiseInferenceArtifacts {
  imageSize: number;
  /** PSNR peak: the clean images span [0, 1]. */
  psnrPeak: 1;
  samples: EmDenoiseSamples;
  /** Per test image: dose and each method's PSNR (dB) and SSIM, for histograms and dose plots. */
  perImage: {
    dose: Float32Array;
    psnr: Record<ScoredMethod, Float32Array>;
    ssim: Record<ScoredMethod, Float32Array>;
  };
  baselines: BaselineCalibration;
  lossHistory: number[];
}

export interface EmDenoiseApplyPreview {
  /** Array name and image index within it. */
  name: string;
  index: number;
  input: NDArray;
  denoised: NDArray;
}

/** Smallest user image side the apply step accepts (px). */
export const MIN_APPLY_SIZE_PX = 64;
const MAX_APPLY_PREVIEWS = 4;
/** Training pairs shown by the Data cell. */
const PREVIEW_PAIRS = 3;

function checkRanges(p: EmDenoiseParams): void {
  const pairs: [string, number, number][] = [
    ['px_per_lattice', p.px_per_lattice_min, p.px_per_lattice_max],
    ['dose', p.dose_min, p.dose_max],
    ['dead_pixel_frac', p.dead_pixel_frac_min, p.dead_pixel_frac_max],
    ['beam_width', p.beam_width_min, p.beam_width_max],
  ];
  for (const [name, lo, hi] of pairs) {
    if (lo > hi) throw new Error(`${name}_min (${lo}) is larger than ${name}_max (${hi})`);
  }
}

/** The generator settings these parameters describe, for images of `size` px. */
export function generatorOptions(p: EmDenoiseParams, size: number): GeneratorOptions {
  return {
    size,
    pxPerLatticeMin: p.px_per_lattice_min,
    pxPerLatticeMax: p.px_per_lattice_max,
    doseMin: p.dose_min,
    doseMax: p.dose_max,
    deadFracMin: p.dead_pixel_frac_min,
    deadFracMax: p.dead_pixel_frac_max,
    beamWidthMin: p.beam_width_min,
    beamWidthMax: p.beam_width_max,
    defects: p.defects,
  };
}

/** Generates (or takes from the cache) one split; progress covers [p0, p1] of the run. */
async function loadSplit(
  ctx: RunContext,
  split: Split,
  count: number,
  opts: GeneratorOptions,
  [p0, p1]: [number, number],
): Promise<{ noisy: Float32Array; clean: Float32Array; dose: Float32Array }> {
  const settings = Object.entries(opts)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
  const key = `em_denoise/${split}/seed=${ctx.seed}/n=${count}/${settings}`;
  const describe = `${count} simulated graphene micrographs, ${opts.size}×${opts.size} px (${split})`;
  ctx.log.begin(`Loading ${split} data`);
  const set = await ctx.datasets.getOrCreate(key, describe, () =>
    generateMicrographs(
      ctx.seed,
      split,
      count,
      opts,
      (done) => ctx.progress({ fraction: p0 + ((p1 - p0) * done) / count, label: `simulating ${split} image ${done}/${count}` }),
      ctx.signal,
    ),
  );
  ctx.log.message(describe);
  ctx.log.end(`Loading ${split} data`);
  return {
    noisy: set.noisy.data as Float32Array,
    clean: set.clean.data as Float32Array,
    dose: set.dose.data as Float32Array,
  };
}

/** Mean-normalised copies of `count` stacked images of `per` pixels (the network input). */
function normaliseStack(images: Float32Array, count: number, per: number): Float32Array {
  const out = new Float32Array(count * per);
  for (let i = 0; i < count; i++) normaliseByMean(images.subarray(i * per, (i + 1) * per), out.subarray(i * per, (i + 1) * per));
  return out;
}

function modelImageSize(trained: TrainedModel): number {
  const fromInfo = trained.info.imageSize;
  if (typeof fromInfo === 'number') return fromInfo;
  const side = trained.model.inputs[0].shape[1];
  if (typeof side !== 'number') throw new Error('em_denoise: the model has no fixed input size');
  return side;
}

function modelBaselines(trained: TrainedModel): BaselineCalibration {
  const baselines = trained.info.baselines as BaselineCalibration | undefined;
  if (!baselines?.gaussian || !baselines.median || !baselines.noisy) {
    throw new Error('em_denoise: the model carries no baseline calibration; train it again with this version');
  }
  return baselines;
}

function describeBaseline(s: BaselineCalibration[BaselineMethod]): string {
  const filter = s.method === 'gaussian' ? `σ = ${s.width} px` : s.method === 'median' ? `${s.width}×${s.width} px` : 'no filter';
  const flat = s.flatFieldSigmaPx > 0 ? `flat field σ = ${s.flatFieldSigmaPx} px` : 'no flat field';
  return `${s.method}: ${filter}, ${flat}, gain ${s.gain.toFixed(4)}, offset ${s.offset.toFixed(4)}`;
}

/** Slice of k images of a stack as a k × size × size NDArray. */
function sampleStack(images: Float32Array, k: number, size: number): NDArray {
  return { data: images.slice(0, k * size * size), shape: [k, size, size] };
}

/** (count, height, width) of an image or image stack, or why the shape is not one. */
function imageLayout(shape: number[]): { count: number; height: number; width: number } | string {
  if (shape.length === 2) return { count: 1, height: shape[0], width: shape[1] };
  if (shape.length === 3 && shape[2] === 1) return { count: 1, height: shape[0], width: shape[1] };
  if (shape.length === 3) return { count: shape[0], height: shape[1], width: shape[2] };
  if (shape.length === 4 && shape[3] === 1) return { count: shape[0], height: shape[1], width: shape[2] };
  return `shape ${JSON.stringify(shape)} is not H×W, N×H×W or N×H×W×1`;
}

function toFloat32(data: NumericArray): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

const description = `
Denoising of low-dose electron micrographs of graphene (SciML-Bench **em_denoise**, dataset
*em_graphene_sim*), on simulated data generated in your browser.

**Data.** Clean images are a graphene honeycomb (lattice constant 2.46 Å) at 8–16 px per lattice
constant, randomly rotated and shifted, with Gaussian atoms, optional vacancies, Stone–Wales-like
bond rotations and grain boundaries, and a mild ripple, normalised to [0, 1]. The noisy image is the
clean one times a Gaussian beam profile (random centre, σ 0.4–1.5 × the image side), scaled to a
mean dose λ of 1–100 counts per pixel (log-uniform), Poisson-sampled, with 0.1–1 % dead pixels.

**Model.** EMDenoiseNet: a U-Net-like network with three levels (8/16/32/64 channels), blocks of
(3×3 conv → ReLU → BatchNorm) × 2, bilinear upsampling with skip concatenation and a final linear
3×3 conv — 122,737 trainable parameters. Adam (lr 0.01), MSE loss. Each input image is divided by
its own mean (so the network sees intensities near 1 at any dose or detector scale); the target is
the clean image.

**Metrics** (against the clean images — the reference compared against the noisy ones): MSE,
PSNR in dB with peak 1.0 (the clean images span [0, 1]), SSIM (7×7 uniform window, as
scikit-image's defaults), throughput in images/s and time. Training reports the last epoch's mean
MSE as *loss*.

**Baselines.** A Gaussian filter and a median filter, each followed by a flat-field correction
and a gain/offset onto the clean scale; filter width, flat-field width, gain and offset are fitted
on training images. *noisy_* metrics score the intensity-matched input itself.

**Apply to your data.** An .npy/.npz/.h5 image or stack (H×W, N×H×W, N×H×W×1), any size ≥ 64 px,
is processed in overlapping tiles of the network's input size, blended smoothly. The result has
the input's shape.
`.trim();

export const emDenoise = defineBenchmark({
  id: 'em_denoise',
  title: 'Electron micrograph denoising (graphene)',
  description,
  group: 'science',
  datasets: ['em_graphene_sim'],
  params,
  modes: ['training', 'inference'],

  async preview(ctx, p) {
    checkRanges(p);
    const size = p.image_size;
    const opts = generatorOptions(p, size);
    const pairs = Array.from({ length: PREVIEW_PAIRS }, (_, i) => simulateMicrograph(micrographSeed(ctx.seed, 'train', i), opts));
    const preview: DataPreview = {
      images: pairs.flatMap((m, i) => [
        { title: `#${i} noisy: λ = ${m.dose.toFixed(1)} counts/px`, data: m.noisy, height: size, width: size, colormap: 'greys' as const },
        { title: `#${i} clean: ${m.pxPerLattice.toFixed(1)} px per lattice constant`, data: m.clean, height: size, width: size, colormap: 'greys' as const },
      ]),
      stats: {
        'training pairs': p.n_train,
        'image size (px)': `${size}×${size}`,
        'dose (counts/px, log-uniform)': `${p.dose_min}–${p.dose_max}`,
        'px per lattice constant (2.46 Å)': `${p.px_per_lattice_min}–${p.px_per_lattice_max}`,
        'dead pixels (%)': `${100 * p.dead_pixel_frac_min}–${100 * p.dead_pixel_frac_max}`,
        'beam σ (× image side)': `${p.beam_width_min}–${p.beam_width_max}`,
        defects: p.defects ? 'vacancies, Stone–Wales, grain boundaries' : 'none',
      },
      note:
        'The first training pairs. Noisy: detector counts (clean × beam profile, Poisson-sampled, dead pixels). ' +
        'Clean: the target, scaled to [0, 1]. The network sees each noisy image divided by its mean.',
    };
    return { ...preview };
  },

  buildModel: (tf, p) => buildEmDenoiseNet(tf, { size: p.image_size, seed: 0 }),

  async training(ctx, p) {
    const { tf, log } = ctx;
    checkRanges(p);
    const size = p.image_size;
    if (size % 8 !== 0) throw new Error(`image_size must be a multiple of 8 (three 2× poolings), got ${size}`);
    const per = size * size;
    const n = p.n_train;
    const data = await loadSplit(ctx, 'train', n, generatorOptions(p, size), [0, 0.1]);
    const inputs = normaliseStack(data.noisy, n, per);

    log.begin('Calibrating the baselines');
    // Enough pixels to fit three numbers per setting (at most 2^19 px, at least 4 images).
    const nCalibration = Math.min(n, 32, Math.max(4, Math.floor(2 ** 19 / per)));
    const baselines = calibrateBaselines(
      Array.from({ length: nCalibration }, (_, i) => inputs.subarray(i * per, (i + 1) * per)),
      Array.from({ length: nCalibration }, (_, i) => data.clean.subarray(i * per, (i + 1) * per)),
      size,
      size,
    );
    for (const s of Object.values(baselines)) log.message(`${describeBaseline(s)}; MSE ${s.calibrationMse.toPrecision(4)}`);
    log.end('Calibrating the baselines');
    ctx.progress({ fraction: 0.12, label: 'building the model' });

    log.begin('Creating the model');
    const model = buildEmDenoiseNet(tf, { size, seed: ctx.seed });
    model.compile({ optimizer: adam(tf, p.lr), loss: 'meanSquaredError' });
    const trainableParams = countTrainableParams(model);
    log.message(`EMDenoiseNet for ${size}×${size} images: ${trainableParams} trainable parameters`);
    log.end('Creating the model');

    log.begin('Training the model');
    const x = tf.tensor4d(inputs, [n, size, size, 1]);
    const y = tf.tensor4d(data.clean, [n, size, size, 1]);
    const started = performance.now();
    let lossHistory: number[];
    try {
      const history = await fitModel(ctx, model, x, y, { epochs: p.epochs, batchSize: p.batch_size, progressSpan: [0.12, 1] });
      lossHistory = history.loss ?? [];
    } catch (err) {
      model.dispose();
      throw err;
    } finally {
      tf.dispose([x, y]);
    }
    const time = (performance.now() - started) / 1000;
    log.end('Training the model');

    const loss = lossHistory.at(-1);
    const modelInfo: EmDenoiseModelInfo = { imageSize: size, inputNormalisation: 'mean', trainableParams, baselines, lossHistory };
    const artifacts: EmDenoiseTrainingArtifacts = {
      lossHistory,
      noisyMse: baselines.noisy.calibrationMse,
      imageSize: size,
      trainableParams,
    };
    return {
      model,
      metrics: { time, loss, mse: loss, noisy_mse: baselines.noisy.calibrationMse },
      history: { loss: lossHistory },
      modelInfo: { ...modelInfo },
      artifacts: { ...artifacts },
    };
  },

  async inference(ctx, p, trained) {
    const { tf, log } = ctx;
    checkRanges(p);
    const size = modelImageSize(trained);
    const baselines = modelBaselines(trained);
    const per = size * size;
    const n = p.n_test;
    const data = await loadSplit(ctx, 'test', n, generatorOptions(p, size), [0, 0.2]);

    const outputs = {} as Record<ScoredMethod, Float32Array>;
    const times = {} as Record<ScoredMethod, number>;

    log.begin('Denoising the test set with the network');
    let started = performance.now();
    const x = tf.tensor4d(normaliseStack(data.noisy, n, per), [n, size, size, 1]);
    try {
      outputs.network = await predictBatched(tf, trained.model, x, p.batch_size, ctx.signal);
    } finally {
      x.dispose();
    }
    times.network = (performance.now() - started) / 1000;
    log.message(`Throughput: ${Math.floor(n / times.network)} images/s`);
    log.end('Denoising the test set with the network');
    ctx.progress({ fraction: 0.5, label: 'baselines' });

    const methods: BaselineMethod[] = ['gaussian', 'median', 'noisy'];
    for (const method of methods) {
      log.begin(`Denoising the test set with the ${method} baseline`);
      log.message(describeBaseline(baselines[method]));
      started = performance.now();
      const out = new Float32Array(n * per);
      for (let i = 0; i < n; i++) {
        if (ctx.signal.aborted) throw new DOMException('stopped by the user', 'AbortError');
        const xi = new Float32Array(per);
        normaliseByMean(data.noisy.subarray(i * per, (i + 1) * per), xi);
        out.set(runBaseline(baselines[method], xi, size, size), i * per);
      }
      times[method] = (performance.now() - started) / 1000;
      outputs[method] = out;
      log.end(`Denoising the test set with the ${method} baseline`);
    }
    ctx.progress({ fraction: 0.8, label: 'scoring' });

    log.begin('Scoring against the clean images');
    const scored: ScoredMethod[] = ['network', ...methods];
    const scores = {} as Record<ScoredMethod, ImageScores>;
    for (const method of scored) scores[method] = scoreImages(outputs[method], data.clean, n, size, size);
    const metrics: Record<string, number> = {};
    for (const method of scored) {
      const prefix = method === 'network' ? '' : `${method}_`;
      const m = { mse: mean(scores[method].mse), psnr: mean(scores[method].psnr), ssim: mean(scores[method].ssim) };
      metrics[`${prefix}mse`] = m.mse;
      metrics[`${prefix}psnr`] = m.psnr;
      metrics[`${prefix}ssim`] = m.ssim;
      metrics[`${prefix}time`] = times[method];
      metrics[`${prefix}throughput`] = n / times[method];
      log.message(
        `${method}: Average MSE ${m.mse.toPrecision(4)}, Average PSNR ${m.psnr.toFixed(2)} dB (peak 1.0), ` +
          `Average SSIM ${m.ssim.toFixed(4)}, ${Math.floor(n / times[method])} images/s`,
      );
    }
    metrics.loss = metrics.mse;
    log.end('Scoring against the clean images');

    const k = Math.min(p.n_samples, n);
    const perMethod = (pick: (s: ImageScores) => Float64Array) =>
      Object.fromEntries(scored.map((m) => [m, Float32Array.from(pick(scores[m]))])) as Record<ScoredMethod, Float32Array>;
    const artifacts: EmDenoiseInferenceArtifacts = {
      imageSize: size,
      psnrPeak: 1,
      samples: {
        noisy: sampleStack(data.noisy, k, size),
        denoised: sampleStack(outputs.network, k, size),
        clean: sampleStack(data.clean, k, size),
        gaussian: sampleStack(outputs.gaussian, k, size),
        median: sampleStack(outputs.median, k, size),
        dose: data.dose.slice(0, k),
      },
      perImage: { dose: data.dose.slice(), psnr: perMethod((s) => s.psnr), ssim: perMethod((s) => s.ssim) },
      baselines,
      lossHistory: (trained.info.lossHistory as number[] | undefined) ?? [],
    };
    return { metrics: { ...metrics, time: times.network, throughput: n / times.network }, artifacts: { ...artifacts } };
  },

  async apply(ctx, p, trained, input) {
    const { tf, log } = ctx;
    const tile = modelImageSize(trained);
    const perTile = tile * tile;
    const overlap = Math.round(p.tile_overlap * tile);
    const model: tfType.LayersModel = trained.model;
    const denoiseTiles: TileFunction = async (tiles, count) => {
      const x = tf.tensor4d(normaliseStack(tiles, count, perTile), [count, tile, tile, 1]);
      try {
        return await predictBatched(tf, model, x, p.batch_size, ctx.signal);
      } finally {
        x.dispose();
      }
    };

    const outputs: ArraySet = {};
    const warnings: string[] = [];
    const previews: EmDenoiseApplyPreview[] = [];
    const entries = Object.entries(input.arrays);
    log.begin(`Denoising ${input.name}`);
    for (const [e, [name, array]] of entries.entries()) {
      const layout = imageLayout(array.shape);
      if (typeof layout === 'string') {
        warnings.push(`${name}: skipped, ${layout}`);
        continue;
      }
      const { count, height, width } = layout;
      if (height < MIN_APPLY_SIZE_PX || width < MIN_APPLY_SIZE_PX) {
        warnings.push(`${name}: skipped, ${height}×${width} px is smaller than ${MIN_APPLY_SIZE_PX} px`);
        continue;
      }
      const source = toFloat32(array.data);
      const per = height * width;
      const result = new Float32Array(count * per);
      let nonFinite = 0;
      let negative = 0;
      for (let i = 0; i < count; i++) {
        const image = source.slice(i * per, (i + 1) * per);
        for (let j = 0; j < per; j++) {
          if (!Number.isFinite(image[j])) {
            image[j] = 0;
            nonFinite++;
          } else if (image[j] < 0) negative++;
        }
        let denoised = await processTiled(image, height, width, denoiseTiles, { tile, overlap, signal: ctx.signal });
        if (p.output_scale === 'input') {
          const scale = mean(image) / mean(denoised);
          if (Number.isFinite(scale) && scale > 0) denoised = denoised.map((v) => v * scale);
          else warnings.push(`${name}[${i}]: mean intensity is not positive; left on the network's 0–1 scale`);
        }
        result.set(denoised, i * per);
        if (previews.length < MAX_APPLY_PREVIEWS) {
          previews.push({
            name,
            index: i,
            input: { data: image, shape: [height, width] },
            denoised: { data: denoised, shape: [height, width] },
          });
        }
        ctx.progress({
          fraction: (e + (i + 1) / count) / entries.length,
          label: `${name}: image ${i + 1}/${count}`,
        });
      }
      if (nonFinite > 0) warnings.push(`${name}: ${nonFinite} NaN/infinite values were treated as 0`);
      if (negative > 0) {
        warnings.push(`${name}: ${negative} negative values; the model was trained on non-negative counts (subtract no offset)`);
      }
      log.message(`${name}: ${count} image(s) of ${height}×${width} px in ${tile} px tiles, overlap ${overlap} px`);
      outputs[`${name}_denoised`] = { data: result, shape: [...array.shape] };
    }
    log.end(`Denoising ${input.name}`);
    if (Object.keys(outputs).length === 0) {
      throw new Error(
        `${input.name}: no image found (expected H×W, N×H×W or N×H×W×1 with sides ≥ ${MIN_APPLY_SIZE_PX} px). ${warnings.join('; ')}`,
      );
    }
    return { outputs, warnings, artifacts: { previews, tile, overlap } };
  },
});

/** The registry's name for this module's benchmark. */
export const benchmark = emDenoise;

/**
 * A small fixed budget for `npm run bench`: a few steps at 32 px (tfjs' cpu backend needs about
 * two seconds per 32 px image and step, so the cpu row stays near a minute).
 */
export const benchParams = {
  image_size: 32,
  n_train: 32,
  n_test: 16,
  epochs: 1,
  batch_size: 16,
} satisfies Partial<EmDenoiseParams>;

/** The network must beat both classical baselines after the default budget. */
export const qualityBar: readonly QualityCheck[] = [
  { mode: 'inference', metric: 'psnr', label: 'PSNR ≥ Gaussian baseline, dB', atLeast: 'gaussian_psnr' },
  { mode: 'inference', metric: 'psnr', label: 'PSNR ≥ median baseline, dB', atLeast: 'median_psnr' },
  { mode: 'inference', metric: 'ssim', label: 'SSIM ≥ Gaussian baseline', atLeast: 'gaussian_ssim' },
  { mode: 'training', metric: 'time', label: 'training time, s' },
];
