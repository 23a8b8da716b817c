/**
 * .npz archives (np.savez / np.savez_compressed): a zip of .npy members, one per array.
 *
 * Opening lists the central directory and reads each member's .npy header only (a few
 * kilobytes, inflating just that much of a deflated member); array data is read when asked
 * for. Object-array members (pickled dicts and lists) are unpickled at open, since their
 * contents are the tree. A member name 'group/a.npy' becomes the dataset '/group/a'.
 */
import { FormatError, UnsupportedError } from './errors.ts';
import { openNpy, writeNpy, type NpyWriteOptions } from './npy.ts';
import type { ArrayData } from './ndarray.ts';
import type { ByteSource } from './source.ts';
import { insertAtPath, makeGroup, type ArrayFile, type TreeNode } from './tree.ts';
import { concatBytes, encodeZip, openZipMember, readZipDirectory, type ZipWriteOptions } from './zip.ts';

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** Opens an .npz archive held in `source`. */
export async function openNpz(source: ByteSource): Promise<ArrayFile> {
  const entries = await readZipDirectory(source);
  const root = makeGroup('/');
  const warnings: string[] = [];
  const taken = new Set<string>();
  for (const entry of entries) {
    if (entry.name.endsWith('/')) continue; // a directory record
    if (!entry.name.endsWith('.npy')) {
      warnings.push(`skipped member ${JSON.stringify(entry.name)}: not an .npy array`);
      continue;
    }
    const parts = entry.name.slice(0, -4).split('/').filter((p) => p !== '');
    const path = `/${parts.join('/')}`;
    if (parts.length === 0 || taken.has(path) || [...taken].some((t) => t.startsWith(`${path}/`) || path.startsWith(`${t}/`))) {
      warnings.push(`skipped member ${JSON.stringify(entry.name)}: its name clashes with another member`);
      continue;
    }
    const method = entry.method === 8 ? `deflate ${sizeText(entry.compressedSize)} → ${sizeText(entry.uncompressedSize)}` : 'stored';
    let node: TreeNode;
    try {
      const member = await openZipMember(source, entry);
      node = await openNpy(member, path, `npz member (${method})`);
    } catch (error) {
      // A dtype this layer cannot read costs only that member; anything else (corruption, a
      // refused pickle global) is an error for the file.
      if (!(error instanceof UnsupportedError)) throw error;
      warnings.push(`skipped member ${JSON.stringify(entry.name)}: ${error.message}`);
      continue;
    }
    taken.add(path);
    insertAtPath(root, path, () => node);
  }
  if (root.children.length === 0 && warnings.length > 0) throw new FormatError(warnings[0]);
  return {
    name: source.name,
    format: 'npz',
    size: source.size,
    root,
    warnings,
    async close() {
      await source.close?.();
    },
  };
}

export interface NpzWriteOptions extends NpyWriteOptions, ZipWriteOptions {}

/**
 * Encodes arrays as an .npz (stored by default, as np.savez; `compression: 'deflate'` as
 * np.savez_compressed). Keys may contain '/' (groups). Returns the archive's parts in order.
 */
export function writeNpzParts(arrays: Record<string, ArrayData>, options: NpzWriteOptions = {}): Uint8Array[] {
  const inputs = Object.entries(arrays).map(([name, array]) => ({ name: `${name.replace(/^\/+/, '')}.npy`, data: writeNpy(array, options) }));
  return encodeZip(inputs, options);
}

/** {@link writeNpzParts}, concatenated. */
export function writeNpz(arrays: Record<string, ArrayData>, options: NpzWriteOptions = {}): Uint8Array {
  return concatBytes(writeNpzParts(arrays, options));
}
