/**
 * demo_cnn: a deliberately tiny benchmark (horizontal vs vertical stripes, 16×16) that exercises
 * the whole harness — generator, dataset cache, training loop, inference, metrics, apply — in well
 * under a second per epoch on the cpu backend. The app's demo cell trains it.
 */
import type * as tfType from '@tensorflow/tfjs';
import {
  defineBenchmark,
  type ArraySet,
  type NDArray,
  type NumericArray,
  type ParamValue,
  type RunContext,
  type TF,
  type TrainedModel,
} from '../../lib/harness/contract';
import { adam } from '../../lib/engine/optimizer';
import { fitModel, predictBatched } from '../../lib/engine/train';
import type { DataPreview } from '../../lib/harness/preview';
import { argmaxRows, classificationReport, crossEntropy, throughput } from '../../lib/harness/metrics';
import { CLASS_NAMES, IMAGE_SIZE, makeStripes, minMaxScale, type Split } from './data';

const params = {
  n_train: { kind: 'int', default: 256, min: 8, max: 200_000, help: 'Generated training images', modes: ['training'], group: 'data' },
  noise: { kind: 'number', default: 0.3, min: 0, max: 5, help: 'Gaussian noise std relative to the stripe contrast', group: 'data' },
  epochs: { kind: 'int', default: 5, min: 1, max: 1000, help: 'Training epochs', modes: ['training'], group: 'train' },
  batch_size: { kind: 'int', default: 32, min: 1, max: 4096, help: 'Images per batch', group: 'train' },
  lr: { kind: 'number', default: 0.01, min: 1e-6, max: 1, help: 'Adam learning rate', label: 'learning rate', modes: ['training'], group: 'train' },
  n_test: { kind: 'int', default: 256, min: 8, max: 200_000, help: 'Generated test images', modes: ['inference'], group: 'evaluate' },
} as const;

/** A small fixed budget for `npm run bench`. */
export const benchParams: Record<string, ParamValue> = { epochs: 2, n_train: 1024, n_test: 1024, batch_size: 32 };

const N_CLASSES = CLASS_NAMES.length;
/** Images shown by the Data cell. */
const PREVIEW_COUNT = 8;

function buildModel(tf: TF, learningRate: number): tfType.LayersModel {
  const model = tf.sequential({
    layers: [
      // Stride 2: the cpu backend's filter gradient is slow at full resolution, and stripes
      // of period ≥ 3 px keep their orientation at half resolution.
      tf.layers.conv2d({
        inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1],
        filters: 8,
        kernelSize: 3,
        strides: 2,
        activation: 'relu',
        padding: 'same',
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: N_CLASSES, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: adam(tf, learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

async function stripes(ctx: RunContext, split: Split, count: number, noise: number): Promise<ArraySet> {
  return ctx.datasets.getOrCreate(
    `stripes16-${split}-n${count}-noise${noise}-seed${ctx.seed}`,
    `${count} ${split} images of 16×16 stripes, noise ${noise}, seed ${ctx.seed}`,
    async () => makeStripes(count, noise, ctx.seed, split),
  );
}

function tensors(tf: TF, data: ArraySet): { x: tfType.Tensor4D; y: tfType.Tensor2D; labels: Int32Array } {
  const labels = data.labels.data as Int32Array;
  return {
    x: tf.tensor4d(data.images.data as Float32Array, data.images.shape as [number, number, number, number]),
    y: tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), N_CLASSES).toFloat() as tfType.Tensor2D),
    labels,
  };
}

/** Predicts batch by batch (reporting progress), returning [n, 2] probabilities and the seconds spent. */
async function predictAll(ctx: RunContext, model: tfType.LayersModel, x: tfType.Tensor4D, batchSize: number) {
  const { tf } = ctx;
  const n = x.shape[0];
  const probs = new Float32Array(n * N_CLASSES);
  ctx.event('predict');
  const start = performance.now();
  const batches = Math.ceil(n / batchSize);
  for (let b = 0; b < batches; b++) {
    const first = b * batchSize;
    const size = Math.min(batchSize, n - first);
    const batch = x.slice(first, size);
    probs.set(await predictBatched(tf, model, batch, batchSize, ctx.signal), first * N_CLASSES);
    batch.dispose();
    ctx.progress({ fraction: 0.2 + (0.8 * (first + size)) / n, label: `predicting, batch ${b + 1}/${batches}` });
  }
  return { probs, seconds: (performance.now() - start) / 1000 };
}

function checkModel(model: TrainedModel): void {
  const shape = model.model.inputs[0].shape.slice(1);
  if (shape.join(',') !== [IMAGE_SIZE, IMAGE_SIZE, 1].join(',')) {
    throw new Error(`demo_cnn expects a model with input 16×16×1, this one takes ${shape.join('×')}`);
  }
}

/** Turns a user array of shape [16,16], [n,16,16] or [n,16,16,1] into scaled float32 images. */
function userImages(array: NDArray<NumericArray>): { images: Float32Array; count: number } {
  const shape = array.shape;
  const trailing = shape[shape.length - 1] === 1 && shape.length > 2 ? shape.slice(0, -1) : shape;
  const ok = trailing.length >= 2 && trailing[trailing.length - 1] === IMAGE_SIZE && trailing[trailing.length - 2] === IMAGE_SIZE;
  if (!ok || trailing.length > 3) {
    throw new Error(`demo_cnn applies to 16×16 images ([16,16], [n,16,16] or [n,16,16,1]); got [${shape.join(', ')}]`);
  }
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const count = array.data.length / pixels;
  const images = Float32Array.from(array.data as ArrayLike<number>);
  for (let i = 0; i < count; i++) minMaxScale(images.subarray(i * pixels, (i + 1) * pixels));
  return { images, count };
}

export const benchmark = defineBenchmark({
  id: 'demo_cnn',
  title: 'Demo: stripes classifier',
  description: [
    'A tiny convolutional network that tells **horizontal** from **vertical** stripes in 16×16 images.',
    '',
    'The images are generated from the seed: sinusoidal stripes with a random period (3–8 px), phase and',
    'contrast, plus Gaussian noise (`noise`), each scaled to [0, 1]. The model is conv2d (8 filters, 3×3, stride 2,',
    'ReLU) → max-pool 2×2 → flatten → dense softmax (338 parameters), trained with Adam on categorical cross-entropy.',
    '',
    'Training reports the final loss and accuracy, validation loss and accuracy (on 25% as many fresh images)',
    'and throughput in images per second. Inference reports accuracy, macro F1 and cross-entropy on `n_test`',
    'fresh images, and a confusion matrix. It exists to show how a benchmark run works end to end in seconds.',
  ].join('\n'),
  group: 'examples',
  datasets: ['stripes16_sim'],
  params,
  modes: ['training', 'inference'],

  async preview(ctx, p) {
    const sample = makeStripes(PREVIEW_COUNT, p.noise, ctx.seed, 'train');
    const pixels = IMAGE_SIZE * IMAGE_SIZE;
    const labels = sample.labels.data as Int32Array;
    const preview: DataPreview = {
      images: Array.from(labels, (label, i) => ({
        title: `#${i}: ${CLASS_NAMES[label]}`,
        data: (sample.images.data as Float32Array).slice(i * pixels, (i + 1) * pixels),
        height: IMAGE_SIZE,
        width: IMAGE_SIZE,
        colormap: 'greys' as const,
      })),
      stats: { 'training images': p.n_train, 'image size (px)': `${IMAGE_SIZE}×${IMAGE_SIZE}`, 'noise std': p.noise },
      note: 'The first training images: sinusoidal stripes with random period, phase and contrast, plus noise, each scaled to [0, 1].',
    };
    return { ...preview }; // an interface has no index signature; the spread makes it an Artifacts record
  },

  buildModel: (tf, p) => buildModel(tf, p.lr),

  async training(ctx, p) {
    const { tf, log } = ctx;
    log.begin('Generating data');
    const train = await stripes(ctx, 'train', p.n_train, p.noise);
    const validation = await stripes(ctx, 'validation', Math.max(8, Math.round(p.n_train / 4)), p.noise);
    log.message(`${p.n_train} training and ${validation.labels.shape[0]} validation images`);
    log.end('Generating data');
    ctx.progress({ fraction: 0.1, label: 'data ready' });

    const t = tensors(tf, train);
    const v = tensors(tf, validation);
    try {
      log.begin('Building the model');
      const model = buildModel(tf, p.lr);
      log.message(`${model.countParams()} trainable parameters`);
      log.end('Building the model');

      log.begin('Training the model');
      const start = performance.now();
      const history = await fitModel(ctx, model, t.x, t.y, {
        epochs: p.epochs,
        batchSize: p.batch_size,
        validationData: [v.x, v.y],
        progressSpan: [0.1, 1],
      });
      const trainS = (performance.now() - start) / 1000;
      log.end('Training the model');

      const epochsDone = history.loss?.length ?? 0;
      const last = (key: string) => history[key]?.[epochsDone - 1];
      return {
        model,
        history,
        metrics: {
          loss: last('loss'),
          accuracy: last('acc'),
          val_loss: last('val_loss'),
          val_accuracy: last('val_acc'),
          throughput: epochsDone > 0 ? throughput(p.n_train * epochsDone, trainS) : undefined,
        },
        modelInfo: { classNames: [...CLASS_NAMES], inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1] },
      };
    } finally {
      tf.dispose([t.x, t.y, v.x, v.y]);
    }
  },

  async inference(ctx, p, trained) {
    const { tf, log } = ctx;
    checkModel(trained);
    log.begin('Generating data');
    const test = await stripes(ctx, 'test', p.n_test, p.noise);
    log.end('Generating data');
    ctx.progress({ fraction: 0.2, label: 'data ready' });

    const t = tensors(tf, test);
    try {
      log.begin('Inference');
      const { probs, seconds } = await predictAll(ctx, trained.model, t.x, p.batch_size);
      log.end('Inference');
      const predicted = argmaxRows(probs, N_CLASSES);
      const report = classificationReport(t.labels, predicted, N_CLASSES);
      log.message(`accuracy ${report.accuracy.toFixed(4)}, macro F1 ${report.macro.f1.toFixed(4)}`);
      return {
        metrics: {
          accuracy: report.accuracy,
          f1: report.macro.f1,
          loss: crossEntropy(probs, t.labels, N_CLASSES),
          throughput: throughput(p.n_test, seconds),
        },
        artifacts: { classNames: [...CLASS_NAMES], confusion: report.confusion, perClass: report.perClass },
      };
    } finally {
      tf.dispose([t.x, t.y]);
    }
  },

  async apply(ctx, p, trained, input) {
    checkModel(trained);
    const warnings: string[] = [];
    const entries = Object.entries(input.arrays);
    if (entries.length === 0) throw new Error(`${input.name}: no arrays to classify`);
    if (entries.length > 1) warnings.push(`${input.name}: classified "${entries[0][0]}"; ignored ${entries.slice(1).map((e) => e[0]).join(', ')}`);
    const { images, count } = userImages(entries[0][1]);
    warnings.push('each image was min–max scaled to [0, 1], as the training images are');
    const x = ctx.tf.tensor4d(images, [count, IMAGE_SIZE, IMAGE_SIZE, 1]);
    try {
      const { probs } = await predictAll(ctx, trained.model, x, p.batch_size);
      return {
        outputs: {
          probabilities: { data: probs, shape: [count, N_CLASSES] },
          labels: { data: argmaxRows(probs, N_CLASSES), shape: [count] },
        },
        artifacts: { classNames: [...CLASS_NAMES] },
        warnings,
      };
    } finally {
      x.dispose();
    }
  },
});
