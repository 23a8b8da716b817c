/**
 * The ArrayBuffers inside a value (typed arrays, nested in arrays and objects) that can be
 * transferred to another thread instead of copied: only those a typed array views whole, since a
 * partial view may share its buffer with data that must stay.
 */
export function transferables(value: unknown, out: Set<ArrayBuffer> = new Set()): Set<ArrayBuffer> {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer && value.byteLength === value.buffer.byteLength) out.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const v of value) transferables(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) transferables(v, out);
  }
  return out;
}
