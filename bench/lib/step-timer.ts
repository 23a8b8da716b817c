/**
 * Step timing for `npm run bench`, from the run's progress reports and events.
 *
 * A step is a progress report whose label says "batch i/n" (fitModel's format, and the convention
 * for inference loops). Its duration runs from the previous mark — any progress report or event —
 * so an epoch's validation pass, ending before the next "epoch N" event, is not counted as a step.
 * The first step after the run starts is the warm-up (on WebGPU it includes shader compilation);
 * ms/step is the median of the others.
 */

export const STEP_LABEL = /\bbatch \d+\/\d+/;

export interface StepSummary {
  steps: number;
  /** Duration of the first step, in seconds; undefined without steps. */
  warmupS?: number;
  /** Median of the later steps, in milliseconds; undefined with fewer than two steps. */
  msPerStep?: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export class StepTimer {
  private lastMarkMs: number | undefined;
  private readonly durationsMs: number[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  event(): void {
    this.lastMarkMs = this.now();
  }

  progress(label: string): void {
    const t = this.now();
    if (STEP_LABEL.test(label) && this.lastMarkMs !== undefined) this.durationsMs.push(t - this.lastMarkMs);
    this.lastMarkMs = t;
  }

  summary(): StepSummary {
    const [first, ...rest] = this.durationsMs;
    return {
      steps: this.durationsMs.length,
      warmupS: first === undefined ? undefined : first / 1000,
      msPerStep: rest.length ? median(rest) : undefined,
    };
  }
}
