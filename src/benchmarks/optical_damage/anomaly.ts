/**
 * Anomaly scoring for optical_damage: per-pixel reconstruction errors, image scores, thresholds and
 * the detection metrics (seed-systems §5.5).
 *
 * Reference verdicts (optical_damage.py, inference):
 *   E = (x − x̂)² per pixel, for every inference image (damaged and undamaged together);
 *   T_p = numpy.percentile(E, p) over ALL pixels of ALL inference images pooled, p ∈ {99.0, 99.5, 99.9};
 *   an image is "damaged" iff any of its pixels has E > T_p (strictly), i.e. iff max-pixel-error > T_p;
 *   accuracy and F1 of those verdicts against the labels; the headline is p = 99.9.
 * The threshold is transductive — it is computed on the very images it judges and moves with the
 * class ratio. The reference calls f1_score(verdicts, labels) with the arguments swapped; F1 is
 * symmetric in them, so this changes nothing and is not reproduced.
 *
 * Added here: the deployable alternative, a threshold calibrated on (undamaged) validation images
 * only; per-image scores max, p99.9 and mean (= the image's MSE); ROC-AUC and PR-AUC computed
 * exactly as scikit-learn's roc_auc_score and average_precision_score.
 */

/** Per-image scores from squared-error maps. */
export interface ImageScores {
  /** Largest pixel error (the reference's any-pixel rule compares this with the threshold). */
  max: Float32Array;
  /** 99.9th percentile of the image's pixel errors (robust to a single hot pixel). */
  p999: Float32Array;
  /** Mean pixel error, the image's MSE. */
  mean: Float32Array;
}

export const SCORE_KINDS = ['max', 'p999', 'mean'] as const;
export type ScoreKind = (typeof SCORE_KINDS)[number];

/** E = (x − x̂)², elementwise. */
export function squaredErrors(images: Float32Array, reconstructions: Float32Array): Float32Array {
  if (images.length !== reconstructions.length) throw new Error('images and reconstructions differ in size');
  const errors = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) errors[i] = (images[i] - reconstructions[i]) ** 2;
  return errors;
}

/**
 * numpy.percentile (default 'linear' method) of an ascending-sorted array:
 * position h = (n − 1)·p/100, value = s[⌊h⌋] + (h − ⌊h⌋)·(s[⌊h⌋+1] − s[⌊h⌋]).
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Ascending sorted float32 copy (typed-array sort is numeric). */
export function sortedCopy(values: ArrayLike<number>): Float32Array {
  return Float32Array.from(values).sort();
}

/** numpy.percentile of unsorted values. */
export function percentile(values: ArrayLike<number>, p: number): number {
  return percentileSorted(sortedCopy(values), p);
}

/** Scores of n images whose error maps of `pixels` values each are concatenated in `errors`. */
export function imageScores(errors: Float32Array, n: number, pixels: number): ImageScores {
  const scores: ImageScores = { max: new Float32Array(n), p999: new Float32Array(n), mean: new Float32Array(n) };
  for (let i = 0; i < n; i++) {
    const image = errors.subarray(i * pixels, (i + 1) * pixels);
    const sorted = sortedCopy(image);
    let sum = 0;
    for (let k = 0; k < pixels; k++) sum += image[k];
    scores.max[i] = sorted[pixels - 1];
    scores.p999[i] = percentileSorted(sorted, 99.9);
    scores.mean[i] = sum / pixels;
  }
  return scores;
}

/** Verdicts: 1 (damaged) where score > threshold, strictly, as in the reference. */
export function verdicts(scores: ArrayLike<number>, threshold: number): Uint8Array {
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] > threshold ? 1 : 0;
  return out;
}

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export function confusion(labels: ArrayLike<number>, predicted: ArrayLike<number>): Confusion {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]) {
      if (predicted[i]) c.tp++;
      else c.fn++;
    } else if (predicted[i]) c.fp++;
    else c.tn++;
  }
  return c;
}

/** Fraction of correct verdicts (sklearn accuracy_score). */
export function accuracy(c: Confusion): number {
  const n = c.tp + c.fp + c.tn + c.fn;
  return n === 0 ? NaN : (c.tp + c.tn) / n;
}

/** F1 = 2TP / (2TP + FP + FN); 0 when there are no positives at all (sklearn's zero_division default). */
export function f1(c: Confusion): number {
  const denominator = 2 * c.tp + c.fp + c.fn;
  return denominator === 0 ? 0 : (2 * c.tp) / denominator;
}

/**
 * Operating points at every distinct score, from the highest down: cumulative true and false
 * positives when everything scoring ≥ that value is called damaged.
 */
function operatingPoints(scores: ArrayLike<number>, labels: ArrayLike<number>) {
  const order = Array.from(scores, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    if (labels[order[k]]) tp++;
    else fp++;
    // Close a point only after the last of a run of tied scores.
    if (k === order.length - 1 || scores[order[k + 1]] !== scores[order[k]]) {
      tps.push(tp);
      fps.push(fp);
    }
  }
  return { tps, fps, positives: tp, negatives: fp };
}

export interface Curve {
  x: number[];
  y: number[];
}

/** ROC curve (x = false-positive rate, y = true-positive rate), starting at (0, 0). */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): Curve {
  const { tps, fps, positives, negatives } = operatingPoints(scores, labels);
  return { x: [0, ...fps.map((f) => f / negatives)], y: [0, ...tps.map((t) => t / positives)] };
}

/** Area under the ROC curve by the trapezoid rule (equals sklearn roc_auc_score); NaN with one class. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { x, y } = rocCurve(scores, labels);
  if (!(x[x.length - 1] > 0) || !(y[y.length - 1] > 0)) return NaN;
  let area = 0;
  for (let k = 1; k < x.length; k++) area += ((x[k] - x[k - 1]) * (y[k] + y[k - 1])) / 2;
  return area;
}

/** Precision–recall curve (x = recall, y = precision) at each distinct score, highest score first. */
export function prCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): Curve {
  const { tps, fps, positives } = operatingPoints(scores, labels);
  return { x: tps.map((t) => t / positives), y: tps.map((t, k) => t / (t + fps[k])) };
}

/**
 * Average precision AP = Σ_k (R_k − R_{k−1}) · P_k over distinct thresholds, R_0 = 0 — a step
 * integral without interpolation, as sklearn's average_precision_score. NaN without positives.
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { x: recall, y: precision } = prCurve(scores, labels);
  if (!(recall[recall.length - 1] > 0)) return NaN;
  let ap = 0;
  let previousRecall = 0;
  for (let k = 0; k < recall.length; k++) {
    ap += (recall[k] - previousRecall) * precision[k];
    previousRecall = recall[k];
  }
  return ap;
}

/**
 * Deployable threshold: the (1 − fpr) quantile (numpy.percentile, linear) of the validation images'
 * scores, so about a fraction `fpr` of undamaged images would be flagged.
 */
export function calibrateThreshold(validationScores: ArrayLike<number>, fpr: number): number {
  return percentile(validationScores, 100 * (1 - fpr));
}

export interface SweepPoint {
  percentile: number;
  threshold: number;
  accuracy: number;
  f1: number;
}

/**
 * Reference-style verdicts for a range of pooled pixel percentiles: T_p from the sorted pooled
 * errors, damaged iff max-pixel score > T_p.
 */
export function percentileSweep(
  sortedPooledErrors: Float32Array,
  maxScores: ArrayLike<number>,
  labels: ArrayLike<number>,
  percentiles: readonly number[],
): SweepPoint[] {
  return percentiles.map((p) => {
    const threshold = percentileSorted(sortedPooledErrors, p);
    const c = confusion(labels, verdicts(maxScores, threshold));
    return { percentile: p, threshold, accuracy: accuracy(c), f1: f1(c) };
  });
}

export interface ScoreTable {
  scores: ImageScores;
  labels?: ArrayLike<number>;
  verdicts?: ArrayLike<number>;
  /** Where each image came from, e.g. "stack.npy[3]". */
  sources?: readonly string[];
}

/** CSV text, one row per image: index[, source][, label], score_max, score_p99_9, score_mean[, verdict]. */
export function scoresCsv(table: ScoreTable): string {
  const { scores, labels, verdicts: calls, sources } = table;
  const header = ['index'];
  if (sources) header.push('source');
  if (labels) header.push('label');
  header.push('score_max', 'score_p99_9', 'score_mean');
  if (calls) header.push('verdict');
  const lines = [header.join(',')];
  for (let i = 0; i < scores.max.length; i++) {
    const row: string[] = [String(i)];
    if (sources) row.push(csvField(sources[i]));
    if (labels) row.push(labels[i] ? 'damaged' : 'undamaged');
    row.push(String(scores.max[i]), String(scores.p999[i]), String(scores.mean[i]));
    if (calls) row.push(calls[i] ? 'damaged' : 'undamaged');
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

function csvField(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
