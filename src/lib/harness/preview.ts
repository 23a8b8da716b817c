/**
 * The shape of a Data cell's preview, shared by all benchmarks so one panel renders them:
 * a few sample images, 1-D curves and a table of statistics.
 */
export interface PreviewImage {
  title: string;
  data: Float32Array;
  height: number;
  width: number;
  colormap?: 'viridis' | 'inferno' | 'greys';
}

export interface PreviewCurve {
  title: string;
  x?: Float32Array;
  y: Float32Array;
  xLabel?: string;
}

export interface DataPreview {
  images?: PreviewImage[];
  curves?: PreviewCurve[];
  /** Label → value, e.g. "mean dose (counts/px)" → 12.3. */
  stats?: Record<string, number | string>;
  note?: string;
}
