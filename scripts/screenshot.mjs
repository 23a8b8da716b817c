// Screenshots of the built app for the README and for looking at panels:
//   node scripts/screenshot.mjs <benchmark-id> <out.png> [cells to run, e.g. data,model,train,evaluate] [?query]
// Needs `vite preview` running on 127.0.0.1:4173.
import { chromium } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [bench = 'demo_cnn', out = 'docs/screenshot.png', cells = 'train', query = ''] = process.argv.slice(2);
const args = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'shot-')), {
  executablePath: '/usr/bin/chromium', args, viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1,
});
const page = context.pages()[0];
page.on('console', (m) => m.type() === 'error' && console.error('console:', m.text()));
await page.goto(`http://127.0.0.1:4173/${query}`);
await page.getByTestId(`bench-${bench}`).click();
for (const kind of cells.split(',').filter(Boolean)) {
  const cell = page.getByTestId(`cell-${kind}`);
  await cell.getByTestId(`run-${kind}`).click();
  await cell.locator('[data-status="done"], [data-status="error"]').or(page.locator(`[data-testid="cell-${kind}"][data-status="done"], [data-testid="cell-${kind}"][data-status="error"]`)).first().waitFor({ timeout: 600_000 });
  console.log(kind, await cell.getAttribute('data-status'));
}
await page.waitForTimeout(1500);
await page.screenshot({ path: out, fullPage: true });
await context.close();
