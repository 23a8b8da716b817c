import { expect, openBenchmark, test } from './fixtures';
import { runCell, setParam } from './helpers';

test('optical_damage: train briefly on webgpu, run inference, heatmaps and the ROC curve show, apply to dropped frames', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  await openBenchmark(page, 'optical_damage');

  const data = page.getByTestId('cell-data');
  await setParam(data, 'n_train', '16');
  await setParam(data, 'n_validation', '8');
  await setParam(data, 'n_inference', '16');
  await runCell(page, 'data');

  const model = page.getByTestId('cell-model');
  await model.locator('[data-param="downsample"]').selectOption('10');
  await setParam(model, 'latent_size', '16');
  await runCell(page, 'model');
  await expect(model.getByTestId('param-count')).toBeVisible();

  const train = page.getByTestId('cell-train');
  await setParam(train, 'epochs', '1');
  await setParam(train, 'batch_size', '8');
  await runCell(page, 'train');

  const evaluate = page.getByTestId('cell-evaluate');
  await runCell(page, 'evaluate');
  const panel = evaluate.getByTestId('anomaly-panel');
  await expect(panel.getByTestId('roc-curve')).toHaveAttribute('data-points', /^[1-9]/);
  await expect(panel.getByTestId('error-heatmap').first()).toBeVisible();
  await expect(panel.getByTestId('score-histogram')).toBeVisible();
  await expect(evaluate.locator('[data-metric="f1"]')).toBeVisible();

  // Apply to my data: two small frames, so the crop window has to move onto the optic.
  const apply = page.getByTestId('cell-apply');
  await setParam(apply, 'crop_top', '20');
  await setParam(apply, 'crop_left', '30');
  await apply.getByTestId('apply-input').setInputFiles('tests/fixtures/e2e/optic_frames.npy');
  const applied = apply.getByTestId('anomaly-apply');
  await expect(applied).toBeVisible({ timeout: 120_000 });
  await expect(apply.getByTestId('apply-error')).toHaveCount(0);
  await expect(applied.getByTestId('verdict')).toHaveCount(2);
  await expect(applied.getByTestId('crop-window-rect')).toBeVisible();
  await expect(applied.getByTestId('anomaly-row')).toHaveCount(2);
});
