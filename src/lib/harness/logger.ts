/**
 * The SciML-Bench console log (its MultiLevelLogger): nested blocks, each level indented by
 * four dots, three kinds of line:
 *
 *     <BEGIN> name
 *     ....<MESSG> text
 *     <ENDED> name [ELAPSED = 12.345678 sec]
 *
 * A block's BEGIN and ENDED lines sit at the block's own level; what happens inside it one level deeper.
 */
import type { RunLogger } from './contract';

export const INDENT_UNIT = '....';

export interface ConsoleLoggerOptions {
  /** Called with every line as it is written (terminal, UI streaming). */
  onLine?: (line: string) => void;
  /** Milliseconds clock; performance.now by default (injectable for tests). */
  now?: () => number;
}

export class ConsoleLogger implements RunLogger {
  readonly lines: string[] = [];
  private readonly open: { name: string; startMs: number }[] = [];
  private readonly onLine?: (line: string) => void;
  private readonly now: () => number;

  constructor(options: ConsoleLoggerOptions = {}) {
    this.onLine = options.onLine;
    this.now = options.now ?? (() => performance.now());
  }

  /** Current nesting level (number of open blocks). */
  get depth(): number {
    return this.open.length;
  }

  private write(text: string): void {
    const line = INDENT_UNIT.repeat(this.open.length) + text;
    this.lines.push(line);
    this.onLine?.(line);
  }

  begin(name: string): void {
    this.write(`<BEGIN> ${name}`);
    this.open.push({ name, startMs: this.now() });
  }

  /**
   * Closes the innermost open block, or — when `name` names an outer open block — every block
   * down to and including it (inner ones first), so a benchmark that forgets one cannot skew the
   * nesting. Returns the elapsed seconds of the last block closed.
   */
  end(name?: string): number {
    if (this.open.length === 0) throw new Error(`log: ENDED ${name ?? ''} without an open block`);
    let target = this.open.length - 1;
    if (name !== undefined) {
      target = this.open.map((b) => b.name).lastIndexOf(name);
      if (target < 0) throw new Error(`log: no open block named "${name}"`);
    }
    let elapsedS = 0;
    while (this.open.length > target) {
      const block = this.open.pop()!;
      elapsedS = (this.now() - block.startMs) / 1000;
      this.write(`<ENDED> ${block.name} [ELAPSED = ${elapsedS.toFixed(6)} sec]`);
    }
    return elapsedS;
  }

  message(text: string): void {
    // Multi-line messages keep the indentation on every line.
    for (const part of text.split('\n')) this.write(`<MESSG> ${part}`);
  }

  /** Closes every open block (after an error or a stop), innermost first. */
  closeAll(): void {
    if (this.open.length) this.end(this.open[0].name);
  }

  toString(): string {
    return this.lines.map((l) => l + '\n').join('');
  }
}

/** One block of a parsed console log, for an "ELAPSED" tree view. */
export interface LogBlock {
  name: string;
  /** Seconds from the ENDED line; undefined when the block never ended. */
  elapsedS?: number;
  messages: string[];
  children: LogBlock[];
}

const LINE_PATTERN = /^((?:\.{4})*)<(BEGIN|ENDED|MESSG)> (.*)$/;
const ENDED_PATTERN = /^(.*) \[ELAPSED = ([0-9.eE+-]+) sec\]$/;

/**
 * Parses a console log back into its block tree. The root block (name '') holds top-level
 * messages and blocks; lines that are not log lines are kept as messages of the current block.
 */
export function parseConsoleLog(text: string): LogBlock {
  const root: LogBlock = { name: '', messages: [], children: [] };
  const stack: LogBlock[] = [root];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    const match = LINE_PATTERN.exec(line);
    const current = stack[stack.length - 1];
    if (!match) {
      current.messages.push(line);
      continue;
    }
    const [, , kind, rest] = match;
    if (kind === 'BEGIN') {
      const block: LogBlock = { name: rest, messages: [], children: [] };
      current.children.push(block);
      stack.push(block);
    } else if (kind === 'MESSG') {
      current.messages.push(rest);
    } else {
      const ended = ENDED_PATTERN.exec(rest);
      if (stack.length > 1) {
        const block = stack.pop()!;
        if (ended) block.elapsedS = Number(ended[2]);
      }
    }
  }
  return root;
}
