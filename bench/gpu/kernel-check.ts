/**
 * Checks every kernel of src/lib/engine/kernels against tfjs' cpu backend on fresh random inputs:
 * relative error ‖webgpu − cpu‖ / ‖cpu‖ per case, printed as one JSON line each. Exit status 1 when
 * a case exceeds 1e-4, 2 when no WebGPU adapter was found.
 *
 *   npx tsx bench/gpu/kernel-check.ts          (SwiftShader: LD_LIBRARY_PATH=/usr/lib/chromium
 *                                               VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)
 */
import * as tf from '@tensorflow/tfjs';
import { initNodeTf } from '../../src/lib/engine/node-backend';
import { accelerateWebGpu } from '../../src/lib/engine/kernels';
import { checkWebGpuKernels } from '../../src/lib/engine/kernels/check';

async function main(): Promise<number> {
  const gpu = await initNodeTf('webgpu');
  if (gpu.backend !== 'webgpu') {
    console.log(JSON.stringify({ skipped: gpu.notice }));
    return 2;
  }
  const kernels = accelerateWebGpu();
  const results = await checkWebGpuKernels(tf);
  for (const r of results) console.log(JSON.stringify({ ...r, adapter: gpu.adapter?.description }));
  const failed = results.filter((r) => !r.ok).length;
  console.log(JSON.stringify({ kernels, failed }));
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
