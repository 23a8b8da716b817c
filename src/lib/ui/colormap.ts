/**
 * Colour maps and image reduction for heatmaps. Pure functions (tested in Node).
 */
export type ColormapName = 'viridis' | 'inferno' | 'greys' | 'rdbu';
export type Scale = 'linear' | 'log';

/** Control points sampled from matplotlib's maps at 0, 1/8, …, 1 (RGB 0–255). */
const STOPS: Record<ColormapName, [number, number, number][]> = {
  viridis: [
    [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
    [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
  ],
  inferno: [
    [0, 0, 4], [31, 12, 72], [85, 15, 109], [136, 34, 106], [186, 54, 85],
    [227, 89, 51], [249, 140, 10], [249, 201, 50], [252, 255, 164],
  ],
  greys: [
    [0, 0, 0], [32, 32, 32], [64, 64, 64], [96, 96, 96], [128, 128, 128],
    [159, 159, 159], [191, 191, 191], [223, 223, 223], [255, 255, 255],
  ],
  rdbu: [
    [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [247, 247, 247],
    [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
  ],
};

/** 256-entry RGB lookup table for a colormap. */
export function colormapLut(name: ColormapName): Uint8Array {
  const stops = STOPS[name];
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(stops[k][c] * (1 - f) + stops[k + 1][c] * f);
  }
  return lut;
}

/** CSS gradient for a colorbar. */
export function colormapCss(name: ColormapName): string {
  const stops = STOPS[name];
  return `linear-gradient(to right, ${stops.map((s, i) => `rgb(${s.join(',')}) ${(i / (stops.length - 1)) * 100}%`).join(', ')})`;
}

export interface Domain {
  min: number;
  max: number;
}

/** Finite min/max (NaN and ±Inf ignored); {0,1} when nothing is finite. */
export function finiteDomain(values: ArrayLike<number>): Domain {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return Number.isFinite(min) ? { min, max } : { min: 0, max: 1 };
}

/**
 * Reduces an H×W image by an integer factor with max-pooling, so small bright features
 * (diffraction spots, hot pixels, defects) stay visible — nearest-neighbour would drop them.
 */
export function maxPoolDownsample(
  data: ArrayLike<number>,
  height: number,
  width: number,
  factor: number,
): { data: Float32Array; height: number; width: number } {
  if (factor <= 1) return { data: Float32Array.from(data), height, width };
  const h = Math.ceil(height / factor);
  const w = Math.ceil(width / factor);
  const out = new Float32Array(h * w).fill(-Infinity);
  for (let y = 0; y < height; y++) {
    const oy = Math.floor(y / factor) * w;
    for (let x = 0; x < width; x++) {
      const v = data[y * width + x];
      const o = oy + Math.floor(x / factor);
      if (v > out[o] || Number.isNaN(out[o])) out[o] = v;
    }
  }
  return { data: out, height: h, width: w };
}

/** Maps values to RGBA pixels through a colormap; NaN shows as transparent. */
export function toRgba(
  data: ArrayLike<number>,
  domain: Domain,
  colormap: ColormapName,
  scale: Scale = 'linear',
): Uint8ClampedArray<ArrayBuffer> {
  const lut = colormapLut(colormap);
  const out = new Uint8ClampedArray(data.length * 4);
  const positiveMin = domain.min > 0 ? domain.min : Math.max(domain.max * 1e-6, Number.MIN_VALUE);
  const lo = scale === 'log' ? Math.log10(positiveMin) : domain.min;
  const hi = scale === 'log' ? Math.log10(Math.max(domain.max, positiveMin)) : domain.max;
  const span = hi - lo || 1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Number.isNaN(v)) continue;
    const x = scale === 'log' ? Math.log10(Math.max(v, positiveMin)) : v;
    const k = Math.max(0, Math.min(255, Math.round(((x - lo) / span) * 255)));
    out[i * 4] = lut[k * 3];
    out[i * 4 + 1] = lut[k * 3 + 1];
    out[i * 4 + 2] = lut[k * 3 + 2];
    out[i * 4 + 3] = 255;
  }
  return out;
}
