/**
 * Run bundles as folders (the CLI's output directory) and model lookup for `--model PATH`.
 * Node only; the layout is bundle.ts's.
 */
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { bundleFiles, importBundle, importBundleFiles, MODEL_DIR, type Bundle } from '../bundle';
import { MODEL_JSON, modelFilesFromEntries, MODEL_INFO_JSON, WEIGHTS_BIN, type ModelFiles } from '../model-io';
import type { RunRecord } from '../runner';

/** Writes the bundle files into `dir` (created if needed); returns the paths written, relative to it. */
export async function writeBundleDir(dir: string, record: RunRecord, model?: ModelFiles): Promise<string[]> {
  const files = bundleFiles(record, model);
  for (const [path, bytes] of Object.entries(files)) {
    const target = join(dir, ...path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
  }
  return Object.keys(files);
}

async function readTree(dir: string, root = dir, out: Record<string, Uint8Array> = {}): Promise<Record<string, Uint8Array>> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await readTree(path, root, out);
    else if (entry.isFile()) out[relative(root, path).split(sep).join('/')] = new Uint8Array(await readFile(path));
  }
  return out;
}

/** Reads a bundle folder (an output directory) back. */
export async function readBundleDir(dir: string): Promise<Bundle> {
  return importBundleFiles(await readTree(dir));
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function readModelDir(dir: string): Promise<ModelFiles> {
  const entries: Record<string, Uint8Array> = {};
  for (const name of [MODEL_JSON, WEIGHTS_BIN, MODEL_INFO_JSON]) {
    const bytes = await readFile(join(dir, name)).catch(() => undefined);
    if (bytes) entries[name] = new Uint8Array(bytes);
  }
  return modelFilesFromEntries(entries, dir);
}

/**
 * Finds a trained model at `path`: a model folder (model.json + weights.bin + model_info.json),
 * a training output folder (its model/ subfolder) or a run bundle .zip.
 */
export async function loadModelFiles(path: string): Promise<ModelFiles> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new Error(`--model ${path}: no such file or folder`);
  if (info.isDirectory()) {
    if (await isDirectory(join(path, MODEL_DIR))) return readModelDir(join(path, MODEL_DIR));
    return readModelDir(path);
  }
  const bundle = importBundle(new Uint8Array(await readFile(path)));
  if (!bundle.model) throw new Error(`--model ${path}: this bundle has no model/ folder (is it an inference run?)`);
  return bundle.model;
}
