import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { strToU8, unzipSync, zipSync } from 'fflate';
import YAML from 'yaml';
import { bundleFileName, exportBundle, importBundle, importBundleFiles } from '../src/lib/harness/bundle';
import { loadModel, modelFilesFromEntries, modelFilesToEntries, saveModel } from '../src/lib/harness/model-io';
import { loadModelFiles, readBundleDir, writeBundleDir } from '../src/lib/harness/node/bundle-dir';
import { keyFolder, listCachedDatasets, NodeDatasetCache } from '../src/lib/harness/node/dataset-cache';
import { RUN_FORMAT, type RunRecord } from '../src/lib/harness/runner';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sciml-bundle-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function sampleRecord(mode: RunRecord['mode'] = 'training'): RunRecord {
  return {
    format: RUN_FORMAT,
    id: '0b8e4c52-4f0e-4b8e-9a57-1d4f2f6c1e2a',
    benchmark: 'demo_cnn',
    mode,
    args: { epochs: 2, lr: 0.001, augment: true, loss: 'mse' },
    seed: 7,
    backend: 'cpu',
    metrics: { time: 1.5, loss: 0.25, accuracy: 0.875, throughput: 341.3, psnr: Infinity, val_loss: NaN },
    history: mode === 'training' ? { loss: [0.5, 0.25], acc: [0.5, 0.875] } : {},
    log: ['<BEGIN> Running benchmark demo_cnn in training mode', '....<MESSG> hi', '<ENDED> Running benchmark demo_cnn in training mode [ELAPSED = 1.500000 sec]'],
    monitor: [
      { 'Elapsed (sec)': 0, Backend: 'cpu', TFBytes: 0, Event: 'start training' },
      { 'Elapsed (sec)': 1, Backend: 'cpu', TFBytes: 1024, Event: 'epoch 1; epoch 2' },
    ],
    started: '2025-03-04T05:06:07.000Z',
    finished: '2025-03-04T05:06:08.500Z',
    status: 'ok',
    modelId: 'f3f5d7a1-1111-4222-8333-944455556666',
    environment: { runtime: 'node' },
  };
}

async function sampleModel() {
  await tf.setBackend('cpu');
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, activation: 'softmax' })] });
  return { model, id: 'f3f5d7a1-1111-4222-8333-944455556666', benchmark: 'demo_cnn', trainingParams: { epochs: 2 }, info: { classNames: ['a', 'b'] } };
}

describe('model files', () => {
  it('save → entries → load reproduces predictions and metadata', async () => {
    const trained = await sampleModel();
    const files = await saveModel(tf, trained);
    expect(files.modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(files.weights.byteLength).toBe((3 * 2 + 2) * 4);
    const entries = modelFilesToEntries(files);
    expect(Object.keys(entries).sort()).toEqual(['model.json', 'model_info.json', 'weights.bin']);
    const back = await loadModel(tf, modelFilesFromEntries(entries));
    expect(back.id).toBe(trained.id);
    expect(back.info).toEqual({ classNames: ['a', 'b'] });
    const x = tf.tensor2d([[1, 2, 3]]);
    const a = await (trained.model.predict(x) as tf.Tensor).data();
    const b = await (back.model.predict(x) as tf.Tensor).data();
    expect([...b]).toEqual([...a]);
    tf.dispose([x]);
    trained.model.dispose();
    back.model.dispose();
  });

  it('reports missing or inconsistent files', async () => {
    const trained = await sampleModel();
    const entries = modelFilesToEntries(await saveModel(tf, trained));
    trained.model.dispose();
    const { 'weights.bin': _w, ...noWeights } = entries;
    expect(() => modelFilesFromEntries(noWeights)).toThrow(/weights.bin is missing/);
    expect(() => modelFilesFromEntries({ ...entries, 'weights.bin': new Uint8Array(4) })).toThrow(/has 4 bytes, the manifest expects 32/);
    expect(() => modelFilesFromEntries({ ...entries, 'model_info.json': strToU8('{') })).toThrow(/not valid JSON/);
  });
});

describe('run bundles', () => {
  it('zip round trip is exact, including NaN and Infinity metrics, with the SciML-Bench layout', async () => {
    const trained = await sampleModel();
    const files = await saveModel(tf, trained);
    trained.model.dispose();
    const record = sampleRecord();
    const zip = exportBundle(record, files);
    const entries = unzipSync(zip);
    expect(Object.keys(entries).sort()).toEqual([
      'metrics.yml',
      'model/model.json',
      'model/model_info.json',
      'model/weights.bin',
      'run.json',
      'sciml_bench_run_logs/console.log',
      'sciml_bench_run_sys/monitor.csv',
      'training_arguments_used.yml',
      'training_history.yml',
    ]);
    const text = (p: string) => new TextDecoder().decode(entries[p]);
    expect(YAML.parse(text('training_arguments_used.yml'))).toEqual(record.args);
    expect(text('training_arguments_used.yml')).toMatch(/^# sciml-notebook run 0b8e4c52-.*: benchmark demo_cnn, mode training, backend cpu, seed 7, status ok\n/);
    expect(YAML.parse(text('metrics.yml'))).toEqual(record.metrics);
    expect(YAML.parse(text('training_history.yml'))).toEqual(record.history);
    expect(text('sciml_bench_run_logs/console.log')).toBe(record.log.join('\n') + '\n');
    expect(text('sciml_bench_run_sys/monitor.csv').split('\n')[2]).toBe('1,cpu,1024,epoch 1; epoch 2');

    const back = importBundle(zip);
    expect(back.record).toEqual(record);
    expect(back.model?.info.id).toBe(files.info.id);
    expect([...back.model!.weights]).toEqual([...files.weights]);
    expect(bundleFileName(record)).toBe('demo_cnn_training_20250304-050607.zip');
  });

  it('rebuilds the record from the SciML-Bench files when run.json is absent, inside a wrapper folder', () => {
    const record = sampleRecord();
    const entries = unzipSync(exportBundle(record));
    const wrapped: Record<string, Uint8Array> = {};
    for (const [path, bytes] of Object.entries(entries)) if (path !== 'run.json') wrapped[`out/${path}`] = bytes;
    const back = importBundle(zipSync(wrapped)).record;
    expect(back).toMatchObject({
      id: record.id,
      benchmark: 'demo_cnn',
      mode: 'training',
      seed: 7,
      backend: 'cpu',
      status: 'ok',
      args: record.args,
      metrics: record.metrics,
      history: record.history,
      log: record.log,
      monitor: record.monitor,
    });
  });

  it('an inference bundle has no history file and no model', () => {
    const record = sampleRecord('inference');
    const entries = unzipSync(exportBundle(record));
    expect(entries['inference_arguments_used.yml']).toBeDefined();
    expect(entries['training_history.yml']).toBeUndefined();
    expect(Object.keys(entries).some((p) => p.startsWith('model/'))).toBe(false);
    expect(importBundle(exportBundle(record))).toEqual({ record });
  });

  it('refuses what is not a bundle', () => {
    expect(() => importBundle(strToU8('hello'))).toThrow(/not a zip file/);
    expect(() => importBundleFiles({ 'x.txt': strToU8('x'), 'y.txt': strToU8('y') })).toThrow(/not a run bundle/);
  });

  it('writes and reads an output folder, and finds its model for --model', async () => {
    const trained = await sampleModel();
    const files = await saveModel(tf, trained);
    trained.model.dispose();
    const dir = await tempDir();
    const record = sampleRecord();
    const written = await writeBundleDir(dir, record, files);
    expect(written).toContain('sciml_bench_run_logs/console.log');
    expect((await readdir(join(dir, 'model'))).sort()).toEqual(['model.json', 'model_info.json', 'weights.bin']);
    expect((await readBundleDir(dir)).record).toEqual(record);
    expect((await loadModelFiles(dir)).info.id).toBe(files.info.id);
    expect((await loadModelFiles(join(dir, 'model'))).info.id).toBe(files.info.id);
    const zipPath = join(dir, 'bundle.zip');
    await import('node:fs/promises').then((fs) => fs.writeFile(zipPath, exportBundle(record, files)));
    expect((await loadModelFiles(zipPath)).info.id).toBe(files.info.id);
    await expect(loadModelFiles(join(dir, 'nope'))).rejects.toThrow(/no such file/);
    await expect(loadModelFiles(join(dir, 'sciml_bench_run_logs'))).rejects.toThrow(/model.json is missing/);
  });
});

describe('dataset cache (Node)', () => {
  it('keeps every numeric dtype and shape, in .npy files numpy reads', async () => {
    const root = await tempDir();
    const set = {
      f32: { data: new Float32Array([1.5, -2, 3, 4, 5, 6]), shape: [2, 3, 1] },
      f64: { data: new Float64Array([Math.PI]), shape: [1] },
      i8: { data: new Int8Array([-128, 127]), shape: [2] },
      i16: { data: new Int16Array([-3]), shape: [1] },
      i32: { data: new Int32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] },
      u8: { data: new Uint8Array([0, 255]), shape: [2] },
      u16: { data: new Uint16Array([65535]), shape: [1] },
      u32: { data: new Uint32Array([4294967295]), shape: [1] },
    };
    await new NodeDatasetCache('b', root).getOrCreate('all-dtypes', 'every dtype', async () => set);
    const back = await new NodeDatasetCache('b', root).getOrCreate('all-dtypes', 'every dtype', async () => {
      throw new Error('should come from the cache');
    });
    for (const [name, array] of Object.entries(set)) {
      expect(back[name].data.constructor, name).toBe(array.data.constructor);
      expect([...back[name].data], name).toEqual([...array.data]);
      expect(back[name].shape, name).toEqual(array.shape);
    }

    const hasNumpy =
      existsSync('/usr/bin/python3') &&
      spawnSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
    if (!hasNumpy) {
      console.warn('numpy check skipped: /usr/bin/python3 has no numpy');
      return;
    }
    const path = join(root, 'b', 'all-dtypes', 'i32.npy');
    const script = `import numpy as np; a = np.load(${JSON.stringify(path)}); print(a.dtype, a.shape, a.sum())`;
    expect(spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' }).stdout.trim()).toBe('int32 (2, 3) 21');
  });

  it('generates once, then reads back from disk; lists what is cached', async () => {
    const root = await tempDir();
    let calls = 0;
    const make = async () => {
      calls++;
      return { x: { data: new Float32Array([1, 2, 3, 4]), shape: [2, 2] }, y: { data: new Int32Array([0, 1]), shape: [2] } };
    };
    const first = await new NodeDatasetCache('demo_cnn', root).getOrCreate('train n=2/seed 0', 'two items', make);
    const second = await new NodeDatasetCache('demo_cnn', root).getOrCreate('train n=2/seed 0', 'two items', make);
    expect(calls).toBe(1);
    expect([...second.x.data]).toEqual([...first.x.data]);
    expect(second.y.data).toBeInstanceOf(Int32Array);
    const listed = await listCachedDatasets(root);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ benchmark: 'demo_cnn', key: 'train n=2/seed 0', describe: 'two items' });
    expect(listed[0].bytes).toBeGreaterThan(16);
    // A damaged file is regenerated.
    await import('node:fs/promises').then((fs) => fs.writeFile(join(listed[0].dir, 'x.npy'), 'garbage'));
    await new NodeDatasetCache('demo_cnn', root).getOrCreate('train n=2/seed 0', 'two items', make);
    expect(calls).toBe(2);
    expect(JSON.parse(await readFile(join(listed[0].dir, 'dataset.json'), 'utf8')).arrays.x.shape).toEqual([2, 2]);
  });

  it('makes keys safe as folder names without collisions', () => {
    expect(keyFolder('train-n256-noise0.3-seed0')).toBe('train-n256-noise0.3-seed0');
    expect(keyFolder('a/b')).toMatch(/^a_b-[0-9a-f]{8}$/);
    expect(keyFolder('a/b')).not.toBe(keyFolder('a?b'));
    expect(keyFolder('..')).not.toContain('..');
  });
});
