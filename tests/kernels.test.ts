/**
 * The project's WGSL kernels (src/lib/engine/kernels) against tfjs' cpu backend on fresh random
 * inputs, on WebGPU through Dawn. bench/gpu/kernel-check.ts does the comparison in a child process,
 * so Dawn gets the Vulkan environment it needs (SwiftShader here and in CI).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const SWIFTSHADER_DIR = '/usr/lib/chromium';
const SWIFTSHADER_ICD = `${SWIFTSHADER_DIR}/vk_swiftshader_icd.json`;
const NO_ADAPTER = 2;

interface CaseLine {
  kernel: string;
  case: string;
  relError: number;
  ok: boolean;
}

describe('custom webgpu kernels vs cpu', () => {
  it.skipIf(!existsSync(SWIFTSHADER_ICD))('match the cpu backend to rel. error ≤ 1e-4 (Dawn on SwiftShader)', (ctx) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/gpu/kernel-check.ts'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, LD_LIBRARY_PATH: SWIFTSHADER_DIR, VK_ICD_FILENAMES: SWIFTSHADER_ICD },
    });
    if (r.status === NO_ADAPTER) {
      console.warn(`skipped: Dawn found no WebGPU adapter on SwiftShader\n${r.stdout}`);
      ctx.skip();
    }
    const cases = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{"kernel"'))
      .map((l) => JSON.parse(l) as CaseLine);
    // Every kernel installed on the backend has cases.
    const summary = JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('{"kernels"')) ?? '{"kernels":[]}') as { kernels: string[] };
    expect(summary.kernels.length, r.stderr).toBeGreaterThanOrEqual(4);
    for (const kernel of summary.kernels) expect(cases.filter((c) => c.kernel === kernel).length, kernel).toBeGreaterThanOrEqual(3);
    for (const c of cases) expect(c.relError, `${c.kernel} ${c.case}`).toBeLessThanOrEqual(1e-4);
    expect(r.status, r.stderr).toBe(0);
  });
});
