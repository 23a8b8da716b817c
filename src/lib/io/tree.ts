/**
 * The one tree every format opens into: groups, datasets (with a lazy `read`), plain values
 * (pickled metadata such as a list of phase names) and links.
 *
 * Paths are HDF5-style: '/' is the root, '/1d/x_px' a dataset inside group '1d'.
 */
import type { DType } from './dtype.ts';
import { FormatError } from './errors.ts';
import { resolveSelection, sliceArray, type ArrayData, type PlainValue, type Selection } from './ndarray.ts';

export type ArrayFormat = 'npy' | 'npz' | 'hdf5';

interface NodeBase {
  /** Last path component ('' for the root). */
  name: string;
  /** Absolute path, '/'-separated. */
  path: string;
  attrs: Record<string, PlainValue>;
}

export interface GroupNode extends NodeBase {
  kind: 'group';
  children: TreeNode[];
}

export interface DatasetNode extends NodeBase {
  kind: 'dataset';
  shape: number[];
  dtype: DType;
  /** How the bytes are stored, e.g. 'npy in zip: deflate', 'chunked 1×32×32: deflate(4)'. */
  storage: string;
  /** Reads the whole array, or only a hyperslab; values in C order and native byte order. */
  read(selection?: Selection): Promise<ArrayData>;
}

export interface ValueNode extends NodeBase {
  kind: 'value';
  value: PlainValue;
}

/** An HDF5 soft link (to a group, or dangling) or external link; not followed. */
export interface LinkNode extends NodeBase {
  kind: 'link';
  target: string;
  /** For external links: the other file. */
  file?: string;
}

export type TreeNode = GroupNode | DatasetNode | ValueNode | LinkNode;

export interface ArrayFile {
  name: string;
  format: ArrayFormat;
  /** Bytes. */
  size: number;
  root: GroupNode;
  /** Things skipped while opening (e.g. a non-.npy member of a zip). */
  warnings: string[];
  close(): Promise<void>;
}

export function joinPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/** Every node below (and including) `node`, depth first, in child order. */
export function* walk(node: TreeNode): Generator<TreeNode> {
  yield node;
  if (node.kind === 'group') for (const child of node.children) yield* walk(child);
}

/** All datasets of a file, in tree order. */
export function datasets(file: ArrayFile): DatasetNode[] {
  return [...walk(file.root)].filter((n): n is DatasetNode => n.kind === 'dataset');
}

/** The node at `path` ('/a/b' or 'a/b'), or undefined. */
export function findNode(file: ArrayFile, path: string): TreeNode | undefined {
  const parts = path.split('/').filter((p) => p !== '');
  let node: TreeNode = file.root;
  for (const part of parts) {
    if (node.kind !== 'group') return undefined;
    const next: TreeNode | undefined = node.children.find((c) => c.name === part);
    if (!next) return undefined;
    node = next;
  }
  return node;
}

/** An empty group to fill. */
export function makeGroup(path: string, attrs: Record<string, PlainValue> = {}): GroupNode {
  return { kind: 'group', name: path === '/' ? '' : path.slice(path.lastIndexOf('/') + 1), path, attrs, children: [] };
}

/**
 * Puts `node` at `path` below `root`, creating intermediate groups ('a/b/c' → groups a, b).
 * Used for zip members whose names contain '/'.
 */
export function insertAtPath(root: GroupNode, path: string, make: (path: string, name: string) => TreeNode): TreeNode {
  const parts = path.split('/').filter((p) => p !== '');
  let group = root;
  for (const part of parts.slice(0, -1)) {
    const childPath = joinPath(group.path, part);
    let next = group.children.find((c) => c.name === part);
    if (!next) {
      next = makeGroup(childPath);
      group.children.push(next);
    }
    if (next.kind !== 'group') throw new FormatError(`${childPath} is both an array and a group`);
    group = next;
  }
  const name = parts[parts.length - 1] ?? '';
  const node = make(joinPath(group.path, name), name);
  group.children.push(node);
  return node;
}

/** A dataset whose values are already in memory (unpickled arrays, test data). */
export function memoryDataset(array: ArrayData, path: string, storage: string, attrs: Record<string, PlainValue> = {}): DatasetNode {
  return {
    kind: 'dataset',
    name: path.slice(path.lastIndexOf('/') + 1),
    path,
    attrs,
    shape: [...array.shape],
    dtype: array.dtype,
    storage,
    async read(selection?: Selection) {
      return sliceArray(array, resolveSelection(array.shape, selection));
    },
  };
}
