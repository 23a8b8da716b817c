/** Shared Playwright helpers: a persistent browser profile (real IndexedDB limits) and console capture. */
import { test as base, chromium, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from '../playwright.config';

export const BASE = 'http://127.0.0.1:4173';

interface Fixtures {
  context: BrowserContext;
  page: Page;
  consoleErrors: string[];
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form
  context: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'sciml-e2e-'));
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      headless: true,
      serviceWorkers: 'allow',
      acceptDownloads: true,
      viewport: { width: 1400, height: 1000 },
    });
    await use(context);
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  },
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form
  consoleErrors: async ({}, use) => {
    await use([]);
  },
  page: async ({ context, consoleErrors }, use) => {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(err.message));
    await use(page);
  },
});

export { expect } from '@playwright/test';

/** Opens a benchmark's notebook from the sidebar. */
export async function openBenchmark(page: Page, id: string) {
  await page.getByTestId(`bench-${id}`).click();
  await page.waitForURL(/#\/nb\//);
}
