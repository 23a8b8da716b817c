import { describe, expect, it } from 'vitest';
import { fitModel, predictBatched } from '../src/lib/engine/train';
import { cpuContext } from './helpers/context';

describe('fitModel', () => {
  it('trains, records history per epoch and keeps the tensor count flat across epochs', async () => {
    const ctx = await cpuContext();
    const { tf } = ctx;
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }), tf.layers.dense({ units: 1 })],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const x = tf.randomNormal([64, 4], 0, 1, 'float32', 1);
    const y = x.sum(1, true);
    await fitModel(ctx, model, x, y, { epochs: 1, batchSize: 16 });
    const before = tf.memory().numTensors;
    const history = await fitModel(ctx, model, x, y, { epochs: 3, batchSize: 16 });
    expect(tf.memory().numTensors).toBe(before);
    expect(history.loss).toHaveLength(3);
    expect(history.loss[2]).toBeLessThan(history.loss[0]);
    expect(ctx.events).toContain('epoch 2');
    expect(ctx.lines.some((l) => l.startsWith('MESSG Epoch 02: loss='))).toBe(true);

    const pred = await predictBatched(tf, model, x, 24);
    expect(pred).toHaveLength(64);
    const direct = await (model.predict(x) as import('@tensorflow/tfjs').Tensor).data();
    expect(Math.max(...pred.map((v, i) => Math.abs(v - direct[i])))).toBeLessThan(1e-5);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('stops between batches when the signal is aborted', async () => {
    const ctx = await cpuContext();
    const controller = new AbortController();
    ctx.signal = controller.signal;
    ctx.progress = () => controller.abort();
    const { tf } = ctx;
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = tf.zeros([32, 2]);
    const y = tf.zeros([32, 1]);
    const history = await fitModel(ctx, model, x, y, { epochs: 50, batchSize: 8 });
    expect(history.loss.length).toBeLessThanOrEqual(1);
    tf.dispose([x, y]);
  });
});
