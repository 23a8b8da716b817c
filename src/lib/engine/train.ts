/**
 * The one training loop every benchmark uses: tf.LayersModel.fit with the harness's
 * progress, logging, monitor events, live history and stop button wired in.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { History, RunContext } from '../harness/contract';

export interface FitOptions {
  epochs: number;
  batchSize: number;
  validationData?: [tfType.Tensor, tfType.Tensor];
  /** Fraction of the run's progress bar this training covers, e.g. [0.2, 0.9]. */
  progressSpan?: [number, number];
  shuffle?: boolean;
}

/** Trains `model` on (x, y) once (its optimizer is released afterwards); returns the per-epoch history as plain numbers. */
export async function fitModel(
  ctx: RunContext,
  model: tfType.LayersModel,
  x: tfType.Tensor | tfType.Tensor[],
  y: tfType.Tensor | tfType.Tensor[],
  opts: FitOptions,
): Promise<History> {
  const [p0, p1] = opts.progressSpan ?? [0, 1];
  const n = (Array.isArray(x) ? x[0] : x).shape[0];
  const batchesPerEpoch = Math.ceil(n / opts.batchSize);
  const history: History = {};
  let epochStart = 0;

  await model.fit(x, y, {
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    shuffle: opts.shuffle ?? true,
    validationData: opts.validationData,
    verbose: 0,
    callbacks: {
      onEpochBegin: async (epoch) => {
        epochStart = performance.now();
        ctx.event(`epoch ${epoch}`);
      },
      onBatchEnd: async (batch) => {
        const epochIndex = Object.values(history)[0]?.length ?? 0;
        const done = (epochIndex * batchesPerEpoch + batch + 1) / (opts.epochs * batchesPerEpoch);
        ctx.progress({
          fraction: p0 + (p1 - p0) * done,
          label: `epoch ${epochIndex + 1}/${opts.epochs}, batch ${batch + 1}/${batchesPerEpoch}`,
        });
        if (ctx.signal.aborted) model.stopTraining = true;
      },
      onEpochEnd: async (epoch, logs) => {
        const plain: Record<string, number> = {};
        for (const [key, value] of Object.entries(logs ?? {})) {
          const v = typeof value === 'number' ? value : (await (value as tfType.Scalar).data())[0];
          plain[key] = v;
          (history[key] ??= []).push(v);
        }
        const elapsed = (performance.now() - epochStart) / 1000;
        const parts = Object.entries(plain).map(([k, v]) => `${k}=${v.toPrecision(5)}`);
        ctx.log.message(`Epoch ${String(epoch).padStart(2, '0')}: ${parts.join(' ')} elapsed=${elapsed.toFixed(3)} sec`);
        ctx.epoch(epoch, plain);
        if (ctx.signal.aborted) model.stopTraining = true;
      },
    },
  });
  // A model is trained once: release the optimizer's state (Adam's two moments are twice the
  // weights' memory), which model.dispose() leaves behind for an optimizer passed to compile().
  model.optimizer?.dispose();
  return history;
}

/** Predicts in fixed-size batches (fixed shapes let WebGPU reuse buffers), reading back asynchronously. */
export async function predictBatched(
  tf: typeof tfType,
  model: tfType.LayersModel,
  x: tfType.Tensor,
  batchSize: number,
  signal?: AbortSignal,
): Promise<Float32Array> {
  const n = x.shape[0];
  const outShape = model.outputs[0].shape.slice(1).map((d) => d ?? 1);
  const perItem = outShape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n * perItem);
  for (let start = 0; start < n; start += batchSize) {
    if (signal?.aborted) throw new DOMException('stopped by the user', 'AbortError');
    const size = Math.min(batchSize, n - start);
    const pred = tf.tidy(() => {
      let batch = x.slice(start, size);
      // Pad the last batch to full size so every call has the same shape.
      if (size < batchSize) {
        const padShape = [batchSize - size, ...x.shape.slice(1)];
        batch = tf.concat([batch, tf.zeros(padShape, x.dtype)], 0);
      }
      return (model.predict(batch) as tfType.Tensor).slice(0, size);
    });
    out.set(await pred.data(), start * perItem);
    pred.dispose();
  }
  return out;
}
