/**
 * SciML-Bench's directory conventions: outputs under ~/sciml_bench/outputs, datasets under
 * ~/sciml_bench/datasets (see src/lib/harness/node/dataset-cache.ts).
 */
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Mode } from '../src/lib/harness/contract';
import { MODEL_DIR } from '../src/lib/harness/bundle';
import { MODEL_INFO_JSON } from '../src/lib/harness/model-io';

export const OUTPUT_ROOT = join(homedir(), 'sciml_bench', 'outputs');

/** yyyymmdd in local time, as SciML-Bench names its dated output folders. */
export function dateStamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}`;
}

/**
 * The run's output folder: by default `<root>/<benchmark>/<yyyymmdd>/<mode>`; `@name` means
 * `<root>/<benchmark>/name`; anything else is a path.
 */
export function outputDir(option: string | undefined, benchmark: string, mode: Mode, date: Date, root = OUTPUT_ROOT): string {
  if (option === undefined) return join(root, benchmark, dateStamp(date), mode);
  if (option.startsWith('@')) return join(root, benchmark, option.slice(1));
  return resolve(option);
}

/**
 * The most recently written training model of `benchmark` under the output root
 * (`<root>/<benchmark>/<any>/training/model` or `<root>/<benchmark>/<any>/model`), if any.
 */
export async function latestModelDir(benchmark: string, root = OUTPUT_ROOT): Promise<string | undefined> {
  const base = join(root, benchmark);
  const entries = await readdir(base, { withFileTypes: true }).catch(() => []);
  let best: { dir: string; mtimeMs: number } | undefined;
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    for (const dir of [join(base, entry.name, 'training', MODEL_DIR), join(base, entry.name, MODEL_DIR)]) {
      const info = await stat(join(dir, MODEL_INFO_JSON)).catch(() => undefined);
      if (info && (!best || info.mtimeMs > best.mtimeMs)) best = { dir, mtimeMs: info.mtimeMs };
    }
  }
  return best?.dir;
}
