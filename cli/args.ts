/**
 * Command-line parsing for `sciml-bench`, in SciML-Bench's style: `--option VALUE` or
 * `--option=VALUE`, boolean `--flag`s, and the two-value `-b KEY VALUE` (alias
 * `--benchmark_specific KEY VALUE`), repeatable.
 */

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CommandSpec {
  /** Options taking one value, e.g. ['--mode', '--output_dir']. */
  options?: readonly string[];
  /** Boolean flags, e.g. ['--verify']. */
  flags?: readonly string[];
  /** Whether `-b KEY VALUE` is allowed. */
  pairs?: boolean;
}

export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string>;
  flags: Set<string>;
  /** `-b` pairs in order (a later pair overrides an earlier one for the same key). */
  pairs: [string, string][];
}

const PAIR_OPTIONS = ['-b', '--benchmark_specific'];

export function parseArgs(argv: readonly string[], spec: CommandSpec): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], options: {}, flags: new Set(), pairs: [] };
  const options = spec.options ?? [];
  const flags = spec.flags ?? [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (spec.pairs && PAIR_OPTIONS.includes(name)) {
      if (eq > 0) throw new UsageError(`${name} takes two values: ${name} KEY VALUE`);
      const key = argv[i + 1];
      const value = argv[i + 2];
      if (key === undefined || value === undefined) throw new UsageError(`${name} needs a KEY and a VALUE`);
      parsed.pairs.push([key, value]);
      i += 2;
    } else if (options.includes(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      parsed.options[name] = value;
    } else if (flags.includes(name)) {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      parsed.flags.add(name);
    } else {
      const known = [...options, ...flags, ...(spec.pairs ? PAIR_OPTIONS : [])];
      throw new UsageError(`unknown option ${name}${known.length ? `; valid options: ${known.join(', ')}` : ''}`);
    }
  }
  return parsed;
}

/** The value of an option restricted to `choices`. */
export function choice<T extends string>(value: string | undefined, name: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`${name} must be one of ${choices.join(', ')}; got "${value}"`);
  }
  return value as T;
}

/** `-b` pairs as an overrides object (later wins). */
export function pairsToOverrides(pairs: readonly [string, string][]): Record<string, string> {
  return Object.fromEntries(pairs);
}

/** `--workers N`: the size of the task pool for chunked CPU work; 0 keeps that work on the main thread. */
export function workersOption(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 0 || n > 256) {
    throw new UsageError(`--workers must be an integer from 0 to 256; got "${value}"`);
  }
  return n;
}
