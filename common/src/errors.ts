/**
 * Errors with stable codes.
 *
 * Every package declares its catalogue once with {@link defineErrors}; every code is listed with its
 * cause and fix in `docs/errors.md` (a test keeps the two in step). Boundaries (HTTP, CLI, screen)
 * translate a code into words for their audience; the message here is for engineers and logs.
 */

/** One entry of an error catalogue. */
export interface ErrorSpec {
  /** Engineer-facing message, English, no medical values or phone numbers. */
  readonly message: string;
  /** HTTP status when this error crosses an HTTP boundary. */
  readonly httpStatus?: number;
}

/** An error whose `code` is stable across releases and documented in `docs/errors.md`. */
export class VigieError extends Error {
  override readonly name = 'VigieError';
  readonly code: string;
  readonly httpStatus: number;
  /** Structured, non-sensitive context (field names, limits), safe to log and to return to a client. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown>; httpStatus?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.httpStatus = options.httpStatus ?? 500;
    this.details = Object.freeze({ ...options.details });
  }
}

/** Options accepted when raising a catalogued error. */
export interface RaiseOptions {
  readonly cause?: unknown;
  readonly details?: Record<string, unknown>;
  /** Replaces the catalogue message when a more precise one helps (still no sensitive values). */
  readonly message?: string;
}

/** A registry of codes for one package, and the factory that raises them. */
export interface ErrorCatalogue<C extends string> {
  readonly codes: Readonly<Record<C, ErrorSpec>>;
  /** Build the error for `code`. */
  create(code: C, options?: RaiseOptions): VigieError;
  /** True when `err` is a VigieError carrying `code` (or any code of this catalogue when omitted). */
  is(err: unknown, code?: C): err is VigieError;
}

const allCodes = new Map<string, ErrorSpec>();

/** Declare a package's error catalogue. Codes are global: declaring one twice throws at import time. */
export function defineErrors<const C extends string>(codes: Record<C, ErrorSpec>): ErrorCatalogue<C> {
  for (const [code, spec] of Object.entries<ErrorSpec>(codes)) {
    if (!/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(code)) throw new Error(`error code ${code} is not UPPER_SNAKE_CASE with a prefix`);
    if (allCodes.has(code) && allCodes.get(code) !== spec) throw new Error(`error code ${code} declared twice`);
    allCodes.set(code, spec);
  }
  const frozen = Object.freeze({ ...codes });
  return {
    codes: frozen,
    create(code, options = {}) {
      const spec = frozen[code];
      return new VigieError(code, options.message ?? spec.message, {
        cause: options.cause,
        details: options.details,
        httpStatus: spec.httpStatus,
      });
    },
    is(err, code): err is VigieError {
      return err instanceof VigieError && (code === undefined ? err.code in frozen : err.code === code);
    },
  };
}

/** Every code declared so far in this process (used by the catalogue test). */
export function declaredErrorCodes(): ReadonlyMap<string, ErrorSpec> {
  return allCodes;
}

/** Errors of the shared infrastructure itself. */
export const commonErrors = defineErrors({
  CONFIG_INVALID: { message: 'Configuration is invalid' },
});
