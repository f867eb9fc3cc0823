import { z } from 'zod';
import { commonErrors } from './errors.ts';

export { z };

/**
 * Validate configuration once, at start, reporting every problem at once, then freeze it.
 *
 * The schema's keys are the environment variable names themselves (`VIGIE_DATA_DIR`, `PORT`…) so an
 * error message names exactly what the operator must fix.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined> = process.env,
  what = 'configuration',
): Readonly<z.output<S>> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      return `${where}: ${issue.message}`;
    });
    throw commonErrors.create('CONFIG_INVALID', {
      message: `Invalid ${what}:\n  - ${problems.join('\n  - ')}`,
      details: { problems },
      cause: result.error,
    });
  }
  return deepFreeze(result.data);
}

/** Freeze an object graph (plain objects and arrays). */
export function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/** An integer TCP port from an environment string (0 = pick a free one). */
export const portSchema = z.coerce.number().int().min(0).max(65535);

/** A boolean from an environment string: `1`, `true`, `yes` / `0`, `false`, `no`. */
export const envBoolean = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');
