/**
 * Labelled classification metrics: accuracy, per-class precision / recall / F1 (as sklearn's
 * classification_report), confusion matrix (counts and row-normalised), cross-entropy from
 * predicted probabilities, and a gallery of misclassified items.
 */

export interface ClassReport {
  name: string;
  precision: number;
  recall: number;
  f1: number;
  /** Number of true items of this class. */
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  /** Unweighted mean of the per-class F1 (sklearn "macro avg"). */
  macroF1: number;
  perClass: ClassReport[];
  /** confusion[true][predicted], counts. */
  confusion: number[][];
  /** Each row divided by its total (rows with no items are zeros). */
  confusionNormalized: number[][];
}

/** Index of the largest of `n` values starting at `offset`. */
export function argmax(values: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (values[offset + k] > values[offset + best]) best = k;
  return best;
}

/** Predicted labels from row-major (items × classes) probabilities. */
export function argmaxRows(probabilities: ArrayLike<number>, nClasses: number): Int32Array {
  const n = probabilities.length / nClasses;
  return Int32Array.from({ length: n }, (_, i) => argmax(probabilities, i * nClasses, nClasses));
}

export function classificationReport(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classNames: readonly string[],
): ClassificationReport {
  const k = classNames.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    confusion[truth[i]][predicted[i]]++;
    if (truth[i] === predicted[i]) correct++;
  }
  const perClass = classNames.map((name, c) => {
    const tp = confusion[c][c];
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((a, row) => a + row[c], 0);
    const precision = predictedCount > 0 ? tp / predictedCount : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { name, precision, recall, f1, support };
  });
  return {
    accuracy: truth.length > 0 ? correct / truth.length : 0,
    macroF1: perClass.reduce((a, c) => a + c.f1, 0) / Math.max(1, k),
    perClass,
    confusion,
    confusionNormalized: confusion.map((row) => {
      const total = row.reduce((a, b) => a + b, 0);
      return row.map((v) => (total > 0 ? v / total : 0));
    }),
  };
}

/** Mean categorical cross-entropy −log p(true class), probabilities clipped at 1e-7 (as Keras). */
export function crossEntropy(probabilities: ArrayLike<number>, truth: ArrayLike<number>, nClasses: number): number {
  let total = 0;
  for (let i = 0; i < truth.length; i++) {
    total -= Math.log(Math.min(1 - 1e-7, Math.max(1e-7, probabilities[i * nClasses + truth[i]])));
  }
  return truth.length > 0 ? total / truth.length : 0;
}

export interface Misclassified {
  /** Index into the evaluated set. */
  index: number;
  trueLabel: string;
  predictedLabel: string;
  /** "True: X, Pred: Y", as the reference's plot titles. */
  title: string;
  profile: Float32Array;
}

/** Up to `limit` misclassified items in index order, with their profiles (row-major, `length` each). */
export function misclassifiedExamples(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  profiles: Float32Array,
  length: number,
  classNames: readonly string[],
  limit = 25,
): Misclassified[] {
  const out: Misclassified[] = [];
  for (let i = 0; i < truth.length && out.length < limit; i++) {
    if (truth[i] === predicted[i]) continue;
    const trueLabel = classNames[truth[i]];
    const predictedLabel = classNames[predicted[i]];
    out.push({
      index: i,
      trueLabel,
      predictedLabel,
      title: `True: ${trueLabel}, Pred: ${predictedLabel}`,
      profile: profiles.slice(i * length, (i + 1) * length),
    });
  }
  return out;
}
