/**
 * Unpickled numpy object arrays → tree nodes, the way a scientist reads them in Python:
 * a dict becomes a group, an ndarray a dataset, and a list of plain values (strings, numbers)
 * a value node. So `np.savez(f, metadata=np.array({'phases': ['p4mbm', 'gratia_2h']}, dtype=object))`
 * opens with `/metadata/phases` = ['p4mbm', 'gratia_2h'].
 */
import { FormatError } from './errors.ts';
import type { ArrayData, PlainValue } from './ndarray.ts';
import { PyBytes, PyDType, PyDict, PyGlobal, PyList, PyNdarray, PySet, PyTuple, type PyValue } from './pickle.ts';
import { dtypeName } from './dtype.ts';
import { joinPath, memoryDataset, type GroupNode, type TreeNode } from './tree.ts';

const MAX_DEPTH = 64;

/** Converts an unpickled value to the node at `path`. */
export function pyToNode(value: PyValue, path: string, storage: string): TreeNode {
  return convert(value, path, storage, new Set(), 0);
}

function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Elements of an object ndarray as nested lists following its shape. */
function nestObjects(arr: PyNdarray): PyValue {
  const objects = arr.objects ?? [];
  if (arr.shape.length === 0) return objects[0] ?? null;
  let at = 0;
  const nest = (axis: number): PyList => {
    const items: PyValue[] = [];
    for (let i = 0; i < arr.shape[axis]; i++) items.push(axis === arr.shape.length - 1 ? objects[at++] : nest(axis + 1));
    return new PyList(items);
  };
  return nest(0);
}

/** Whether `v` holds arrays or dicts (then it becomes a group); cycles are left to the caller. */
function isStructure(v: PyValue, seen = new Set<object>(), depth = 0): boolean {
  if (depth > MAX_DEPTH) throw new FormatError('pickled data is nested too deeply');
  if (v === null || typeof v !== 'object' || seen.has(v)) return false;
  seen.add(v);
  if (v instanceof PyDict) return true;
  if (v instanceof PyNdarray) return v.dtype?.kind !== 'O' || isStructure(nestObjects(v), seen, depth + 1);
  if (v instanceof PyList || v instanceof PyTuple || v instanceof PySet) return v.items.some((x) => isStructure(x, seen, depth + 1));
  return false;
}

function keyName(key: PyValue): string {
  const plain = toPlain(key, new Set(), 0);
  const text = typeof plain === 'string' ? plain : JSON.stringify(plain, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  return (text === '' ? '""' : text).replace(/\//g, '∕'); // a '/' in a key must not split the path
}

function convert(value: PyValue, path: string, storage: string, ancestors: Set<object>, depth: number): TreeNode {
  if (depth > MAX_DEPTH) throw new FormatError('pickled data is nested too deeply');
  if (value instanceof PyNdarray) {
    if (value.dtype?.kind === 'O') return convert(nestObjects(value), path, storage, ancestors, depth + 1);
    return memoryDataset(ndarrayData(value), path, storage);
  }
  if (!(value instanceof PyDict) && !isStructure(value)) {
    return { kind: 'value', name: nameOf(path), path, attrs: {}, value: toPlain(value, ancestors, depth) };
  }
  if (ancestors.has(value as object)) throw new FormatError(`pickled data refers to itself at ${path}`);
  ancestors.add(value as object);
  const group: GroupNode = { kind: 'group', name: nameOf(path), path, attrs: {}, children: [] };
  const used = new Set<string>();
  const add = (name: string, child: PyValue) => {
    let unique = name;
    for (let n = 2; used.has(unique); n++) unique = `${name}~${n}`;
    used.add(unique);
    group.children.push(convert(child, joinPath(path, unique), storage, ancestors, depth + 1));
  };
  if (value instanceof PyDict) value.keys.forEach((k, i) => add(keyName(k), value.values[i]));
  else if (value instanceof PyList || value instanceof PyTuple || value instanceof PySet) value.items.forEach((item, i) => add(String(i), item));
  ancestors.delete(value as object);
  return group;
}

function ndarrayData(arr: PyNdarray): ArrayData {
  if (!arr.dtype || !arr.values) throw new FormatError('pickle: an ndarray was never given its data');
  return { dtype: arr.dtype, shape: arr.shape, data: arr.values };
}

/** Plain JSON-like form of a value without arrays or dicts of arrays (those become nodes). */
function toPlain(v: PyValue, ancestors: Set<object>, depth: number): PlainValue {
  if (depth > MAX_DEPTH) throw new FormatError('pickled data is nested too deeply');
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof PyBytes) {
    let text = '';
    for (const b of v.bytes) text += String.fromCharCode(b); // latin-1, as numpy's S dtype
    return text;
  }
  if (v instanceof PyGlobal) return v.qualname;
  if (v instanceof PyDType) return dtypeName(v.resolve());
  if (ancestors.has(v)) throw new FormatError('pickled data refers to itself');
  ancestors.add(v);
  let out: PlainValue;
  if (v instanceof PyDict) {
    const obj: Record<string, PlainValue> = {};
    v.keys.forEach((k, i) => (obj[keyName(k)] = toPlain(v.values[i], ancestors, depth + 1)));
    out = obj;
  } else if (v instanceof PyNdarray) {
    out = v.dtype?.kind === 'O' ? toPlain(nestObjects(v), ancestors, depth + 1) : Array.from(v.values ?? [], (x) => x as PlainValue);
  } else {
    out = v.items.map((x) => toPlain(x, ancestors, depth + 1));
  }
  ancestors.delete(v);
  return out;
}
