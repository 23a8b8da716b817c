import { expect, openBenchmark, test } from './fixtures';

test('a run exported as a bundle, storage cleared, imports back with the same metrics', async ({ page }) => {
  await page.goto('/?backend=cpu');
  await openBenchmark(page, 'demo_cnn');
  const train = page.getByTestId('cell-train');
  await train.getByTestId('run-train').click();
  await expect(train).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  const loss = (await train.locator('[data-metric="loss"] td.num').textContent())!;

  await page.getByRole('link', { name: 'Runs', exact: true }).click();
  const row = page.getByTestId('runs-table').locator('tr[data-run]').first();
  // The Runs table rounds the stored loss to 4 digits, the cell's table to 5: the same number
  // (re-rounding the 5-digit text could differ in the last digit), and exactly that text after import.
  await expect(row.getByTestId('run-loss')).toHaveText(/^\d/);
  const runLoss = (await row.getByTestId('run-loss').textContent())!;
  expect(Math.abs(Number(runLoss) - Number(loss))).toBeLessThanOrEqual(1e-3 * Math.abs(Number(loss)));
  const download = page.waitForEvent('download');
  await row.getByRole('button', { name: 'Bundle' }).click();
  const bundle = (await (await download).path())!;

  // Clear everything the app stored, from a page of the same origin without the app, so that no
  // connection of the app (or of its dying worker) holds the deletion back past the next page load.
  await page.goto('/manifest.webmanifest');
  await page.evaluate(async () => {
    for (const name of ['sciml-notebook', 'tensorflowjs']) {
      await new Promise((resolve, reject) => {
        const req = indexedDB.deleteDatabase(name);
        req.onsuccess = () => resolve(null);
        req.onerror = () => reject(req.error);
      });
    }
  });
  await page.goto('/#/runs');
  await expect(page.getByTestId('runs-table')).toContainText('No runs yet');

  await page.getByTestId('import-bundle-input').setInputFiles(bundle);
  await expect(page.getByTestId('toast-info')).toContainText('Imported run');
  await expect(page.getByTestId('runs-table').locator('tr[data-run]').first().getByTestId('run-loss')).toHaveText(runLoss);

  // The imported model is usable: the Storage page lists it.
  await page.getByRole('link', { name: 'Storage', exact: true }).click();
  await expect(page.getByTestId('models-table')).toContainText('demo_cnn');
  await expect(page.getByTestId('quota')).toContainText('Using');
});

test('two runs compare side by side', async ({ page }) => {
  await page.goto('/?backend=cpu');
  await openBenchmark(page, 'demo_cnn');
  const train = page.getByTestId('cell-train');
  for (const epochs of ['1', '2']) {
    await train.locator('[data-param="epochs"]').fill(epochs);
    await train.locator('[data-param="epochs"]').press('Tab');
    await train.getByTestId('run-train').click();
    await expect(train).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  }
  await page.getByRole('link', { name: 'Runs', exact: true }).click();
  const boxes = page.getByTestId('runs-table').locator('input[type="checkbox"]');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await expect(page.getByTestId('compare-table')).toContainText('loss');
  await expect(page.getByTestId('compare-plot')).toHaveAttribute('data-points', /^[1-9]/);
});
