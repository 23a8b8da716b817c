/** Notebook helpers for the benchmark end-to-end tests. */
import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { expect } from './fixtures';

/** Types a parameter value into a cell's form (committed on blur, as a user would). */
export async function setParam(cell: Locator, key: string, value: string) {
  const input = cell.locator(`[data-param="${key}"]`);
  await input.fill(value);
  await input.press('Tab');
}

export async function runCell(page: Page, kind: string, timeout = 240_000): Promise<Locator> {
  const cell = page.getByTestId(`cell-${kind}`);
  await cell.getByTestId(`run-${kind}`).click();
  await expect(cell).toHaveAttribute('data-status', /^(done|error)$/, { timeout });
  if (await cell.getByTestId('cell-error').count()) {
    throw new Error(`${kind} cell failed: ${await cell.getByTestId('cell-error').textContent()}`);
  }
  return cell;
}

/** Shape from an .npy file's header (numpy's format: a Python dict literal). */
export function npyShape(path: string): number[] {
  const bytes = readFileSync(path);
  const headerLength = bytes[6] === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = bytes[6] === 1 ? 10 : 12;
  const header = bytes.subarray(start, start + headerLength).toString('latin1');
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)![1];
  return shape.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
}
