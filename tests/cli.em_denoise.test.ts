/**
 * em_denoise through the CLI on the cpu backend, on a tiny set: the network's training loss ends
 * below the MSE of the (intensity-matched) noisy input, i.e. it denoises rather than copies.
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
  home = await mkdtemp(join(tmpdir(), 'sciml-em-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

it('trains em_denoise on cpu until the loss is below the noisy input MSE', async () => {
  const out = join(home, 'out');
  const r = spawnSync(
    process.execPath,
    [CLI, 'run', 'em_denoise', '--mode', 'training', '--backend', 'cpu', '--output_dir', out, '--dataset_dir', join(home, 'ds'),
      '-b', 'image_size', '16', '-b', 'n_train', '128', '-b', 'epochs', '3', '-b', 'batch_size', '4'],
    { cwd: home, env: { ...process.env, HOME: home }, encoding: 'utf8', timeout: 170_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  const metrics = YAML.parse(await readFile(join(out, 'metrics.yml'), 'utf8'));
  const history = YAML.parse(await readFile(join(out, 'training_history.yml'), 'utf8'));
  expect(history.loss).toHaveLength(3);
  expect(metrics.loss).toBe(history.loss[2]);
  expect(metrics.loss).toBeLessThan(metrics.noisy_mse);
}, 180_000);
