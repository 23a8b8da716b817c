/**
 * Metric definitions shared by the benchmarks, on plain arrays (read back from tensors with
 * `await t.data()`). Conventions, stated once:
 * - accuracy, precision, recall and F1 are fractions in [0, 1] (not percent);
 * - PSNR needs an explicit peak value L (1 for data scaled to [0, 1], 255 for 8-bit);
 * - throughput is always items per second.
 */

type Numbers = ArrayLike<number>;

function checkSameLength(a: Numbers, b: Numbers, what: string): void {
  if (a.length !== b.length) throw new Error(`${what}: length mismatch (${a.length} vs ${b.length})`);
  if (a.length === 0) throw new Error(`${what}: empty input`);
}

/** Mean squared error, MSE = (1/N) Σ (pᵢ − tᵢ)². */
export function mse(pred: Numbers, target: Numbers): number {
  checkSameLength(pred, target, 'mse');
  let sum = 0;
  for (let i = 0; i < pred.length; i++) {
    const d = pred[i] - target[i];
    sum += d * d;
  }
  return sum / pred.length;
}

/** Mean absolute error, MAE = (1/N) Σ |pᵢ − tᵢ|. */
export function mae(pred: Numbers, target: Numbers): number {
  checkSameLength(pred, target, 'mae');
  let sum = 0;
  for (let i = 0; i < pred.length; i++) sum += Math.abs(pred[i] - target[i]);
  return sum / pred.length;
}

/**
 * Peak signal-to-noise ratio in dB from an MSE: PSNR = 10·log₁₀(L² / MSE), L the peak value.
 * Infinite when MSE is 0.
 */
export function psnrFromMse(mseValue: number, peak: number): number {
  if (!(peak > 0)) throw new Error(`psnr: peak must be > 0, got ${peak}`);
  return 10 * Math.log10((peak * peak) / mseValue);
}

/** PSNR (dB) of a prediction against its target, with the MSE over all elements. */
export function psnr(pred: Numbers, target: Numbers, peak: number): number {
  return psnrFromMse(mse(pred, target), peak);
}

/** Index of the largest value in each row of a row-major [n, nClasses] array. */
export function argmaxRows(values: Numbers, nClasses: number): Int32Array {
  if (nClasses < 1 || values.length % nClasses !== 0) {
    throw new Error(`argmaxRows: ${values.length} values do not split into rows of ${nClasses}`);
  }
  const out = new Int32Array(values.length / nClasses);
  for (let r = 0; r < out.length; r++) {
    let best = 0;
    for (let c = 1; c < nClasses; c++) if (values[r * nClasses + c] > values[r * nClasses + best]) best = c;
    out[r] = best;
  }
  return out;
}

/** Fraction of labels predicted exactly. */
export function accuracy(trueLabels: Numbers, predLabels: Numbers): number {
  checkSameLength(trueLabels, predLabels, 'accuracy');
  let hits = 0;
  for (let i = 0; i < trueLabels.length; i++) if (trueLabels[i] === predLabels[i]) hits++;
  return hits / trueLabels.length;
}

/** Confusion matrix C[true][predicted] of counts. */
export function confusionMatrix(trueLabels: Numbers, predLabels: Numbers, nClasses: number): number[][] {
  checkSameLength(trueLabels, predLabels, 'confusionMatrix');
  const m = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < trueLabels.length; i++) {
    const t = trueLabels[i];
    const p = predLabels[i];
    if (!(t >= 0 && t < nClasses && p >= 0 && p < nClasses && Number.isInteger(t) && Number.isInteger(p))) {
      throw new Error(`confusionMatrix: label out of range 0..${nClasses - 1} at ${i} (true ${t}, predicted ${p})`);
    }
    m[t][p]++;
  }
  return m;
}

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Number of true items of this class. */
  support: number;
}

export interface ClassificationReport {
  perClass: ClassScores[];
  /** Unweighted means over classes (sklearn's average='macro'). */
  macro: { precision: number; recall: number; f1: number };
  accuracy: number;
  confusion: number[][];
}

/** a / b, or 0 when b is 0 (sklearn's zero_division=0). */
function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/**
 * Per-class precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2PR/(P+R) (0 where undefined),
 * and their macro averages.
 */
export function classificationReport(trueLabels: Numbers, predLabels: Numbers, nClasses: number): ClassificationReport {
  const confusion = confusionMatrix(trueLabels, predLabels, nClasses);
  const perClass: ClassScores[] = [];
  let diagonal = 0;
  for (let k = 0; k < nClasses; k++) {
    const tp = confusion[k][k];
    diagonal += tp;
    let predicted = 0;
    let support = 0;
    for (let j = 0; j < nClasses; j++) {
      predicted += confusion[j][k];
      support += confusion[k][j];
    }
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    perClass.push({ precision, recall, f1: ratio(2 * precision * recall, precision + recall), support });
  }
  const mean = (key: keyof ClassScores) => perClass.reduce((s, c) => s + c[key], 0) / nClasses;
  return {
    perClass,
    macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') },
    accuracy: diagonal / trueLabels.length,
    confusion,
  };
}

/** Scores of the positive class for binary labels (nonzero = positive), e.g. cloud or damage masks. */
export function binaryScores(truth: Numbers, pred: Numbers): ClassScores & { accuracy: number } {
  checkSameLength(truth, pred, 'binaryScores');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i] !== 0;
    const p = pred[i] !== 0;
    if (t && p) tp++;
    else if (p) fp++;
    else if (t) fn++;
    else tn++;
  }
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return {
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    support: tp + fn,
    accuracy: (tp + tn) / truth.length,
  };
}

/**
 * Mean categorical cross-entropy −(1/N) Σᵢ log p(yᵢ) of row-major probabilities [n, nClasses],
 * with p clipped to [ε, 1] as Keras does (ε = 1e-7).
 */
export function crossEntropy(probs: Numbers, trueLabels: Numbers, nClasses: number, epsilon = 1e-7): number {
  if (probs.length !== trueLabels.length * nClasses) {
    throw new Error(`crossEntropy: ${probs.length} probabilities for ${trueLabels.length} labels × ${nClasses} classes`);
  }
  let sum = 0;
  for (let i = 0; i < trueLabels.length; i++) {
    sum -= Math.log(Math.min(1, Math.max(epsilon, probs[i * nClasses + trueLabels[i]])));
  }
  return sum / trueLabels.length;
}

/** Items per second (the only throughput unit used here). */
export function throughput(items: number, seconds: number): number {
  if (!(seconds > 0)) throw new Error(`throughput: elapsed time must be > 0 s, got ${seconds}`);
  return items / seconds;
}
