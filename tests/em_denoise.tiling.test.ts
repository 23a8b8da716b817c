import { describe, expect, it } from 'vitest';
import { blendWindow, processTiled, tileStarts, type TileFunction } from '../src/benchmarks/em_denoise/tiling';

/** A deterministic test image with structure at all scales. */
function pattern(height: number, width: number): Float32Array {
  const out = new Float32Array(height * width);
  for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) out[r * width + c] = Math.sin(0.37 * r) * Math.cos(0.21 * c) + 0.01 * ((r * 31 + c * 17) % 13);
  return out;
}

const identity: TileFunction = async (tiles) => Float32Array.from(tiles);

describe('overlapping tiles', () => {
  it('places windows flush with both edges with at least the requested overlap', () => {
    expect(tileStarts(64, 64, 16)).toEqual([0]);
    expect(tileStarts(40, 64, 16)).toEqual([0]);
    expect(tileStarts(100, 64, 16)).toEqual([0, 36]);
    expect(tileStarts(200, 64, 16)).toEqual([0, 48, 96, 136]);
    for (const length of [65, 77, 100, 129, 300]) {
      const starts = tileStarts(length, 32, 8);
      expect(starts[0]).toBe(0);
      expect(starts.at(-1)).toBe(length - 32);
      for (let i = 1; i < starts.length; i++) expect(starts[i - 1] + 32 - starts[i]).toBeGreaterThanOrEqual(8);
    }
  });

  it('blends with a smooth window that is positive everywhere', () => {
    const w = blendWindow(16);
    expect(Math.min(...w)).toBeGreaterThan(0);
    expect(w[0]).toBeLessThan(0.01);
    expect(w[7]).toBeGreaterThan(0.99);
  });

  it.each([
    [64, 64],
    [100, 77],
    [77, 100],
    [40, 130],
    [201, 64],
  ])('an identity per tile reproduces a %i×%i image exactly', async (height, width) => {
    const image = pattern(height, width);
    const out = await processTiled(image, height, width, identity, { tile: 32, overlap: 8, maxTilesPerCall: 5 });
    expect(out).toEqual(image);
  });

  it('pads images smaller than the tile by mirroring and crops back', async () => {
    const image = pattern(20, 45);
    const seen: number[] = [];
    const out = await processTiled(image, 20, 45, async (tiles, count) => {
      seen.push(count);
      return Float32Array.from(tiles);
    }, { tile: 32, overlap: 8 });
    expect(seen).toEqual([2]);
    expect(out).toEqual(image);
  });

  it('applies a pixel-wise function everywhere, and blends tile-dependent outputs between tile values', async () => {
    const image = pattern(100, 77);
    const squared = await processTiled(image, 100, 77, async (tiles) => tiles.map((v) => v * v), { tile: 32, overlap: 16 });
    squared.forEach((v, i) => expect(v).toBeCloseTo(image[i] * image[i], 6));

    // Each tile returns its own index as a constant: the blend must stay within [0, tiles − 1]
    // and change gradually (no seams) from pixel to pixel.
    const perTile = 32 * 32;
    const constant: TileFunction = async (_tiles, count) => {
      const out = new Float32Array(count * perTile);
      for (let k = 0; k < count; k++) out.fill(k, k * perTile, (k + 1) * perTile);
      return out;
    };
    const blended = await processTiled(new Float32Array(100 * 77), 100, 77, constant, { tile: 32, overlap: 16 });
    const tiles = tileStarts(100, 32, 16).length * tileStarts(77, 32, 16).length;
    expect(Math.min(...blended)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...blended)).toBeLessThanOrEqual(tiles - 1);
    let jump = 0;
    for (let r = 0; r < 100; r++) for (let c = 1; c < 77; c++) jump = Math.max(jump, Math.abs(blended[r * 77 + c] - blended[r * 77 + c - 1]));
    expect(jump).toBeLessThan(0.5);
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(processTiled(pattern(64, 64), 64, 64, identity, { tile: 32, overlap: 8, signal: controller.signal })).rejects.toThrow(/stopped/);
  });
});
