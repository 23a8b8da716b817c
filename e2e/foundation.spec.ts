import { expect, openBenchmark, test } from './fixtures';

test('loads without console errors and reports the WebGPU software adapter', async ({ page, consoleErrors }) => {
  await page.goto('/');
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  await expect(page.getByTestId('adapter')).toContainText('software adapter');
  await expect(page.getByTestId('backend-notices')).toContainText('software adapter');
  await expect(page.getByTestId('bench-demo_cnn')).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test('?backend=cpu uses cpu; an unknown backend falls back with a notice', async ({ page }) => {
  await page.goto('/?backend=cpu');
  await expect(page.getByTestId('backend-name')).toHaveText('cpu');
  await page.goto('/?backend=quantum');
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  await expect(page.getByTestId('backend-notices')).toContainText('Unknown backend "quantum"');
});

test('the demo trains 2 epochs on webgpu with a live loss plot; stop ends a run within 2 s', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  await openBenchmark(page, 'demo_cnn');
  const train = page.getByTestId('cell-train');
  await train.locator('[data-param="epochs"]').fill('2');
  await train.locator('[data-param="epochs"]').press('Tab');
  await train.getByTestId('run-train').click();
  await expect(train).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
  await expect(train.getByTestId('loss-plot')).toHaveAttribute('data-points', /^[1-9]/);
  await expect(train.getByTestId('metrics').locator('[data-metric="loss"]')).toBeVisible();

  // A long run, stopped.
  await train.locator('[data-param="epochs"]').fill('500');
  await train.locator('[data-param="epochs"]').press('Tab');
  await train.getByTestId('run-train').click();
  await expect(train.getByTestId('progress')).toBeVisible();
  await expect(train.getByTestId('loss-plot')).toBeVisible({ timeout: 60_000 });
  const t0 = Date.now();
  await page.getByTestId('stop').click();
  await expect(train).toHaveAttribute('data-status', 'stopped', { timeout: 2_000 });
  expect(Date.now() - t0).toBeLessThan(2_000);
});

test('a fast run draws every epoch of its history (live updates arriving while plotly loads)', async ({ page }) => {
  await page.goto('/?backend=cpu');
  await openBenchmark(page, 'demo_cnn');
  const train = page.getByTestId('cell-train');
  await train.locator('[data-param="epochs"]').fill('5');
  await train.locator('[data-param="epochs"]').press('Tab');
  await train.getByTestId('run-train').click();
  await expect(train).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  const plot = train.getByTestId('loss-plot');
  await expect(plot).toHaveAttribute('data-points', '20');
  // Each of the four curves (loss, acc, val_loss, val_acc) shows all five epochs.
  await expect(plot.locator('.scatterlayer .trace')).toHaveCount(4);
  for (const trace of await plot.locator('.scatterlayer .trace').all()) await expect(trace.locator('path.point')).toHaveCount(5);
});

test('cell outputs survive a reload; an exported notebook imports back identical', async ({ page }) => {
  await page.goto('/?backend=cpu');
  await openBenchmark(page, 'demo_cnn');
  const train = page.getByTestId('cell-train');
  await train.getByTestId('run-train').click();
  await expect(train).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  const loss = await train.locator('[data-metric="loss"] td.num').textContent();
  await page.reload();
  await expect(page.getByTestId('cell-train').locator('[data-metric="loss"] td.num')).toHaveText(loss!);

  // Edit markdown, then export and re-import.
  await page.getByTestId('add-markdown').click();
  const md = page.getByTestId('cell-markdown').last();
  await md.getByTestId('edit-markdown').click();
  await md.getByTestId('markdown-source').fill('## Beamline notes\n\nSample **A3**, 200 keV.');
  await md.getByTestId('edit-markdown').click();
  await expect(md.getByTestId('markdown-rendered')).toContainText('Beamline notes');
  await md.getByTestId('move-up').click();

  const download = page.waitForEvent('download');
  await page.getByTestId('export-notebook').click();
  const file = await (await download).path();
  const { readFileSync } = await import('node:fs');
  const exported = JSON.parse(readFileSync(file!, 'utf8'));

  // The notebook is still here, so the app asks before replacing it.
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByTestId('import-notebook-input').setInputFiles(file!);
  await expect(page.getByTestId('toast-info')).toContainText('Imported notebook');
  const again = page.waitForEvent('download');
  await page.getByTestId('export-notebook').click();
  const reexported = readFileSync((await (await again).path())!, 'utf8');
  expect(reexported).toBe(readFileSync(file!, 'utf8'));
  expect(exported.cells.map((c: { kind: string }) => c.kind).slice(-2)).toEqual(['markdown', 'export']);
});

test('a malformed notebook file is refused with a clear message and changes nothing', async ({ page }) => {
  await page.goto('/?backend=cpu');
  await expect(page.getByTestId('bench-demo_cnn')).toBeVisible();
  const before = await page.getByTestId('sidebar').locator('a[href^="#/nb/"]').count();
  await page.getByTestId('import-notebook-input').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "sciml-notebook", "version": 1, "cells": 3') });
  await expect(page.getByTestId('toast-error')).toContainText('broken.json: not imported');
  await expect(page.getByTestId('toast-error')).toContainText('Nothing was changed');
  expect(await page.getByTestId('sidebar').locator('a[href^="#/nb/"]').count()).toBe(before);
});

test('a worker crash shows an error in its cell and the next run works', async ({ page }) => {
  await page.goto('/?backend=cpu');
  await openBenchmark(page, 'demo_cnn');
  const train = page.getByTestId('cell-train');
  await train.locator('[data-param="epochs"]').fill('200');
  await train.locator('[data-param="epochs"]').press('Tab');
  await train.getByTestId('run-train').click();
  await expect(train.getByTestId('progress')).toBeVisible();
  await page.evaluate(() => (window as unknown as { __sciml: { crashWorker(): void } }).__sciml.crashWorker());
  await expect(train.getByTestId('cell-error')).toContainText('crashed');
  await train.locator('[data-param="epochs"]').fill('1');
  await train.locator('[data-param="epochs"]').press('Tab');
  await train.getByTestId('run-train').click();
  await expect(train).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
});

test('offline after one visit: the app reloads and the demo trains', async ({ page, context }) => {
  await page.goto('/?backend=cpu');
  await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    return reg.active?.scriptURL;
  });
  // Wait until the service worker controls the page (precache complete).
  await page.reload();
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('bench-demo_cnn')).toBeVisible();
  await openBenchmark(page, 'demo_cnn');
  const train = page.getByTestId('cell-train');
  await train.getByTestId('run-train').click();
  await expect(train).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await context.setOffline(false);
});

test("this app's WebGPU kernels match the cpu backend in the browser", async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu');
  await page.getByTestId('check-kernels').click();
  await expect(page.getByTestId('toast-info')).toContainText('kernel checks passed on this GPU', { timeout: 60_000 });
});
