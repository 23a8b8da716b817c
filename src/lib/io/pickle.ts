/**
 * A restricted unpickler for numpy object arrays (pickle protocols 2–5), as np.save / np.savez
 * write them for dicts, lists and ragged arrays.
 *
 * This is a small stack machine over the opcodes of CPython's Lib/pickletools.py. Nothing is
 * ever executed: a GLOBAL only names something, and the only names accepted are numpy's array
 * and dtype reconstructors (NumPy 1 `numpy.core.*` and NumPy 2 `numpy._core.*` paths) and the
 * builtin containers, all re-implemented here. Any other name is refused with an error naming it.
 * Every opcode consumes at least one input byte and every length is checked against the input,
 * so time and memory stay linear in the size of the pickle.
 */
import { FormatError, UnsupportedError } from './errors.ts';
import { decodeElements, dtypeName, parseNumpyDescr, type ByteOrder, type DType } from './dtype.ts';
import { elementCount, fortranToC, type ArrayValues } from './ndarray.ts';

export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}
export class PyList {
  constructor(readonly items: PyValue[]) {}
}
export class PySet {
  constructor(
    readonly items: PyValue[],
    readonly frozen: boolean,
  ) {}
}
export class PyBytes {
  constructor(readonly bytes: Uint8Array) {}
}
/** A dict; keys keep Python's equality through a canonical string form. */
export class PyDict {
  readonly keys: PyValue[] = [];
  readonly values: PyValue[] = [];
  private readonly index = new Map<string, number>();

  set(key: PyValue, value: PyValue): void {
    const k = hashKey(key);
    const at = this.index.get(k);
    if (at === undefined) {
      this.index.set(k, this.keys.length);
      this.keys.push(key);
      this.values.push(value);
    } else {
      this.values[at] = value;
    }
  }
}
/** A name from the allowlist (never an object from the file). */
export class PyGlobal {
  constructor(readonly qualname: string) {}
}
/** numpy.dtype(code, align, copy) followed by BUILD(state). */
export class PyDType {
  byteorder: ByteOrder | '=' = '=';
  elsize = -1;
  constructor(readonly code: string) {}

  resolve(): DType {
    const letter = this.code.replace(/\d+$/, '');
    const digits = this.code.slice(letter.length);
    const order = this.byteorder === '=' ? '<' : this.byteorder;
    if (letter === 'U') return { kind: 'U', itemsize: this.elsize > 0 ? this.elsize : 4 * Number(digits || 0), byteorder: order === '|' ? '<' : order };
    if (letter === 'S') return { kind: 'S', itemsize: this.elsize > 0 ? this.elsize : Number(digits || 0), byteorder: '|' };
    return parseNumpyDescr(`${order}${this.code}`);
  }
}
/** An ndarray being rebuilt: _reconstruct / _frombuffer, then BUILD(state). */
export class PyNdarray {
  shape: number[] = [0];
  dtype: DType | null = null;
  /** Decoded values in C order (numeric / string dtypes). */
  values: ArrayValues | null = null;
  /** Elements of an object array, C order. */
  objects: PyValue[] | null = null;
}

export type PyValue = null | boolean | number | bigint | string | PyTuple | PyList | PySet | PyBytes | PyDict | PyGlobal | PyDType | PyNdarray;

function hashKey(key: PyValue): string {
  if (key === null) return 'N';
  switch (typeof key) {
    case 'boolean':
      return key ? 'n:1' : 'n:0'; // True == 1 in Python
    case 'number':
    case 'bigint':
      return `n:${key}`;
    case 'string':
      return `s:${key}`;
  }
  if (key instanceof PyTuple) return `t:(${key.items.map(hashKey).join(',')})`;
  if (key instanceof PyBytes) return `b:${Array.from(key.bytes).join(',')}`;
  if (key instanceof PySet && key.frozen) return `f:{${key.items.map(hashKey).sort().join(',')}}`;
  if (key instanceof PyGlobal) return `g:${key.qualname}`;
  throw new FormatError(`pickle uses an unhashable ${describe(key)} as a dict key`);
}

/** A short description of a value for error messages. */
export function describe(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v !== 'object') return typeof v;
  if (v instanceof PyGlobal) return v.qualname;
  if (v instanceof PyNdarray) return 'ndarray';
  if (v instanceof PyDType) return 'dtype';
  return v.constructor.name.replace(/^Py/, '').toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// The allowlist

const NUMPY_RECONSTRUCT = ['numpy.core.multiarray._reconstruct', 'numpy._core.multiarray._reconstruct'];
const NUMPY_SCALAR = ['numpy.core.multiarray.scalar', 'numpy._core.multiarray.scalar'];
const NUMPY_FROMBUFFER = ['numpy.core.numeric._frombuffer', 'numpy._core.numeric._frombuffer'];
/** Protocol-2 pickles spell `builtins` as `__builtin__` (Python 2 names via fix_imports). */
const BUILTINS = ['bytes', 'bytearray', 'set', 'frozenset', 'list', 'tuple', 'dict'].flatMap((n) => [`builtins.${n}`, `__builtin__.${n}`]);
const ALLOWED = new Set([
  ...NUMPY_RECONSTRUCT,
  ...NUMPY_SCALAR,
  ...NUMPY_FROMBUFFER,
  'numpy.ndarray',
  'numpy.dtype',
  '_codecs.encode',
  'collections.OrderedDict',
  ...BUILTINS,
]);

function resolveGlobal(module: string, name: string): PyGlobal {
  const qualname = `${module}.${name}`;
  if (!ALLOWED.has(qualname)) {
    throw new FormatError(`refused pickle global ${qualname}: only numpy arrays, dtypes and builtin containers are accepted`);
  }
  return new PyGlobal(qualname.replace(/^__builtin__\./, 'builtins.'));
}

// ---------------------------------------------------------------------------------------------
// Calls (REDUCE / NEWOBJ) and BUILD for the allowed names, written out here

function tupleItems(args: PyValue, what: string): PyValue[] {
  if (!(args instanceof PyTuple)) throw new FormatError(`pickle: ${what} expects a tuple of arguments, got ${describe(args)}`);
  return args.items;
}

function iterableItems(v: PyValue, what: string): PyValue[] {
  if (v instanceof PyList || v instanceof PyTuple || v instanceof PySet) return v.items;
  if (v instanceof PyDict) return v.keys;
  throw new FormatError(`pickle: ${what} of a ${describe(v)} is not supported`);
}

function toShape(v: PyValue, what: string): number[] {
  const items = v instanceof PyTuple || v instanceof PyList ? v.items : typeof v === 'number' ? [v] : null;
  if (!items) throw new FormatError(`pickle: ${what} must be a tuple of ints`);
  return items.map((d) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw new FormatError(`pickle: invalid dimension in ${what}`);
    return d;
  });
}

function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new FormatError('pickle: _codecs.encode(latin1) of a character above \\xff');
    out[i] = c;
  }
  return out;
}

function asBytes(v: PyValue, what: string): Uint8Array {
  if (v instanceof PyBytes) return v.bytes;
  throw new FormatError(`pickle: ${what} must be bytes, got ${describe(v)}`);
}

function asDType(v: PyValue, what: string): DType {
  if (v instanceof PyDType) return v.resolve();
  throw new FormatError(`pickle: ${what} must be a numpy dtype, got ${describe(v)}`);
}

/** One numpy scalar: numbers as numbers (bigint beyond 2^53), strings as strings. */
function scalarValue(dtype: DType, payload: PyValue): PyValue {
  if (dtype.kind === 'O') return payload;
  const bytes = asBytes(payload, 'numpy scalar data').slice();
  const values = decodeElements(bytes, dtype, 1);
  if (dtype.kind === 'c') {
    const arr = new PyNdarray();
    arr.shape = [];
    arr.dtype = dtype;
    arr.values = values;
    return arr;
  }
  const v = values[0];
  if (dtype.kind === 'b') return v === 1;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  return v;
}

function fillArray(arr: PyNdarray, dtype: DType, shape: number[], fortran: boolean, raw: PyValue): void {
  const count = elementCount(shape);
  arr.shape = shape;
  arr.dtype = dtype;
  if (dtype.kind === 'O') {
    if (!(raw instanceof PyList) || raw.items.length !== count) {
      throw new FormatError(`pickle: object array of shape (${shape.join(', ')}) needs a list of ${count} elements`);
    }
    arr.objects = fortran ? fortranToC(raw.items, shape, dtype) : raw.items;
    return;
  }
  const bytes = asBytes(raw, 'ndarray data');
  if (bytes.length !== count * dtype.itemsize) {
    throw new FormatError(`pickle: ${dtypeName(dtype)} array of shape (${shape.join(', ')}) needs ${count * dtype.itemsize} bytes, got ${bytes.length}`);
  }
  const values = decodeElements(bytes.slice(), dtype, count);
  arr.values = fortran ? fortranToC(values, shape, dtype) : values;
}

function call(fn: PyValue, args: PyValue): PyValue {
  if (!(fn instanceof PyGlobal)) throw new FormatError(`pickle calls a ${describe(fn)}, which is not allowed`);
  const a = tupleItems(args, fn.qualname);
  const q = fn.qualname;
  if (NUMPY_RECONSTRUCT.includes(q)) {
    if (!(a[0] instanceof PyGlobal) || a[0].qualname !== 'numpy.ndarray') {
      throw new FormatError(`pickle: _reconstruct of ${describe(a[0] ?? null)} is not supported (only numpy.ndarray)`);
    }
    return new PyNdarray();
  }
  if (q === 'numpy.dtype') {
    if (typeof a[0] !== 'string') throw new FormatError('pickle: numpy.dtype needs a type code');
    return new PyDType(a[0]);
  }
  if (NUMPY_SCALAR.includes(q)) return scalarValue(asDType(a[0] ?? null, 'scalar dtype'), a[1] ?? null);
  if (NUMPY_FROMBUFFER.includes(q)) {
    const [buf, dtypeArg, shapeArg, order] = a;
    const arr = new PyNdarray();
    fillArray(arr, asDType(dtypeArg ?? null, '_frombuffer dtype'), toShape(shapeArg ?? null, '_frombuffer shape'), order === 'F', buf ?? null);
    return arr;
  }
  if (q === '_codecs.encode') {
    const [text, encoding] = a;
    if (typeof text !== 'string') throw new FormatError('pickle: _codecs.encode needs a string');
    if (encoding === 'latin1' || encoding === 'latin-1') return new PyBytes(latin1Bytes(text));
    if (encoding === 'utf-8' || encoding === 'utf8') return new PyBytes(new TextEncoder().encode(text));
    throw new FormatError(`pickle: _codecs.encode with encoding ${String(encoding)} is not supported`);
  }
  switch (q) {
    case 'builtins.bytes':
    case 'builtins.bytearray': {
      if (a.length === 0) return new PyBytes(new Uint8Array(0));
      if (a[0] instanceof PyBytes) return new PyBytes(a[0].bytes.slice());
      if (typeof a[0] === 'string') return call(new PyGlobal('_codecs.encode'), new PyTuple([a[0], a[1] ?? 'utf-8']));
      const items = iterableItems(a[0], q);
      return new PyBytes(
        Uint8Array.from(items, (x) => {
          if (typeof x !== 'number' || x < 0 || x > 255 || !Number.isInteger(x)) throw new FormatError(`pickle: ${q} of a non-byte value`);
          return x;
        }),
      );
    }
    case 'builtins.set':
    case 'builtins.frozenset':
      return new PySet(a.length ? [...iterableItems(a[0], q)] : [], q === 'builtins.frozenset');
    case 'builtins.list':
      return new PyList(a.length ? [...iterableItems(a[0], q)] : []);
    case 'builtins.tuple':
      return new PyTuple(a.length ? [...iterableItems(a[0], q)] : []);
    case 'builtins.dict':
    case 'collections.OrderedDict': {
      const d = new PyDict();
      if (a[0] instanceof PyDict) a[0].keys.forEach((k, i) => d.set(k, (a[0] as PyDict).values[i]));
      else if (a.length) {
        for (const pair of iterableItems(a[0], q)) {
          const kv = pair instanceof PyTuple || pair instanceof PyList ? pair.items : [];
          if (kv.length !== 2) throw new FormatError(`pickle: ${q} needs (key, value) pairs`);
          d.set(kv[0], kv[1]);
        }
      }
      return d;
    }
  }
  throw new FormatError(`pickle calls ${q}, which is not allowed`);
}

/** NEWOBJ: cls.__new__(cls, *args) — only for the builtin containers, which start empty. */
function newObject(cls: PyValue): PyValue {
  const q = cls instanceof PyGlobal ? cls.qualname : describe(cls);
  switch (q) {
    case 'builtins.list':
      return new PyList([]);
    case 'builtins.dict':
    case 'collections.OrderedDict':
      return new PyDict();
    case 'builtins.set':
      return new PySet([], false);
  }
  throw new FormatError(`pickle creates a ${q} object, which is not allowed`);
}

function build(obj: PyValue, state: PyValue): void {
  if (obj instanceof PyNdarray) {
    // ndarray.__setstate__((version, shape, dtype, is_fortran, rawdata)); version may be absent.
    let s = tupleItems(state, 'ndarray state');
    if (s.length === 5) s = s.slice(1);
    if (s.length !== 4) throw new FormatError('pickle: malformed ndarray state');
    fillArray(obj, asDType(s[1], 'ndarray dtype'), toShape(s[0], 'ndarray shape'), s[2] === true, s[3]);
    return;
  }
  if (obj instanceof PyDType) {
    // dtype.__setstate__((version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata]))
    const s = tupleItems(state, 'dtype state');
    if (s.length < 8) throw new FormatError('pickle: malformed dtype state');
    if (s[3] !== null || s[2] !== null) throw new UnsupportedError(`unsupported dtype: structured or subarray dtype (${obj.code}) in a pickle`);
    const order = s[1];
    if (order !== '<' && order !== '>' && order !== '|' && order !== '=') throw new FormatError('pickle: invalid dtype byte order');
    obj.byteorder = order;
    obj.elsize = typeof s[5] === 'number' ? s[5] : -1;
    return;
  }
  if (obj instanceof PyDict && state instanceof PyDict) {
    state.keys.forEach((k, i) => obj.set(k, state.values[i]));
    return;
  }
  throw new FormatError(`pickle sets the state of a ${describe(obj)}, which is not allowed`);
}

// ---------------------------------------------------------------------------------------------
// The machine

const utf8 = new TextDecoder('utf-8');

/** Unpickles `bytes`, accepting only the allowlisted globals. Throws {@link FormatError}. */
export function unpickle(bytes: Uint8Array): PyValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const stack: PyValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PyValue>();

  const need = (n: number): number => {
    if (!Number.isSafeInteger(n) || n < 0 || pos + n > bytes.length) throw new FormatError('truncated pickle');
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = () => bytes[need(1)];
  const u16 = () => view.getUint16(need(2), true);
  const u32 = () => view.getUint32(need(4), true);
  const u64 = (): number => {
    const v = view.getBigUint64(need(8), true);
    if (v > BigInt(bytes.length)) throw new FormatError('truncated pickle');
    return Number(v);
  };
  const take = (n: number) => bytes.subarray(need(n), pos);
  const pop = (): PyValue => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1])) throw new FormatError('corrupt pickle: stack underflow');
    return stack.pop() as PyValue;
  };
  const top = (): PyValue => {
    if (stack.length === 0) throw new FormatError('corrupt pickle: stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): PyValue[] => {
    const at = marks.pop();
    if (at === undefined) throw new FormatError('corrupt pickle: no MARK');
    return stack.splice(at);
  };
  const readLine = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new FormatError('truncated pickle');
    const line = utf8.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return line;
  };
  const memoGet = (i: number): PyValue => {
    if (!memo.has(i)) throw new FormatError(`corrupt pickle: memo entry ${i} is missing`);
    return memo.get(i) as PyValue;
  };
  const signedLong = (raw: Uint8Array): number | bigint => {
    // Little-endian two's complement of any length (LONG1 / LONG4).
    let v = 0n;
    for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]);
    if (raw.length && raw[raw.length - 1] & 0x80) v -= 1n << BigInt(8 * raw.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const appendTo = (target: PyValue, items: PyValue[]) => {
    if (target instanceof PyList) target.items.push(...items);
    else if (target instanceof PySet && !target.frozen) target.items.push(...items);
    else throw new FormatError(`corrupt pickle: append to a ${describe(target)}`);
  };
  const setItems = (target: PyValue, items: PyValue[]) => {
    if (!(target instanceof PyDict) || items.length % 2) throw new FormatError('corrupt pickle: SETITEMS on a non-dict');
    for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
  };

  while (pos < bytes.length) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) throw new FormatError('pickle protocol newer than 5');
        break;
      case 0x95: // FRAME (a length hint only)
        need(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length) throw new FormatError('corrupt pickle: unbalanced stack at STOP');
        return stack[0];
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push(new PyList([]));
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x8f: // EMPTY_SET
        stack.push(new PySet([], false));
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(view.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(signedLong(take(u8())));
        break;
      case 0x8b: {
        // LONG4
        const n = view.getInt32(need(4), true);
        if (n < 0) throw new FormatError('corrupt pickle: negative LONG4 length');
        stack.push(signedLong(take(n)));
        break;
      }
      case 0x47: // BINFLOAT (big-endian IEEE 754 double)
        stack.push(view.getFloat64(need(8), false));
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8.decode(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8.decode(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8.decode(take(u64())));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(new PyBytes(take(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(new PyBytes(take(u32())));
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(new PyBytes(take(u64())));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x6c: // LIST
        stack.push(new PyList(popMark()));
        break;
      case 0x64: {
        // DICT
        const d = new PyDict();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new PySet(popMark(), true));
        break;
      case 0x61: {
        // APPEND
        const item = pop();
        appendTo(top(), [item]);
        break;
      }
      case 0x65: // APPENDS
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        appendTo(top(), items);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memoGet(u32()));
        break;
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = readLine();
        stack.push(resolveGlobal(module, readLine()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new FormatError('corrupt pickle: STACK_GLOBAL needs two strings');
        stack.push(resolveGlobal(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push(call(pop(), args));
        break;
      }
      case 0x81: {
        // NEWOBJ
        pop();
        stack.push(newObject(pop()));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        pop();
        pop();
        stack.push(newObject(pop()));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        build(top(), state);
        break;
      }
      case 0x30: // POP
        if (marks.length && stack.length === marks[marks.length - 1]) marks.pop();
        else pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x97: // NEXT_BUFFER
      case 0x98: // READONLY_BUFFER
        throw new FormatError('pickle uses out-of-band buffers, which a file cannot supply');
      case 0x50: // PERSID
      case 0x51: // BINPERSID
        throw new FormatError('refused pickle persistent id: only numpy arrays, dtypes and builtin containers are accepted');
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: // EXT4
        throw new FormatError('refused pickle extension-registry global: only numpy arrays, dtypes and builtin containers are accepted');
      default:
        throw new FormatError(`unsupported or corrupt pickle: opcode 0x${op.toString(16).padStart(2, '0')} at byte ${pos - 1}`);
    }
  }
  throw new FormatError('truncated pickle: no STOP opcode');
}
