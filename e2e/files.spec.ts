import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/** Drops files onto the page the way a user does: a DataTransfer carrying File objects. */
async function dropFiles(page: Page, files: { name: string; path: string }[]) {
  const payload = files.map((f) => ({ name: f.name, bytes: Array.from(readFileSync(f.path)) }));
  const transfer = await page.evaluateHandle((items) => {
    const dt = new DataTransfer();
    for (const item of items) dt.items.add(new File([new Uint8Array(item.bytes)], item.name));
    return dt;
  }, payload);
  await page.dispatchEvent('main', 'dragenter', { dataTransfer: transfer });
  await page.dispatchEvent('main', 'drop', { dataTransfer: transfer });
}

test('dropped .npz and .h5 files show their trees, shapes and a heatmap', async ({ page, consoleErrors }) => {
  await page.goto('/?backend=cpu');
  await expect(page.getByTestId('backend-name')).toHaveText('cpu');
  await dropFiles(page, [
    { name: 'stack.npz', path: 'tests/fixtures/io/npz/stack-deflated.npz' },
    { name: 'filters.h5', path: 'tests/fixtures/io/h5/filters.h5' },
  ]);
  await expect(page).toHaveURL(/#\/files/);
  const list = page.getByTestId('file-list');
  await expect(list).toContainText('stack.npz');
  await expect(list).toContainText('npz');
  await expect(list).toContainText('hdf5');

  await list.getByText('stack.npz').click();
  const inspector = page.getByTestId('inspector');
  await expect(inspector.getByTestId('inspector-shape')).toHaveText('(6, 16, 16)');
  await expect(inspector.getByTestId('inspector-dtype')).toContainText('float32');
  await expect(inspector.getByTestId('inspector-heatmap')).toBeVisible();
  await expect(inspector.getByTestId('inspector-stats')).toContainText('min');

  await list.getByText('filters.h5').click();
  await page.getByTestId('file-tree').locator('[data-path="/lzf"]').click();
  await expect(inspector.getByTestId('inspector-shape')).toHaveText('(8, 32, 32)');
  await expect(inspector.getByTestId('inspector-heatmap')).toBeVisible();
  // Moving the slider reads another image of the stack (an LZF-compressed chunk, through the plugin).
  await inspector.getByTestId('axis-slider').fill('5');
  await expect(inspector.getByTestId('inspector-stats')).toContainText('this image');
  expect(consoleErrors).toEqual([]);
});

test('a truncated file gets a one-line error naming it, and the app keeps working', async ({ page }) => {
  await page.goto('/?backend=cpu');
  await expect(page.getByTestId('backend-name')).toHaveText('cpu');
  const good = readFileSync('tests/fixtures/io/npz/stack-deflated.npz');
  await page.getByRole('link', { name: 'Files', exact: true }).click();
  await page.getByTestId('file-input').setInputFiles([
    { name: 'cut.npz', mimeType: 'application/octet-stream', buffer: good.subarray(0, good.length - 40) },
    { name: 'noise.h5', mimeType: 'application/octet-stream', buffer: Buffer.from('definitely not an array file') },
  ]);
  const errors = page.getByTestId('file-error');
  await expect(errors).toHaveCount(2);
  await expect(errors.nth(0)).toContainText('cut.npz');
  await expect(errors.nth(1)).toContainText('noise.h5: not a .npy, .npz or HDF5 file');
  await page.getByTestId('file-input').setInputFiles({ name: 'ok.npz', mimeType: 'application/octet-stream', buffer: good });
  await page.getByTestId('file-list').getByText('ok.npz').click();
  await expect(page.getByTestId('inspector-shape')).toHaveText('(6, 16, 16)');
});
