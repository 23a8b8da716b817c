/**
 * Benchmark parameters: casting from strings (the CLI's `-b KEY VALUE`, URL or form text) and
 * resolving overrides against a benchmark's specs.
 *
 * Casting follows SciML-Bench: a value is cast to the type of its default, and booleans accept
 * true/t/yes/y/1 and false/f/no/n/0. Unlike SciML-Bench, which silently ignores unknown keys,
 * an unknown key is an error here, so that a typo cannot run a benchmark with its default.
 */
import type { Mode, ParamSpec, ParamSpecs, ParamValue, ParamValues } from './contract';

/** A bad parameter value or an unknown key; `key` names the parameter. */
export class ParamError extends Error {
  override name = 'ParamError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

const TRUE_WORDS = ['true', 't', 'yes', 'y', '1'];
const FALSE_WORDS = ['false', 'f', 'no', 'n', '0'];
const INT_PATTERN = /^[+-]?\d+$/;
/** Decimal or scientific notation; no hex, no empty string, no "Infinity". */
const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Whether `mode` uses the parameter (parameters without `modes` apply to both). */
export function appliesTo(spec: ParamSpec, mode: Mode): boolean {
  return spec.modes === undefined || spec.modes.includes(mode);
}

/** "int in [1, 100]", "enum: a | b", … — the type as shown by `sciml-bench info` and in errors. */
export function describeType(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'int':
    case 'number': {
      const lo = spec.min ?? '-inf';
      const hi = spec.max ?? 'inf';
      return spec.min === undefined && spec.max === undefined ? spec.kind : `${spec.kind} in [${lo}, ${hi}]`;
    }
    case 'enum':
      return `one of ${spec.options.join(' | ')}`;
    case 'bool':
      return 'bool';
    case 'string':
      return 'string';
  }
}

function checkRange(key: string, spec: ParamSpec & { kind: 'int' | 'number' }, value: number): number {
  if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
    throw new ParamError(key, `${key}: ${value} is out of range; expected ${describeType(spec)}`);
  }
  return value;
}

/**
 * Casts one value to its parameter's type, with range and option checks.
 * `raw` is a string from the command line or a form, or an already typed value (checked as is).
 */
export function castParam(key: string, spec: ParamSpec, raw: string | ParamValue): ParamValue {
  const text = typeof raw === 'string' ? raw.trim() : raw;
  switch (spec.kind) {
    case 'int': {
      const value = typeof text === 'string' && INT_PATTERN.test(text) ? Number(text) : text;
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        throw new ParamError(key, `${key}: "${String(raw)}" is not an integer`);
      }
      return checkRange(key, spec, value);
    }
    case 'number': {
      const value = typeof text === 'string' && NUMBER_PATTERN.test(text) ? Number(text) : text;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new ParamError(key, `${key}: "${String(raw)}" is not a number`);
      }
      return checkRange(key, spec, value);
    }
    case 'bool': {
      if (typeof text === 'boolean') return text;
      const word = String(text).toLowerCase();
      if (TRUE_WORDS.includes(word)) return true;
      if (FALSE_WORDS.includes(word)) return false;
      throw new ParamError(
        key,
        `${key}: "${String(raw)}" is not a boolean; use one of ${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')}`,
      );
    }
    case 'enum': {
      const value = String(text);
      if (!spec.options.includes(value)) {
        throw new ParamError(key, `${key}: "${value}" is not one of ${spec.options.join(', ')}`);
      }
      return value;
    }
    case 'string':
      // Strings keep their spaces: only numbers, booleans and options are trimmed.
      return String(raw);
  }
}

export interface ResolvedParams<S extends ParamSpecs> {
  /** Every parameter, typed: overrides cast, the rest at their defaults. */
  values: ParamValues<S>;
  /** The parameters this mode uses, in spec order: what `<mode>_arguments_used.yml` records. */
  used: Record<string, ParamValue>;
  /** Keys that were given but belong only to the other mode (accepted, reported, not used). */
  otherMode: string[];
}

/**
 * Applies `overrides` (strings or typed values) on top of the defaults.
 * @throws ParamError for an unknown key (listing the valid ones) or a value that does not cast.
 */
export function resolveParams<S extends ParamSpecs>(
  specs: S,
  overrides: Record<string, string | ParamValue>,
  mode: Mode,
): ResolvedParams<S> {
  const values: Record<string, ParamValue> = {};
  for (const [key, spec] of Object.entries(specs)) values[key] = spec.default;

  const otherMode: string[] = [];
  for (const [key, raw] of Object.entries(overrides)) {
    const spec = Object.hasOwn(specs, key) ? specs[key] : undefined;
    if (!spec) {
      const valid = Object.keys(specs);
      throw new ParamError(
        key,
        `unknown parameter "${key}" (sciml-bench would ignore it; this harness refuses it so a typo ` +
          `cannot silently run with a default). Valid parameters: ${valid.length ? valid.join(', ') : '(none)'}`,
      );
    }
    values[key] = castParam(key, spec, raw);
    if (!appliesTo(spec, mode)) otherMode.push(key);
  }

  const used: Record<string, ParamValue> = {};
  for (const [key, spec] of Object.entries(specs)) if (appliesTo(spec, mode)) used[key] = values[key];
  return { values: values as ParamValues<S>, used, otherMode };
}
