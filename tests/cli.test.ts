/**
 * The `sciml-bench` CLI end to end, as a user runs it: `node cli/sciml-bench.mjs …` in a child
 * process, with HOME pointed at a temporary folder so nothing lands in the real ~/sciml_bench.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { numericDType } from '../src/lib/io/dtype';
import { writeNpy } from '../src/lib/io/npy';

const CLI = join(__dirname, '..', 'cli', 'sciml-bench.mjs');
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
let home: string;

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: home,
    env: { ...process.env, HOME: home, ...env },
    encoding: 'utf8',
    timeout: 110_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'sciml-cli-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

const TINY = ['-b', 'epochs', '1', '-b', 'n_train', '32', '-b', 'batch_size', '16'];
const LOG_LINE = /^(\.{4})*<(BEGIN> .+|ENDED> .+ \[ELAPSED = \d+\.\d{6} sec\]|MESSG> .*)$/;

describe('sciml-bench run', () => {
  it('trains the demo for one tiny epoch on cpu and writes the SciML-Bench layout', async () => {
    const r = cli(['run', 'demo_cnn', '--mode', 'training', ...TINY, '--backend', 'cpu', '--output_dir', '@first', '--dataset_dir', join(home, 'ds')]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('demo_cnn (training) on cpu, seed 0');
    const out = join(home, 'sciml_bench', 'outputs', 'demo_cnn', 'first');
    expect(r.stdout).toContain(`wrote 9 files to ${out}`);

    const text = (p: string) => readFile(join(out, p), 'utf8');
    const args = YAML.parse(await text('training_arguments_used.yml'));
    expect(args).toEqual({ n_train: 32, noise: 0.3, epochs: 1, batch_size: 16, lr: 0.01 });
    const metrics = YAML.parse(await text('metrics.yml'));
    for (const key of ['time', 'loss', 'accuracy', 'throughput']) expect(typeof metrics[key], key).toBe('number');
    const history = YAML.parse(await text('training_history.yml'));
    expect(history.loss).toHaveLength(1);
    const log = (await text('sciml_bench_run_logs/console.log')).trimEnd().split('\n');
    expect(log[0]).toBe('<BEGIN> Running benchmark demo_cnn in training mode');
    for (const line of log) expect(line).toMatch(LOG_LINE);
    const csv = (await text('sciml_bench_run_sys/monitor.csv')).trimEnd().split('\n');
    expect(csv[0]).toMatch(/^Elapsed \(sec\),Backend,TFBytes,TFTensors,.*,Event$/);
    expect(csv.length).toBeGreaterThanOrEqual(3);
    const modelJson = JSON.parse(await text('model/model.json'));
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    const info = JSON.parse(await text('model/model_info.json'));
    const run = JSON.parse(await text('run.json'));
    expect(info.id).toBe(run.modelId);
    expect(run.status).toBe('ok');
    expect((await readdir(join(home, 'ds', 'demo_cnn'))).sort()).toEqual([
      'stripes16-train-n32-noise0.3-seed0',
      'stripes16-validation-n8-noise0.3-seed0',
    ]);

    // Inference without --model uses the latest trained model under the output root.
    const inf = cli(['run', 'demo_cnn', '--mode', 'inference', '-b', 'n_test', '16', '--output_dir', join(home, 'inf'), '--dataset_dir', join(home, 'ds')]);
    expect(inf.code).toBe(0);
    expect(inf.stdout).toContain(`using the latest trained model: ${join(out, 'model')}`);
    const infRun = JSON.parse(await readFile(join(home, 'inf', 'run.json'), 'utf8'));
    expect(infRun.modelId).toBe(info.id);
    expect(Object.keys(YAML.parse(await readFile(join(home, 'inf', 'metrics.yml'), 'utf8'))).sort()).toEqual([
      'accuracy',
      'f1',
      'loss',
      'throughput',
      'time',
    ]);
    expect(existsSync(join(home, 'inf', 'inference_arguments_used.yml'))).toBe(true);

    // inspect summarises the output folder; --json gives the record.
    const insp = cli(['inspect', out]);
    expect(insp.code).toBe(0);
    expect(insp.stdout).toMatch(/^run [0-9a-f-]{36}: demo_cnn training on cpu, seed 0, status ok/);
    expect(insp.stdout).toContain('Training the model:');
    const json = JSON.parse(cli(['inspect', out, '--json']).stdout);
    expect(json.id).toBe(run.id);
    expect(json.model.id).toBe(info.id);
  });

  it('exits 2 with a clear message for a bad parameter, an unknown key or benchmark, and a missing model', () => {
    const bad = cli(['run', 'demo_cnn', '-b', 'epochs', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('epochs: "many" is not an integer');
    const unknown = cli(['run', 'demo_cnn', '-b', 'epoch', '2']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown parameter "epoch".*Valid parameters: .*epochs/);
    const noBench = cli(['run', 'nope']);
    expect(noBench.code).toBe(2);
    expect(noBench.stderr).toMatch(/unknown benchmark "nope"; known benchmarks: .*demo_cnn/);
    const noModel = cli(['run', 'demo_cnn', '--mode', 'inference', '--model', join(home, 'missing')]);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toContain('no such file or folder');
    const usage = cli(['frobnicate']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('unknown command "frobnicate"');
  });

  it.skipIf(!existsSync(SWIFTSHADER_ICD))('trains on webgpu through Dawn (SwiftShader here)', () => {
    const r = cli(['run', 'demo_cnn', ...TINY, '--backend', 'webgpu', '--output_dir', join(home, 'gpu'), '--dataset_dir', join(home, 'ds')], {
      LD_LIBRARY_PATH: '/usr/lib/chromium',
      VK_ICD_FILENAMES: SWIFTSHADER_ICD,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/demo_cnn \(training\) on webgpu \[.*swiftshader/i);
    expect(r.stdout).toContain('software adapter');
  });

  it('falls back to cpu with a notice when Dawn finds no adapter', () => {
    const r = cli(['run', 'demo_cnn', ...TINY, '--backend', 'webgpu', '--output_dir', join(home, 'nogpu'), '--dataset_dir', join(home, 'ds')], {
      VK_ICD_FILENAMES: '/nonexistent/icd.json',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/note: WebGPU unavailable — .*; using the cpu backend/);
    expect(r.stdout).toContain('demo_cnn (training) on cpu');
  });
});

describe('sciml-bench inspect', () => {
  it('hands array files to the array inspector', async () => {
    const path = join(home, 'grid.npy');
    const data = new Float32Array([0, 1, 2, 3, 4, 5]);
    await writeFile(path, writeNpy({ dtype: numericDType('f', 4), shape: [2, 3], data }));
    const r = cli(['inspect', path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\(2, 3\)\s+float32/);
    const missing = cli(['inspect', join(home, 'none.npy')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('none.npy: no such file or folder');
  });
});

describe('sciml-bench list, info, sysinfo', () => {
  it('lists benchmarks and datasets, with --verify status', () => {
    const r = cli(['list', '--verify', '--dataset_dir', join(home, 'ds')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/demo_cnn\s+Demo: stripes classifier\s+Runnable \(Training & Inference\)/);
    expect(r.stdout).toMatch(/stripes16_sim\s+used by demo_cnn/);
    const plain = cli(['list', 'benchmarks']);
    expect(plain.stdout).not.toContain('Datasets');
  });

  it('shows a benchmark with its parameters', () => {
    const r = cli(['info', 'demo_cnn']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/epochs\s+int in \[1, 1000\]\s+5\s+training\s+Training epochs/);
    expect(cli(['info', 'stripes16_sim']).stdout).toContain('generated from a seed by demo_cnn');
  });

  it('reports the system', () => {
    const r = cli(['sysinfo'], { VK_ICD_FILENAMES: '/nonexistent/icd.json' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tfjs\s+4\.22\.0/);
    expect(r.stdout).toMatch(/backend webgpu\s+not available/);
  });
});
