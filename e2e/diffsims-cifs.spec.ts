import { readFileSync } from 'node:fs';
import { expect, openBenchmark, test } from './fixtures';
import { runCell } from './helpers';

test('diffsims: add a user CIF, reject a broken one, keep it after reload, the model gets 4 classes', async ({ page, consoleErrors }) => {
  await page.goto('/');
  await openBenchmark(page, 'diffsims');
  const data = page.getByTestId('cell-data');
  const panel = data.getByTestId('phases-panel');
  const rows = panel.getByTestId('phase-row');
  const row = (name: string) => panel.locator(`[data-testid="phase-row"][data-phase="${name}"]`);

  // The three built-in phases in label order; the panel owns the two parameters.
  await expect(rows).toHaveCount(3);
  await expect(row('p4mbm_scaled_mixed_halide')).toContainText('P4/mbm (No. 127)');
  await expect(row('pbi2_2h')).toContainText('P-3m1 (No. 164)');
  await expect(data.locator('[data-param="phases"], [data-param="custom_cifs"]')).toHaveCount(0);

  // A valid user CIF through the file picker.
  await panel.getByTestId('cif-input').setInputFiles('tests/fixtures/e2e/CsPbBr3_cubic.cif');
  await expect(row('CsPbBr3_cubic')).toContainText('Pm-3m (No. 221)');
  await expect(row('CsPbBr3_cubic')).toContainText('5.874 5.874 5.874');
  await expect(row('CsPbBr3_cubic')).toContainText('user CIF');
  await expect(rows.nth(3)).toHaveAttribute('data-phase', 'CsPbBr3_cubic');
  await expect(panel.getByTestId('phase-count')).toHaveText('4 classes, in label order');

  // A broken CIF dropped on the panel: the error names the missing item, nothing changes and the
  // app's global drop handler does not take the file to the Files page.
  const broken = readFileSync('tests/fixtures/e2e/no_cell.cif', 'utf8');
  const dataTransfer = await page.evaluateHandle((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'no_cell.cif', { type: 'chemical/x-cif' }));
    return dt;
  }, broken);
  await panel.getByTestId('cif-drop').dispatchEvent('drop', { dataTransfer });
  const error = panel.locator('[data-testid="cif-message"][data-kind="error"]');
  await expect(error).toContainText("no_cell.cif: CIF 'no_cell' is missing _cell_length_a");
  await expect(rows).toHaveCount(4);
  expect(page.url()).toContain('#/nb/');

  // The phase is a notebook parameter: it survives a reload.
  await page.reload();
  await expect(row('CsPbBr3_cubic')).toContainText('Pm-3m (No. 221)');
  await expect(panel.getByTestId('phase-count')).toHaveText('4 classes, in label order');

  // The Model cell builds a 4-class output layer.
  const model = await runCell(page, 'model');
  await model.getByRole('button', { name: /Show \d+ layers/ }).click();
  await expect(model.locator('tbody tr').last()).toContainText('[N,4]');

  // Removing the user phase restores the default three.
  await row('CsPbBr3_cubic').getByTestId('phase-remove').click();
  await expect(rows).toHaveCount(3);
  await expect(panel.getByTestId('phase-count')).toHaveText('3 classes, in label order');
  expect(consoleErrors).toEqual([]);
});
