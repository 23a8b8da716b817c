import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { benchmark as demo } from '../src/benchmarks/demo';
import { makeStripes } from '../src/benchmarks/demo/data';
import { benchmarks, getBenchmark, getBenchParams } from '../src/benchmarks/registry';
import { defineBenchmark, type ArraySet, type DatasetCache } from '../src/lib/harness/contract';
import { parseConsoleLog } from '../src/lib/harness/logger';
import { loadModel, saveModel } from '../src/lib/harness/model-io';
import type { DataPreview } from '../src/lib/harness/preview';
import { ParamError } from '../src/lib/harness/params';
import { runBenchmark, withSeededMathRandom } from '../src/lib/harness/runner';
import { cpuContext } from './helpers/context';

tf.enableProdMode();

function memoryCache(): DatasetCache & { keys: string[] } {
  const sets = new Map<string, ArraySet>();
  return {
    keys: [],
    async getOrCreate(key, _d, make) {
      this.keys.push(key);
      if (!sets.has(key)) sets.set(key, await make());
      return sets.get(key)!;
    },
  };
}

const TINY = { n_train: '64', epochs: '2', batch_size: '16' };

async function train(seed: number, datasets: DatasetCache = memoryCache(), overrides: Record<string, string> = TINY) {
  await tf.setBackend('cpu');
  return runBenchmark({ benchmark: demo, mode: 'training', overrides, seed, tf, backend: 'cpu', datasets, monitorIntervalS: 0.05 });
}

describe('runBenchmark with the demo benchmark', () => {
  it('records arguments, metrics, history, a well-formed log and monitor events; leaks no tensors', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const lines: string[] = [];
    const progress: number[] = [];
    const datasets = memoryCache();
    const { record, trained } = await runBenchmark({
      benchmark: demo,
      mode: 'training',
      overrides: TINY,
      seed: 3,
      tf,
      backend: 'cpu',
      datasets,
      monitorIntervalS: 0.05,
      onLine: (l) => lines.push(l),
      onProgress: (r) => progress.push(r.fraction),
    });
    expect(record.status).toBe('ok');
    expect(record.error).toBeUndefined();
    expect(record.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(record.args).toEqual({ n_train: 64, noise: 0.3, epochs: 2, batch_size: 16, lr: 0.01 });
    expect(record.seed).toBe(3);
    expect(record.history.loss).toHaveLength(2);
    expect(record.history.val_loss).toHaveLength(2);
    expect(record.metrics.loss).toBe(record.history.loss[1]);
    expect(record.metrics.time).toBeGreaterThan(0);
    expect(record.metrics.throughput).toBeGreaterThan(0);
    expect(record.metrics.accuracy).toBeGreaterThanOrEqual(0);
    expect(record.metrics.accuracy).toBeLessThanOrEqual(1);
    expect(Date.parse(record.finished)).toBeGreaterThanOrEqual(Date.parse(record.started));
    expect(progress[progress.length - 1]).toBeCloseTo(1, 6);

    expect(lines).toEqual(record.log);
    expect(record.log[0]).toBe('<BEGIN> Running benchmark demo_cnn in training mode');
    expect(record.log[record.log.length - 1]).toMatch(/^<ENDED> Running benchmark demo_cnn in training mode \[ELAPSED = \d+\.\d{6} sec\]$/);
    expect(record.log).toContain('........<MESSG> epochs: 2');
    expect(record.log.some((l) => /^\.{8}<MESSG> dataset generated in [\d.]+ s: 64 train images/.test(l))).toBe(true);
    const tree = parseConsoleLog(record.log.join('\n'));
    expect(tree.children[0].children.map((c) => c.name)).toEqual([
      'Parsing input arguments',
      'Generating data',
      'Building the model',
      'Training the model',
    ]);
    expect(tree.children[0].elapsedS).toBeCloseTo(record.metrics.time!, 5);

    const events = record.monitor.map((r) => r.Event).join('; ');
    expect(events).toMatch(/start training.*epoch 0.*epoch 1.*end training/);
    expect(record.monitor[0]).toMatchObject({ 'Elapsed (sec)': 0, Backend: 'cpu' });

    expect(trained?.id).toBe(record.modelId);
    expect(trained?.trainingParams).toEqual(record.args);
    expect(trained?.info).toMatchObject({ classNames: ['horizontal', 'vertical'] });
    expect(trained?.model.countParams()).toBe(338);
    trained?.model.dispose();
    expect(tf.memory().numTensors).toBe(before);

    // A second run with the same parameters takes its data from the cache.
    const again = await train(3, datasets);
    expect(again.record.log.some((l) => l.includes('dataset from cache: 64 train images'))).toBe(true);
    again.trained?.model.dispose();
  });

  it('is reproducible for a seed on the cpu backend, and the seed matters', async () => {
    const a = await train(11);
    const b = await train(11);
    const c = await train(12);
    expect(b.record.history).toEqual(a.record.history);
    expect(b.record.metrics.loss).toBe(a.record.metrics.loss);
    expect(c.record.history.loss).not.toEqual(a.record.history.loss);
    for (const r of [a, b, c]) r.trained?.model.dispose();
  });

  it('restores Math.random after a run', async () => {
    const original = Math.random;
    const seen = await withSeededMathRandom(5, async () => [Math.random(), Math.random()]);
    const again = await withSeededMathRandom(5, async () => [Math.random(), Math.random()]);
    expect(again).toEqual(seen);
    expect(Math.random).toBe(original);
    await expect(withSeededMathRandom(5, async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(Math.random).toBe(original);
  });

  it('evaluates the trained model in inference mode', async () => {
    const { trained } = await train(0, memoryCache(), { n_train: '256', epochs: '3' });
    const { record, artifacts } = await runBenchmark({
      benchmark: demo,
      mode: 'inference',
      overrides: { n_test: '64', epochs: '9' },
      tf,
      backend: 'cpu',
      datasets: memoryCache(),
      model: trained!,
    });
    expect(record.status).toBe('ok');
    expect(record.args).toEqual({ noise: 0.3, batch_size: 32, n_test: 64 });
    expect(record.log).toContain('........<MESSG> not used in inference mode: epochs');
    expect(record.modelId).toBe(trained!.id);
    expect(record.history).toEqual({});
    // Three epochs on 256 images separate the two stripe orientations well.
    expect(record.metrics.accuracy).toBeGreaterThan(0.8);
    expect(record.metrics.f1).toBeGreaterThan(0.8);
    expect(record.metrics.loss).toBeGreaterThan(0);
    const confusion = artifacts?.confusion as number[][];
    expect(confusion.flat().reduce((a, b) => a + b, 0)).toBe(64);
    expect((confusion[0][0] + confusion[1][1]) / 64).toBeCloseTo(record.metrics.accuracy!, 12);

    // A model the run loaded itself is disposed when it ends; one passed in stays with the caller.
    const before = tf.memory().numTensors;
    const files = await saveModel(tf, trained!);
    const viaLoader = await runBenchmark({
      benchmark: demo,
      mode: 'inference',
      overrides: { n_test: '16' },
      tf,
      backend: 'cpu',
      datasets: memoryCache(),
      model: () => loadModel(tf, files),
    });
    expect(viaLoader.record.status).toBe('ok');
    expect(tf.memory().numTensors).toBe(before);
    expect(trained!.model.layers[0].getWeights()[0].isDisposed).toBe(false);

    // A model of another benchmark is refused inside the run.
    const wrong = await runBenchmark({
      benchmark: demo,
      mode: 'inference',
      tf,
      backend: 'cpu',
      datasets: memoryCache(),
      model: { ...trained!, benchmark: 'em_denoise' },
    });
    expect(wrong.record.status).toBe('error');
    expect(wrong.record.error).toMatch(/trained by em_denoise/);
    trained?.model.dispose();
  });

  it('refuses bad parameters, a missing mode and inference without a model before running', async () => {
    const base = { benchmark: demo, tf, backend: 'cpu', datasets: memoryCache() };
    await expect(runBenchmark({ ...base, mode: 'training', overrides: { epoch: '1' } })).rejects.toBeInstanceOf(ParamError);
    await expect(runBenchmark({ ...base, mode: 'training', overrides: { epochs: '0' } })).rejects.toThrow(/out of range/);
    await expect(runBenchmark({ ...base, mode: 'inference' })).rejects.toThrow(/needs a trained model/);
    const trainOnly = defineBenchmark({ ...demo, modes: ['training'] });
    await expect(runBenchmark({ ...base, benchmark: trainOnly, mode: 'inference', model: async () => ({}) as never })).rejects.toThrow(
      /no inference mode/,
    );
  });

  it('records a failure inside the benchmark as status error, with the log closed', async () => {
    const failing = defineBenchmark({
      ...demo,
      id: 'failing',
      async training(ctx) {
        ctx.log.begin('Generating data');
        ctx.log.begin('inner');
        throw new Error('generator exploded');
      },
    });
    const { record, trained } = await runBenchmark({ benchmark: failing, mode: 'training', tf, backend: 'cpu', datasets: memoryCache() });
    expect(record.status).toBe('error');
    expect(record.error).toBe('generator exploded');
    expect(trained).toBeUndefined();
    expect(record.log.slice(-4)).toEqual([
      expect.stringMatching(/^\.{8}<ENDED> inner \[ELAPSED/),
      expect.stringMatching(/^\.{4}<ENDED> Generating data \[ELAPSED/),
      '....<MESSG> ERROR: generator exploded',
      expect.stringMatching(/^<ENDED> Running benchmark failing in training mode/),
    ]);
    expect(record.metrics.time).toBeGreaterThanOrEqual(0);
  });

  it('stops between batches when aborted and says so', async () => {
    const controller = new AbortController();
    const { record, trained } = await runBenchmark({
      benchmark: demo,
      mode: 'training',
      overrides: { n_train: '64', epochs: '50', batch_size: '16' },
      tf,
      backend: 'cpu',
      datasets: memoryCache(),
      signal: controller.signal,
      onProgress: (r) => {
        if (r.label.includes('batch 2/')) controller.abort();
      },
    });
    expect(record.status).toBe('stopped');
    expect(record.history.loss.length).toBeLessThanOrEqual(1);
    expect(record.log).toContain('....<MESSG> stopped by the user');
    trained?.model.dispose();
  });
});

describe('demo benchmark pieces', () => {
  it('generates balanced, seeded stripes in [0, 1] and distinct splits', () => {
    const a = makeStripes(200, 0.3, 1, 'train');
    const b = makeStripes(200, 0.3, 1, 'train');
    const test = makeStripes(200, 0.3, 1, 'test');
    expect(a.images.shape).toEqual([200, 16, 16, 1]);
    expect([...a.images.data]).toEqual([...b.images.data]);
    expect([...test.images.data.slice(0, 256)]).not.toEqual([...a.images.data.slice(0, 256)]);
    const ones = [...a.labels.data].filter((l) => l === 1).length;
    expect(ones).toBeGreaterThan(70);
    expect(ones).toBeLessThan(130);
    expect(Math.min(...a.images.data)).toBe(0);
    expect(Math.max(...a.images.data)).toBe(1);
    // Horizontal stripes vary along y, not x: compare the variance of row means and column means.
    const img = Array.from(a.images.data.subarray(0, 256));
    const rowMeans = Array.from({ length: 16 }, (_, y) => img.slice(y * 16, y * 16 + 16).reduce((s, v) => s + v, 0) / 16);
    const colMeans = Array.from({ length: 16 }, (_, x) => Array.from({ length: 16 }, (_, y) => img[y * 16 + x]).reduce((s, v) => s + v, 0) / 16);
    const variance = (v: number[]) => v.reduce((s, x) => s + (x - v.reduce((p, q) => p + q, 0) / v.length) ** 2, 0) / v.length;
    const horizontal = a.labels.data[0] === 0;
    expect(variance(horizontal ? rowMeans : colMeans)).toBeGreaterThan(variance(horizontal ? colMeans : rowMeans));
  });

  it('previews, builds its model and applies it to user arrays', async () => {
    const ctx = await cpuContext(0);
    const values = { n_train: 256, noise: 0.3, epochs: 5, batch_size: 32, lr: 0.01, n_test: 256 };
    const preview = (await demo.preview!(ctx, values)) as DataPreview;
    expect(preview.images).toHaveLength(8);
    expect(preview.images![0]).toMatchObject({ height: 16, width: 16 });
    expect(preview.images![0].data).toHaveLength(256);
    expect(preview.images![0].title).toMatch(/^#0: (horizontal|vertical)$/);
    const model = demo.buildModel!(tf, values);
    const trained = { model, id: 'x', benchmark: 'demo_cnn', trainingParams: {}, info: {} };
    const images = new Uint8Array(3 * 256).map((_, i) => (i * 37) % 251);
    const result = await demo.apply!(ctx, values, trained, { name: 'mine.npy', arrays: { x: { data: images, shape: [3, 16, 16] } } });
    expect(result.outputs.probabilities.shape).toEqual([3, 2]);
    const p = result.outputs.probabilities.data;
    for (let i = 0; i < 3; i++) expect(p[2 * i] + p[2 * i + 1]).toBeCloseTo(1, 5);
    expect(result.outputs.labels.shape).toEqual([3]);
    await expect(demo.apply!(ctx, values, trained, { name: 'bad', arrays: { x: { data: new Float32Array(64), shape: [8, 8] } } })).rejects.toThrow(
      /applies to 16×16 images/,
    );
    model.dispose();
  });
});

describe('registry', () => {
  it('lists benchmarks with unique ids and finds them by id', () => {
    const ids = benchmarks.map((b) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(getBenchmark('demo_cnn')).toBe(demo);
    expect(() => getBenchmark('nope')).toThrow(/unknown benchmark "nope"; known benchmarks: .*demo_cnn/);
    expect(getBenchParams('demo_cnn')).toMatchObject({ epochs: 2 });
    expect(getBenchParams('nope')).toEqual({});
  });
});
