/**
 * Terminal output during a run: log lines as they come, and progress as a single updating line on
 * a TTY, or as a periodic "[ 42%] label" line when the output is a file or a pipe.
 */
import type { ProgressReport } from '../src/lib/harness/contract';

export interface Writable {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export class TerminalProgress {
  private shown = false;
  private lastPrintMs = -Infinity;
  private lastReport: ProgressReport | undefined;

  constructor(
    private readonly out: Writable,
    /** Seconds between progress lines when not on a TTY. */
    private readonly periodS = 5,
    private readonly now: () => number = () => performance.now(),
  ) {}

  private format(report: ProgressReport): string {
    const pct = Math.round(Math.min(1, Math.max(0, report.fraction)) * 100);
    return `[${String(pct).padStart(3)}%] ${report.label}`;
  }

  private clear(): void {
    if (this.shown) this.out.write('\r\x1b[K');
    this.shown = false;
  }

  update(report: ProgressReport): void {
    this.lastReport = report;
    if (this.out.isTTY) {
      const width = Math.max(20, (this.out.columns ?? 80) - 1);
      const bar = 20;
      const filled = Math.round(Math.min(1, Math.max(0, report.fraction)) * bar);
      const text = `${'#'.repeat(filled)}${'-'.repeat(bar - filled)} ${this.format(report)}`;
      this.out.write(`\r${text.slice(0, width)}\x1b[K`);
      this.shown = true;
    } else if (this.now() - this.lastPrintMs >= this.periodS * 1000) {
      this.out.write(this.format(report) + '\n');
      this.lastPrintMs = this.now();
    }
  }

  /** Prints a full line (a log line), keeping the progress line below it on a TTY. */
  line(text: string): void {
    this.clear();
    this.out.write(text + '\n');
    if (this.out.isTTY && this.lastReport) this.update(this.lastReport);
  }

  /** Removes the progress line. */
  done(): void {
    this.clear();
    this.lastReport = undefined;
  }
}
