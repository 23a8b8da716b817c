/**
 * Overlapping-tile processing of images of any size with a fixed-size model.
 *
 * The image is cut into tile × tile windows at stride tile − overlap (the last window flush with
 * the far edge); an image side shorter than the tile is mirror-padded. Each output pixel is the
 * weighted mean of the tiles covering it, out = Σ w·tileₖ / Σ w, with the separable window
 * w(i, j) = sin²(π(i + ½)/T)·sin²(π(j + ½)/T): smooth and near zero at tile edges (hiding seams and
 * the model's border effects), yet positive everywhere, so every pixel is covered and a per-tile
 * identity reproduces the input exactly.
 */
import { reflectIndex } from './filters';

/** Start offsets of windows of length `tile` covering [0, length) with at least `overlap` overlap. */
export function tileStarts(length: number, tile: number, overlap: number): number[] {
  if (length <= tile) return [0];
  const stride = Math.max(1, tile - overlap);
  const starts: number[] = [];
  for (let s = 0; s + tile < length; s += stride) starts.push(s);
  starts.push(length - tile);
  return starts;
}

/** 1-D blending weights sin²(π(i + ½)/T), i = 0..T−1. */
export function blendWindow(tile: number): Float64Array {
  const w = new Float64Array(tile);
  for (let i = 0; i < tile; i++) w[i] = Math.sin((Math.PI * (i + 0.5)) / tile) ** 2;
  return w;
}

/** Processes a batch of tiles: `tiles` holds `count` tile×tile images; returns the same layout. */
export type TileFunction = (tiles: Float32Array, count: number) => Promise<Float32Array>;

export interface TileOptions {
  tile: number;
  overlap: number;
  /** Most tiles handed to `fn` in one call (bounds memory for large images). */
  maxTilesPerCall?: number;
  signal?: AbortSignal;
}

/** Applies `fn` to overlapping tiles of a height × width image and blends the results. */
export async function processTiled(
  image: Float32Array,
  height: number,
  width: number,
  fn: TileFunction,
  { tile, overlap, maxTilesPerCall = 256, signal }: TileOptions,
): Promise<Float32Array> {
  const rowStarts = tileStarts(height, tile, overlap);
  const colStarts = tileStarts(width, tile, overlap);
  const positions = rowStarts.flatMap((r) => colStarts.map((c) => [r, c] as const));
  const window = blendWindow(tile);
  const weighted = new Float64Array(height * width);
  const weights = new Float64Array(height * width);
  const per = tile * tile;

  for (let first = 0; first < positions.length; first += maxTilesPerCall) {
    if (signal?.aborted) throw new DOMException('stopped by the user', 'AbortError');
    const chunk = positions.slice(first, first + maxTilesPerCall);
    const tiles = new Float32Array(chunk.length * per);
    chunk.forEach(([r0, c0], k) => {
      for (let i = 0; i < tile; i++) {
        const src = reflectIndex(r0 + i, height) * width;
        for (let j = 0; j < tile; j++) tiles[k * per + i * tile + j] = image[src + reflectIndex(c0 + j, width)];
      }
    });
    const out = await fn(tiles, chunk.length);
    chunk.forEach(([r0, c0], k) => {
      // Only the part of the tile inside the image contributes (the rest is mirror padding).
      for (let i = 0; i < Math.min(tile, height - r0); i++) {
        for (let j = 0; j < Math.min(tile, width - c0); j++) {
          const w = window[i] * window[j];
          const at = (r0 + i) * width + c0 + j;
          weighted[at] += w * out[k * per + i * tile + j];
          weights[at] += w;
        }
      }
    });
  }
  const result = new Float32Array(height * width);
  for (let i = 0; i < result.length; i++) result[i] = weighted[i] / weights[i];
  return result;
}
