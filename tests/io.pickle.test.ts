import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { openArrayPath } from '../src/lib/io/node-source.ts';
import { pyToNode } from '../src/lib/io/objects.ts';
import { PyBytes, PyDict, PyList, PyNdarray, PySet, PyTuple, unpickle } from '../src/lib/io/pickle.ts';
import { fixture } from './fixtures/io-manifest.ts';

/** Builds pickles opcode by opcode (names as in CPython's pickletools). */
const enc = new TextEncoder();
const op = {
  proto: (v: number) => [0x80, v],
  stop: [0x2e],
  mark: [0x28],
  none: [0x4e],
  true: [0x88],
  emptyList: [0x5d],
  emptyDict: [0x7d],
  emptyTuple: [0x29],
  emptySet: [0x8f],
  append: [0x61],
  appends: [0x65],
  setitem: [0x73],
  setitems: [0x75],
  additems: [0x90],
  frozenset: [0x91],
  tuple: [0x74],
  tuple2: [0x86],
  reduce: [0x52],
  build: [0x62],
  dup: [0x32],
  pop: [0x30],
  popMark: [0x31],
  memoize: [0x94],
  binput: (i: number) => [0x71, i],
  binget: (i: number) => [0x68, i],
  binint1: (v: number) => [0x4b, v],
  binint: (v: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v, true);
    return [0x4a, ...b];
  },
  long1: (bytes: number[]) => [0x8a, bytes.length, ...bytes],
  binfloat: (v: number) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, false);
    return [0x47, ...b];
  },
  str: (s: string) => {
    const b = enc.encode(s);
    return [0x8c, b.length, ...b];
  },
  bytes: (b: number[]) => [0x43, b.length, ...b],
  global: (module: string, name: string) => [0x63, ...enc.encode(`${module}\n${name}\n`)],
  stackGlobal: [0x93],
};

function pickle(...parts: (number[] | number)[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => (Array.isArray(p) ? p : [p])));
}

describe('restricted unpickler: refusals', () => {
  it('refuses os.system in a file and names it; nothing runs', async () => {
    await expect(openArrayPath(fixture('bad/evil-pickle.npz'))).rejects.toThrow(
      /^evil-pickle\.npz: refused pickle global os\.system: only numpy arrays, dtypes and builtin containers are accepted$/,
    );
    await expect(openArrayPath(fixture('bad/evil-pickle.npy'))).rejects.toThrow(/evil-pickle\.npy: refused pickle global os\.system/);
    expect(existsSync('pwned')).toBe(false);
  });

  it('refuses a foreign class written by numpy (fractions.Fraction)', async () => {
    await expect(openArrayPath(fixture('bad/foreign-pickle.npz'))).rejects.toThrow(/foreign-pickle\.npz: refused pickle global fractions\.Fraction/);
  });

  it.each([
    ['builtins', 'eval'],
    ['__builtin__', 'getattr'],
    ['numpy', 'load'],
    ['numpy.ma.core', 'MaskedArray'],
    ['subprocess', 'Popen'],
  ])('refuses %s.%s by GLOBAL and by STACK_GLOBAL', (module, name) => {
    expect(() => unpickle(pickle(op.proto(2), op.global(module, name), op.stop))).toThrow(`refused pickle global ${module}.${name}`);
    expect(() => unpickle(pickle(op.proto(4), op.str(module), op.str(name), op.stackGlobal, op.stop))).toThrow(`refused pickle global ${module}.${name}`);
  });

  it('refuses persistent ids, extension codes and out-of-band buffers', () => {
    expect(() => unpickle(pickle(op.proto(2), op.str('x'), [0x51], op.stop))).toThrow(/persistent id/);
    expect(() => unpickle(pickle(op.proto(2), [0x82, 1], op.stop))).toThrow(/extension-registry/);
    expect(() => unpickle(pickle(op.proto(5), [0x97], op.stop))).toThrow(/out-of-band buffers/);
  });

  it('fails cleanly on truncated, unbalanced or unknown input', () => {
    expect(() => unpickle(pickle(op.proto(2), op.emptyList))).toThrow(/no STOP/);
    expect(() => unpickle(pickle(op.proto(2), [0x58, 0xff, 0xff, 0xff, 0x7f], op.stop))).toThrow(/truncated pickle/);
    expect(() => unpickle(pickle(op.proto(2), op.append, op.stop))).toThrow(/stack underflow/);
    expect(() => unpickle(pickle(op.proto(2), op.binget(3), op.stop))).toThrow(/memo entry 3 is missing/);
    expect(() => unpickle(pickle(op.proto(2), [0x49], op.stop))).toThrow(/opcode 0x49/);
    expect(() => unpickle(pickle(op.proto(2), op.none, op.none, op.stop))).toThrow(/unbalanced/);
  });
});

describe('restricted unpickler: values', () => {
  it('reads ints of every width, floats, strings, bytes and singletons', () => {
    const value = unpickle(
      pickle(
        op.proto(2),
        op.mark,
        op.binint1(200),
        op.binint(-5),
        op.long1([0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00]), // 2^53 + 1
        op.long1([0xff]), // -1
        op.binfloat(-2.5),
        op.str('héllo'),
        op.bytes([0, 255]),
        op.none,
        op.true,
        op.tuple,
        op.stop,
      ),
    );
    expect(value).toBeInstanceOf(PyTuple);
    const items = (value as PyTuple).items;
    expect(items.slice(0, 2)).toEqual([200, -5]);
    expect(items[2]).toBe(2n ** 53n + 1n);
    expect(items.slice(3, 6)).toEqual([-1, -2.5, 'héllo']);
    expect((items[6] as PyBytes).bytes).toEqual(Uint8Array.from([0, 255]));
    expect(items.slice(7)).toEqual([null, true]);
  });

  it('builds lists, dicts (tuple keys), sets and frozensets; memo and DUP share objects', () => {
    const value = unpickle(
      pickle(
        op.proto(4),
        op.emptyDict,
        op.memoize,
        op.mark,
        op.binint1(1),
        op.binint1(2),
        op.tuple2,
        op.emptyList,
        op.memoize,
        op.mark,
        op.str('a'),
        op.str('b'),
        op.appends,
        op.str('again'),
        op.binget(1),
        op.str('set'),
        op.emptySet,
        op.mark,
        op.binint1(3),
        op.additems,
        op.str('frozen'),
        op.mark,
        op.binint1(4),
        op.frozenset,
        op.setitems,
        op.stop,
      ),
    );
    const d = value as PyDict;
    expect(d.keys.length).toBe(4);
    expect((d.keys[0] as PyTuple).items).toEqual([1, 2]);
    expect(d.values[0]).toBe(d.values[1]); // the memoised list, not a copy
    expect((d.values[0] as PyList).items).toEqual(['a', 'b']);
    expect(d.values[2]).toEqual(new PySet([3], false));
    expect(d.values[3]).toEqual(new PySet([4], true));
  });

  it('accepts collections.OrderedDict and builtins.set as protocol 2 writes them', () => {
    const value = unpickle(
      pickle(
        op.proto(2),
        op.global('collections', 'OrderedDict'),
        op.emptyTuple,
        op.reduce,
        op.mark,
        op.str('k'),
        op.binint1(9),
        op.setitems,
        op.global('__builtin__', 'set'),
        op.emptyList,
        op.mark,
        op.binint1(1),
        op.appends,
        [0x85], // TUPLE1
        op.reduce,
        op.tuple2,
        op.stop,
      ),
    );
    const [od, set] = (value as PyTuple).items;
    expect((od as PyDict).values).toEqual([9]);
    expect((set as PySet).items).toEqual([1]);
  });

  it('rebuilds numpy arrays through _reconstruct + BUILD and checks their byte counts', () => {
    const dtype = [op.global('numpy', 'dtype'), op.str('f4'), 0x89, 0x88, 0x87, op.reduce, op.mark, op.binint1(3), op.str('<'), op.none, op.none, op.none, op.binint(-1), op.binint(-1), op.binint1(0), op.tuple, op.build];
    const head = [op.proto(2), op.global('numpy.core.multiarray', '_reconstruct'), op.global('numpy', 'ndarray'), op.binint1(0), [0x85], op.bytes([0x62]), 0x87, op.reduce];
    const state = (data: number[]) => [op.mark, op.binint1(1), op.binint1(2), [0x85], ...dtype, 0x89, op.bytes(data), op.tuple, op.build, op.stop];
    const value = unpickle(pickle(...head, ...state([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]))) as PyNdarray;
    expect(value.shape).toEqual([2]);
    expect(Array.from(value.values as Float32Array)).toEqual([1, -2]);
    expect(() => unpickle(pickle(...head, ...state([0, 0, 0x80])))).toThrow(/needs 8 bytes, got 3/);
  });
});

describe('unpickled objects as tree nodes', () => {
  it('refuses self-referencing structures instead of recursing forever', () => {
    // l = []; l.append(l)
    const value = unpickle(pickle(op.proto(2), op.emptyList, op.binput(0), op.binget(0), op.append, op.stop));
    expect((value as PyList).items[0]).toBe(value);
    expect(() => pyToNode(value, '/x', 'test')).toThrow(/refers to itself/);
  });

  it('refuses data nested deeper than a sane limit', () => {
    const deep = pickle(op.proto(2), ...Array.from({ length: 500 }, () => [op.mark]).flat(), ...Array.from({ length: 500 }, () => op.tuple).flat(), op.stop);
    expect(() => pyToNode(unpickle(deep), '/x', 'test')).toThrow(/nested too deeply/);
  });

  it('keeps dict keys that are not strings readable and unique', () => {
    const value = unpickle(pickle(op.proto(2), op.emptyDict, op.mark, op.binint1(1), op.str('one'), op.str('1'), op.str('string one'), op.str('a/b'), op.str('slash'), op.setitems, op.stop));
    const node = pyToNode(value, '/m', 'test');
    if (node.kind !== 'group') throw new Error('expected a group');
    expect(node.children.map((c) => c.name)).toEqual(['1', '1~2', 'a∕b']);
  });
});
