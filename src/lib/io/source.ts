/**
 * Byte sources: random access to a file's bytes, whatever holds them.
 *
 * The same readers run on a browser File/Blob, on a Node file (see node-source.ts, kept apart
 * so browser bundles never import 'fs') and on bytes in memory.
 */
import { FormatError } from './errors.ts';

export interface ByteSource {
  /** File name, used in error messages. */
  readonly name: string;
  /** Total length in bytes. */
  readonly size: number;
  /**
   * Reads `length` bytes from `offset`. Fewer bytes come back only at the end of the source.
   * The returned array is the caller's own (a fresh buffer starting at byteOffset 0), so it may
   * be modified (byte-swapped in place) and viewed as any typed array its length allows.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Releases an open file handle, where there is one. */
  close?(): Promise<void>;
  /** The Blob behind a browser source (HDF5 mounts it on WORKERFS instead of reading it). */
  readonly blob?: Blob;
  /** The path behind a Node file source (HDF5 opens it directly). */
  readonly path?: string;
}

function clampRange(size: number, offset: number, length: number): [number, number] {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new RangeError(`invalid read of ${length} bytes at ${offset}`);
  }
  const start = Math.min(offset, size);
  return [start, Math.min(size, start + length)];
}

/** A source over bytes already in memory; reads return copies so callers may modify them. */
export function fromBytes(bytes: Uint8Array, name = 'bytes'): ByteSource {
  return {
    name,
    size: bytes.length,
    async read(offset, length) {
      const [start, end] = clampRange(bytes.length, offset, length);
      return bytes.slice(start, end);
    },
  };
}

/** A source over a browser File or Blob: each read is a Blob.slice, nothing is loaded whole. */
export function fromBlob(blob: Blob, name = (blob as File).name ?? 'blob'): ByteSource {
  return {
    name,
    size: blob.size,
    blob,
    async read(offset, length) {
      const [start, end] = clampRange(blob.size, offset, length);
      return new Uint8Array(await blob.slice(start, end).arrayBuffer());
    },
  };
}

/** A window [offset, offset + size) of another source, e.g. a stored ZIP member. */
export function subSource(parent: ByteSource, offset: number, size: number, name = parent.name): ByteSource {
  return {
    name,
    size,
    async read(start, length) {
      const [from, to] = clampRange(size, start, length);
      return parent.read(offset + from, to - from);
    },
  };
}

/** Reads exactly `length` bytes or throws, naming what was being read. */
export async function readExactly(source: ByteSource, offset: number, length: number, what: string): Promise<Uint8Array> {
  const bytes = await source.read(offset, length);
  if (bytes.length !== length) {
    throw new TruncatedError(`truncated: ${what} needs ${length} bytes at offset ${offset}, but the file has ${Math.max(0, source.size - offset)}`);
  }
  return bytes;
}

export class TruncatedError extends FormatError {
  override name = 'TruncatedError';
}
