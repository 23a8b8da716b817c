/**
 * optical_damage through the CLI on the cpu backend, as a user would run it: train on a small
 * generated set of undamaged frames, then run inference with the saved model. The autoencoder
 * must separate damaged from undamaged frames far better than chance. 40×40 inputs (downsample 5):
 * at 20×20 a defect of ≤ 2 % of the crop is averaged away and ROC-AUC stays near 0.75–0.8.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import YAML from 'yaml';

const CLI = join(__dirname, '..', 'cli', 'sciml-bench.mjs');
let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'sciml-od-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: home,
    env: { ...process.env, HOME: home },
    encoding: 'utf8',
    timeout: 500_000,
  });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

it('trains optical_damage on undamaged frames and flags damaged ones (ROC-AUC > 0.8)', async () => {
  const common = ['--backend', 'cpu', '--dataset_dir', join(home, 'ds')];
  const trainOut = join(home, 'train');
  cli([
    'run', 'optical_damage', '--mode', 'training', ...common, '--output_dir', trainOut,
    '-b', 'downsample', '5', '-b', 'n_optics', '1', '-b', 'latent_size', '16',
    '-b', 'n_train', '128', '-b', 'n_validation', '32', '-b', 'epochs', '4', '-b', 'batch_size', '8', '-b', 'lr', '0.002',
  ]);
  const history = YAML.parse(await readFile(join(trainOut, 'training_history.yml'), 'utf8'));
  expect(history.loss).toHaveLength(4);
  expect(history.loss[3]).toBeLessThan(history.loss[0]);

  const inferOut = join(home, 'infer');
  const stdout = cli([
    'run', 'optical_damage', '--mode', 'inference', ...common, '--output_dir', inferOut, '--model', trainOut,
    '-b', 'n_inference', '96', '-b', 'damaged_fraction', '0.5',
  ]);
  expect(stdout).toContain('Accuracy at 99.0%');
  const metrics = YAML.parse(await readFile(join(inferOut, 'metrics.yml'), 'utf8'));
  expect(metrics.roc_auc).toBeGreaterThan(0.8);
  expect(metrics.pr_auc).toBeGreaterThan(0.5);
  expect(metrics.f1_validation_threshold).toBeGreaterThan(0);
  expect(metrics.throughput).toBeGreaterThan(0);
}, 1_000_000);
