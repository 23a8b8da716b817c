/**
 * The reference 1-D CNN of ml_difsims ("large_filter_cnn", §2.4 of the reference notes):
 *
 *   Conv1D 64 k6 ReLU → MaxPool 2 → Conv1D 64 k6 ReLU → MaxPool 2 → Dropout 0.5
 *   → Conv1D 64 k6 ReLU → MaxPool 2 → Flatten → Dense 128 ReLU → Dense n_phases softmax
 *
 * 164,931 parameters for 147-point profiles and 3 phases. Categorical cross-entropy, Adam.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../../lib/harness/contract';
import { adam } from '../../lib/engine/optimizer';
import { PROFILE_LENGTH } from './profile';

export interface ModelOptions {
  nPhases: number;
  learningRate: number;
  /** Seeds the weight initialisers (reproducible on the cpu backend). */
  seed: number;
  inputLength?: number;
}

export function buildModel(tf: TF, opts: ModelOptions): tfType.Sequential {
  const inputLength = opts.inputLength ?? PROFILE_LENGTH;
  let layerSeed = opts.seed >>> 0;
  const init = () => tf.initializers.glorotUniform({ seed: layerSeed++ });
  const model = tf.sequential({ name: 'large_filter_cnn' });
  const conv = (first: boolean) =>
    tf.layers.conv1d({
      filters: 64,
      kernelSize: 6,
      padding: 'valid',
      activation: 'relu',
      kernelInitializer: init(),
      ...(first ? { inputShape: [inputLength, 1] } : {}),
    });
  model.add(conv(true));
  model.add(tf.layers.maxPooling1d({ poolSize: 2 }));
  model.add(conv(false));
  model.add(tf.layers.maxPooling1d({ poolSize: 2 }));
  model.add(tf.layers.dropout({ rate: 0.5, seed: layerSeed++ }));
  model.add(conv(false));
  model.add(tf.layers.maxPooling1d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init() }));
  model.add(tf.layers.dense({ units: opts.nPhases, activation: 'softmax', kernelInitializer: init() }));
  model.compile({
    optimizer: adam(tf, opts.learningRate),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}
