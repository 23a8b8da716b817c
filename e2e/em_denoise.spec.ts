import { expect, openBenchmark, test } from './fixtures';
import { npyShape, runCell, setParam } from './helpers';

test('em_denoise: generate, train an epoch on webgpu, evaluate, view, and denoise a dropped .npy stack', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  await openBenchmark(page, 'em_denoise');

  const data = page.getByTestId('cell-data');
  await setParam(data, 'image_size', '32');
  await setParam(data, 'n_train', '16');
  await runCell(page, 'data');
  await expect(data.getByTestId('data-preview').getByTestId('heatmap').first()).toBeVisible();

  await runCell(page, 'model');
  await expect(page.getByTestId('param-count')).toHaveText('122,737');

  const train = page.getByTestId('cell-train');
  await setParam(train, 'epochs', '1');
  await setParam(train, 'batch_size', '8');
  await runCell(page, 'train');
  await expect(train.locator('[data-metric="loss"]')).toBeVisible();

  const evaluate = page.getByTestId('cell-evaluate');
  await setParam(evaluate, 'n_test', '8');
  await runCell(page, 'evaluate');
  const viewer = evaluate.getByTestId('denoise-viewer');
  for (const id of ['viewer-noisy', 'viewer-denoised', 'viewer-clean']) await expect(viewer.getByTestId(id)).toBeVisible();
  await expect(evaluate.locator('[data-metric="psnr"]')).toBeVisible();
  await expect(viewer.getByTestId('viewer-psnr-hist')).toHaveAttribute('data-points', '0'); // histograms use x
  await expect(viewer.locator('tr[data-method="gaussian"]')).toBeVisible();

  const apply = page.getByTestId('cell-apply');
  await apply.getByTestId('apply-input').setInputFiles('tests/fixtures/e2e/micrographs.npy');
  await expect(apply.getByTestId('apply-result')).toBeVisible({ timeout: 240_000 });
  await expect(apply.getByTestId('apply-error')).toHaveCount(0);
  await expect(apply.getByTestId('denoise-apply')).toBeVisible();
  const download = page.waitForEvent('download');
  await apply.getByTestId('download-npy').click();
  const file = (await (await download).path())!;
  expect(npyShape(file)).toEqual([3, 80, 72]);
});
