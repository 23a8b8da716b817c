/**
 * Loading h5wasm (HDF5 1.14 compiled to WebAssembly) once per thread, with its throwing error
 * handler switched on, and the compression plugins of h5wasm-plugins.
 *
 * - Node (CLI, tests, benchmarks): the 'h5wasm/node' build, which reads real files directly;
 *   every plugin of node_modules/h5wasm-plugins/plugins is on the plugin search path.
 * - Browser worker: the ESM build; a plugin's .so is fetched and written into the virtual
 *   file system the first time a dataset needs that filter (as H5Web does).
 *
 * Without a plugin, HDF5's default error handler returns garbage silently; with
 * activate_throwing_error_handler() every HDF5 error becomes a JS exception.
 */
import type h5wasmDefault from 'h5wasm';
import { FormatError, UnsupportedError } from './errors.ts';

export type H5Lib = typeof h5wasmDefault;
export type H5Module = Awaited<H5Lib['ready']>;

export interface H5Env {
  lib: H5Lib;
  module: H5Module;
  /** 'node' reads real paths; 'browser' mounts Blobs on WORKERFS. */
  platform: 'node' | 'browser';
  /** A writable folder of the module's file system. */
  tempDir: string;
  /** Makes sure the decoders for these filter ids are loaded; throws for unknown filters. */
  ensureFilters(filters: readonly { id: number; name: string }[]): Promise<void>;
}

/** HDF5's own filters: deflate, shuffle, fletcher32, szip, nbit, scaleoffset. */
const BUILTIN_FILTERS = new Set([1, 2, 3, 4, 5, 6]);

/** Registered filter id → h5wasm-plugins name (The HDF Group's registered filter list). */
export const PLUGIN_FILTERS: Readonly<Record<number, string>> = {
  307: 'bz2',
  32000: 'lzf',
  32001: 'blosc',
  32004: 'lz4',
  32008: 'bshuf',
  32013: 'zfp',
  32015: 'zstd',
  32019: 'jpeg',
  32022: 'bitgroom',
  32023: 'bitround',
  32026: 'blosc2',
};

function checkKnown(filters: readonly { id: number; name: string }[]): string[] {
  const plugins: string[] = [];
  for (const f of filters) {
    if (BUILTIN_FILTERS.has(f.id)) continue;
    const plugin = PLUGIN_FILTERS[f.id];
    if (!plugin) throw new UnsupportedError(`compression filter ${JSON.stringify(f.name)} (id ${f.id}) is not available: no decoder for it is bundled`);
    plugins.push(plugin);
  }
  return plugins;
}

/**
 * Fetches a plugin's .so bytes by name ('lzf', 'blosc', …) in the browser. Vite turns this
 * `new URL(…, import.meta.url)` pattern into one emitted asset per plugin file.
 */
async function loadPlugin(name: string): Promise<Uint8Array> {
  const url = new URL(`../../../node_modules/h5wasm-plugins/plugins/libH5Z${name}.so`, import.meta.url);
  const response = await fetch(url);
  if (!response.ok) throw new FormatError(`could not load the ${name} HDF5 plugin (${response.status} ${response.statusText})`);
  return new Uint8Array(await response.arrayBuffer());
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

let envPromise: Promise<H5Env> | undefined;

/** h5wasm, ready to use (loaded on first call). */
export function loadH5wasm(): Promise<H5Env> {
  envPromise ??= (isNode() ? loadNode() : loadBrowser()).catch((error) => {
    envPromise = undefined;
    throw error;
  });
  return envPromise;
}

async function loadNode(): Promise<H5Env> {
  // Variable specifiers keep bundlers from pulling the Node build into browser bundles.
  const nodeBuild = 'h5wasm/node';
  const pluginsPackage = 'h5wasm-plugins';
  const osModule = 'node:os';
  const lib = ((await import(/* @vite-ignore */ nodeBuild)) as { default: H5Lib }).default;
  const module = await lib.ready;
  module.activate_throwing_error_handler();
  const plugins = (await import(/* @vite-ignore */ pluginsPackage)) as { install_local_plugins(m: H5Module): void };
  plugins.install_local_plugins(module);
  const { tmpdir } = (await import(/* @vite-ignore */ osModule)) as typeof import('node:os');
  return {
    lib,
    module,
    platform: 'node',
    tempDir: tmpdir(),
    async ensureFilters(filters) {
      checkKnown(filters); // all local plugins are on the search path already
    },
  };
}

const PLUGIN_DIR = '/h5plugins';

async function loadBrowser(): Promise<H5Env> {
  const lib = (await import('h5wasm')).default;
  const module = await lib.ready;
  module.activate_throwing_error_handler();
  module.FS.mkdirTree(PLUGIN_DIR);
  module.insert_plugin_search_path(PLUGIN_DIR, 0);
  module.FS.mkdirTree('/tmp');
  const installed = new Set<string>();
  return {
    lib,
    module,
    platform: 'browser',
    tempDir: '/tmp',
    async ensureFilters(filters) {
      for (const name of checkKnown(filters)) {
        if (installed.has(name)) continue;
        module.FS.writeFile(`${PLUGIN_DIR}/libH5Z${name}.so`, await loadPlugin(name));
        installed.add(name);
      }
    },
  };
}

/**
 * HDF5's error stack as one line: the filter's complaint if a filter failed, otherwise the
 * innermost (most specific) entry. E.g. "required filter 'lzo' is not registered".
 */
export function condenseHdf5Error(message: string): string {
  if (!message.includes('HDF5-DIAG')) return message;
  const frames = [...message.matchAll(/#\d+: .*? in ([\w]+)\(\): (.*)\n\s*major: (.*)\n\s*minor: (.*)/g)].map((m) => ({
    fn: m[1],
    text: m[2].trim(),
    major: m[3].trim(),
    minor: m[4].trim(),
  }));
  if (frames.length === 0) return message.split('\n').slice(0, 2).join(' ');
  const filter = frames.find((f) => f.major === 'Data filters');
  const chosen = filter ?? frames[frames.length - 1];
  return `HDF5: ${chosen.text} (${chosen.minor.toLowerCase()})`;
}
