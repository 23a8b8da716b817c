/**
 * A {@link ByteSource} over a file on disk (Node only: the CLI, tests, benchmarks).
 * Kept out of source.ts so that browser bundles never import 'node:fs'.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { ArrayFileError } from './errors.ts';
import { openArrayFile, type OpenOptions } from './open.ts';
import type { ByteSource } from './source.ts';
import type { ArrayFile } from './tree.ts';

/** Opens `path` for random-access reads; call `close()` when done. */
export async function fromNodePath(path: string): Promise<ByteSource> {
  const handle: FileHandle = await open(path, 'r');
  const { size } = await handle.stat();
  return {
    name: basename(path),
    size,
    path,
    async read(offset, length) {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
        throw new RangeError(`invalid read of ${length} bytes at ${offset}`);
      }
      const want = Math.max(0, Math.min(length, size - offset));
      // A fresh ArrayBuffer per read (not Buffer's shared pool): callers view it as typed arrays.
      const out = new Uint8Array(want);
      let done = 0;
      while (done < want) {
        const { bytesRead } = await handle.read(out, done, want - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === want ? out : out.subarray(0, done);
    },
    async close() {
      await handle.close();
    },
  };
}

/** Opens an array file on disk (format from its magic bytes). */
export async function openArrayPath(path: string, options?: OpenOptions): Promise<ArrayFile> {
  let source: ByteSource;
  try {
    source = await fromNodePath(path);
  } catch (error) {
    throw new ArrayFileError(basename(path), (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message);
  }
  return openArrayFile(source, options);
}
