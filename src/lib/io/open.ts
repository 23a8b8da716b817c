/**
 * One entry point for every array file: the format is recognised from its magic bytes (never
 * from the extension), and every error that leaves is an {@link ArrayFileError} naming the file.
 */
import { ArrayFileError, FormatError, guard } from './errors.ts';
import type { Hdf5Options } from './hdf5.ts';
import { NPY_MAGIC, openNpy } from './npy.ts';
import { openNpz } from './npz.ts';
import type { ByteSource } from './source.ts';
import { makeGroup, walk, type ArrayFile, type ArrayFormat } from './tree.ts';

const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04]; // PK\3\4
const ZIP_EMPTY = [0x50, 0x4b, 0x05, 0x06]; // PK\5\6: an archive with no members
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]; // \x89HDF\r\n\x1a\n

function startsWith(bytes: Uint8Array, prefix: ArrayLike<number>): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/**
 * The format of `source` from its first bytes. HDF5's signature may also sit after a user
 * block, at 512, 1024, 2048, … bytes (HDF5 File Format Specification §II.A).
 */
export async function detectFormat(source: ByteSource): Promise<ArrayFormat> {
  if (source.size === 0) throw new FormatError('the file is empty');
  const head = await source.read(0, 8);
  if (startsWith(head, NPY_MAGIC)) return 'npy';
  if (startsWith(head, ZIP_LOCAL) || startsWith(head, ZIP_EMPTY)) return 'npz';
  for (let offset = 0; offset + 8 <= source.size; offset = offset === 0 ? 512 : offset * 2) {
    const bytes = offset === 0 ? head : await source.read(offset, 8);
    if (startsWith(bytes, HDF5_SIGNATURE)) return 'hdf5';
  }
  const shown = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new FormatError(`not a .npy, .npz or HDF5 file (it starts with bytes ${shown})`);
}

export interface OpenOptions {
  /** HDF5 time limits (the HDF5 library can loop forever on some corrupt files). */
  hdf5?: Hdf5Options;
}

function stem(name: string): string {
  const base = name.replace(/^.*[\\/]/, '');
  const dot = base.lastIndexOf('.');
  return (dot > 0 ? base.slice(0, dot) : base) || 'array';
}

async function openByFormat(source: ByteSource, format: ArrayFormat, options: OpenOptions): Promise<ArrayFile> {
  if (format === 'npz') return openNpz(source);
  if (format === 'hdf5') {
    const { openHdf5 } = await import('./hdf5.ts');
    return openHdf5(source, options.hdf5);
  }
  const root = makeGroup('/');
  root.children.push(await openNpy(source, `/${stem(source.name)}`, 'npy file'));
  return {
    name: source.name,
    format: 'npy',
    size: source.size,
    root,
    warnings: [],
    async close() {
      await source.close?.();
    },
  };
}

/**
 * Opens an .npy, .npz or HDF5 file as a tree of nodes with lazy reads. Errors, now or from a
 * later `read`, are {@link ArrayFileError}s: `<file name>: <problem>` on one line.
 */
export async function openArrayFile(source: ByteSource, options: OpenOptions = {}): Promise<ArrayFile> {
  const file = await guard(source.name, async () => {
    try {
      return await openByFormat(source, await detectFormat(source), options);
    } catch (error) {
      await source.close?.().catch(() => undefined);
      throw error;
    }
  });
  for (const node of walk(file.root)) {
    if (node.kind !== 'dataset') continue;
    const read = node.read.bind(node);
    node.read = (selection) => guard(file.name, () => read(selection), node.path);
  }
  const close = file.close.bind(file);
  file.close = () => guard(file.name, close);
  return file;
}

export { ArrayFileError };
