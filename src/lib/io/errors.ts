/**
 * Errors of the array-file layer.
 *
 * Readers deep inside a format throw {@link FormatError} (the problem only); the entry points
 * catch every exception and rethrow it as {@link ArrayFileError}, whose message is one line:
 * `<file name>: <problem>`. Callers (the Files panel, `sciml-bench inspect`) print it as is.
 */

/** A problem with the bytes of a file, not yet tied to a file name. */
export class FormatError extends Error {
  override name = 'FormatError';
}

/** A well-formed file using something this layer does not read (a dtype, a compression). */
export class UnsupportedError extends FormatError {
  override name = 'UnsupportedError';
}

/** The one error type that leaves this layer: `<file name>: <problem>`, on one line. */
export class ArrayFileError extends Error {
  override name = 'ArrayFileError';
  readonly file: string;
  readonly problem: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    const oneLine = singleLine(problem);
    super(`${file}: ${oneLine}`, options);
    this.file = file;
    this.problem = oneLine;
  }
}

/** Collapses whitespace and newlines and caps the length, so a message stays one readable line. */
export function singleLine(text: string, maxLength = 400): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
}

/** Turns any exception into an {@link ArrayFileError} for `file`, keeping ones that already are. */
export function toArrayFileError(file: string, error: unknown, context?: string): ArrayFileError {
  if (error instanceof ArrayFileError) return error;
  const problem = describeError(error);
  return new ArrayFileError(file, context ? `${context}: ${problem}` : problem, { cause: error });
}

function describeError(error: unknown): string {
  if (error instanceof FormatError) return error.message;
  if (error instanceof RangeError) {
    // Typed-array constructors throw RangeError for absurd sizes from corrupt headers.
    return `cannot allocate memory for it (${error.message})`;
  }
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Runs `body`; any exception becomes an {@link ArrayFileError} naming `file`. */
export async function guard<T>(file: string, body: () => Promise<T>, context?: string): Promise<T> {
  try {
    return await body();
  } catch (error) {
    throw toArrayFileError(file, error, context);
  }
}
