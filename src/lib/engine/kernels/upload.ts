/**
 * Uploads of host data (batches, and the scalars that tfjs ops and layers create every step) through
 * GPUQueue.writeBuffer into a pooled buffer. tfjs 4.22 creates a new mapped staging buffer for each
 * upload and destroys it after the next submit: 115 createBuffer calls, 65 ms of host time, per
 * EMDenoiseNet training step on an H100 (Dawn, 2026-11-23), nearly all for 4-byte scalars.
 *
 * Ordering is the same as tfjs' copy: writeBuffer is queued before the next submitted command
 * buffer, and a buffer taken from the pool is never referenced by unsubmitted commands (tfjs keeps
 * buffers that recorded commands still use out of the pool until it submits them).
 */
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/** The parts of tfjs' webgpu backend this touches (not in its public typings). */
interface BackendInternals {
  tensorMap: { get(dataId: object): TensorData };
  bufferManager: { acquireBuffer(size: number, usage: number): GPUBuffer };
  queue: GPUQueue;
  uploadToGPU(dataId: object): void;
}

interface TensorData {
  dtype: string;
  shape: number[];
  values: ArrayLike<number> | null;
  resource: unknown;
}

const patched = new WeakSet<object>();

export function uploadThroughWriteBuffer(backend: WebGPUBackend): void {
  const b = backend as unknown as BackendInternals;
  if (patched.has(b)) return;
  patched.add(b);
  const original = b.uploadToGPU.bind(b);
  b.uploadToGPU = (dataId: object) => {
    const data = b.tensorMap.get(dataId);
    if (data.resource != null || data.values == null || data.values.length === 0 || !['float32', 'int32', 'bool'].includes(data.dtype)) {
      original(dataId);
      return;
    }
    const values = data.dtype === 'float32' ? toFloat32(data.values) : toInt32(data.values);
    const buffer = b.bufferManager.acquireBuffer(values.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    b.queue.writeBuffer(buffer, 0, values.buffer, values.byteOffset, values.byteLength);
    data.values = null;
    data.resource = buffer;
  };
}

function toFloat32(values: ArrayLike<number>): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/** int32 and bool live as int32 on the GPU (as tfjs stores them). */
function toInt32(values: ArrayLike<number>): Int32Array {
  return values instanceof Int32Array ? values : Int32Array.from(values);
}
