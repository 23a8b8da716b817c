/**
 * The labelled results the reference logs for its CNN (classification_report, confusion matrix
 * raw and row-normalised, up to 25 misclassified test profiles titled "True: X, Pred: Y"), built
 * on the harness's shared metric definitions.
 */
import { classificationReport, type ClassScores } from '../../lib/harness/metrics';

export interface PhaseScores extends ClassScores {
  name: string;
}

export interface PhaseReport {
  accuracy: number;
  /** Unweighted mean of the per-phase F1 (sklearn "macro avg"). */
  macroF1: number;
  perClass: PhaseScores[];
  /** confusion[true][predicted], counts. */
  confusion: number[][];
  /** Each row divided by its total (rows with no items are zeros). */
  confusionNormalized: number[][];
}

export function phaseReport(truth: ArrayLike<number>, predicted: ArrayLike<number>, names: readonly string[]): PhaseReport {
  const r = classificationReport(truth, predicted, names.length);
  return {
    accuracy: r.accuracy,
    macroF1: r.macro.f1,
    perClass: r.perClass.map((c, i) => ({ name: names[i], ...c })),
    confusion: r.confusion,
    confusionNormalized: r.confusion.map((row) => {
      const total = row.reduce((a, b) => a + b, 0);
      return row.map((v) => (total > 0 ? v / total : 0));
    }),
  };
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
  names: readonly string[],
  limit = 25,
): Misclassified[] {
  const out: Misclassified[] = [];
  for (let i = 0; i < truth.length && out.length < limit; i++) {
    if (truth[i] === predicted[i]) continue;
    const trueLabel = names[truth[i]];
    const predictedLabel = names[predicted[i]];
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
