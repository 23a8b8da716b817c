import { describe, expect, it } from 'vitest';
import { adam } from '../src/lib/engine/optimizer';
import { fitModel, predictBatched } from '../src/lib/engine/train';
import { cpuContext } from './helpers/context';

describe('fitModel', () => {
  it('trains, records history per epoch, keeps the tensor count flat across epochs and releases the optimizer', async () => {
    const ctx = await cpuContext();
    const { tf } = ctx;
    const start = tf.memory().numTensors;
    const counts: number[] = [];
    ctx.epoch = () => counts.push(tf.memory().numTensors);
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }), tf.layers.dense({ units: 1 })],
    });
    model.compile({ optimizer: adam(tf, 0.01), loss: 'meanSquaredError' });
    const x = tf.randomNormal([64, 4], 0, 1, 'float32', 1);
    const y = x.sum(1, true);
    const history = await fitModel(ctx, model, x, y, { epochs: 4, batchSize: 16 });
    // Flat from the second epoch on (the first creates Adam's moments).
    expect(counts).toHaveLength(4);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(history.loss).toHaveLength(4);
    expect(history.loss[2]).toBeLessThan(history.loss[0]);
    expect(ctx.events).toContain('epoch 3');
    expect(ctx.lines.some((l) => l.startsWith('MESSG Epoch 03: loss='))).toBe(true);

    const pred = await predictBatched(tf, model, x, 24);
    expect(pred).toHaveLength(64);
    const predicted = model.predict(x) as import('@tensorflow/tfjs').Tensor;
    const direct = await predicted.data();
    expect(Math.max(...pred.map((v, i) => Math.abs(v - direct[i])))).toBeLessThan(1e-5);
    tf.dispose([x, y, predicted]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
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
