// Training throughput of a benchmark in the browser's compute worker, per backend: the app as a
// user runs it (built app, `vite preview` on 127.0.0.1:4173), in Debian's Chromium with WebGPU on
// whatever adapter it finds (SwiftShader here). Prints items/s per backend and the ratio.
//
//   npm run build && npx vite preview --host 127.0.0.1 --port 4173 &
//   node bench/browser.mjs [benchmark=diffsims] [backends=webgpu,cpu]
//
// diffsims: 300 profiles per phase, 1 epoch of batch 64; the cell's `throughput` metric
// (training items/s over the epoch, model compiled, data on the worker).
import { chromium } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SETTINGS = {
  diffsims: { data: { n_per_phase: '300' }, train: { epochs: '1', batch_size: '64' } },
  demo_cnn: { data: {}, train: { epochs: '2' } },
};
const [bench = 'diffsims', backendList = 'webgpu,cpu'] = process.argv.slice(2);
const settings = SETTINGS[bench];
if (!settings) throw new Error(`no settings for ${bench}; known: ${Object.keys(SETTINGS).join(', ')}`);
const args = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

async function trainThroughput(backend) {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'bench-')), { executablePath: '/usr/bin/chromium', args });
  try {
    const page = context.pages()[0];
    await page.goto(`http://127.0.0.1:4173/?backend=${backend}`);
    const name = page.getByTestId('backend-name');
    await name.waitFor();
    const actual = await name.textContent();
    if (actual !== backend) throw new Error(`asked for ${backend}, the worker runs ${actual}`);
    const adapter = (await page.getByTestId('adapter').count()) ? await page.getByTestId('adapter').textContent() : '';
    await page.getByTestId(`bench-${bench}`).click();
    for (const kind of ['data', 'model', 'train']) {
      const cell = page.getByTestId(`cell-${kind}`);
      for (const [key, value] of Object.entries(settings[kind] ?? {})) {
        await cell.locator(`[data-param="${key}"]`).fill(value);
        await cell.locator(`[data-param="${key}"]`).press('Tab');
      }
      await cell.getByTestId(`run-${kind}`).click();
      await cell.and(page.locator('[data-status="done"], [data-status="error"]')).waitFor({ timeout: 1_200_000 });
      if ((await cell.getAttribute('data-status')) === 'error') throw new Error(`${kind}: ${await cell.getByTestId('cell-error').textContent()}`);
    }
    const text = await page.getByTestId('cell-train').locator('[data-metric="throughput"] td.num').textContent();
    return { backend, adapter: adapter?.trim(), itemsPerSecond: Number(text.replace(/[^0-9.eE+-]/g, '')) };
  } finally {
    await context.close();
  }
}

const results = [];
for (const backend of backendList.split(',')) {
  const r = await trainThroughput(backend);
  results.push(r);
  console.log(`${bench} training on ${backend}${r.adapter ? ` (${r.adapter})` : ''}: ${r.itemsPerSecond} items/s`);
}
if (results.length === 2) console.log(`ratio ${results[0].backend}/${results[1].backend}: ${(results[0].itemsPerSecond / results[1].itemsPerSecond).toFixed(2)}`);
