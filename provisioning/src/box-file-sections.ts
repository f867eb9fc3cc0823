import { z } from '@vigie/common';
import type { BoxConfigBound } from '@vigie/protocol';

/**
 * The box file's zod sections, built from the protocol's limit table (`BOX_CONFIG_LIMITS`) rather
 * than written again: the cloud's TypeBox schema is built from the same table, so a limit changed
 * there changes both. zod stays on the box because the box file is configuration (design: zod for
 * configuration and CLI input, TypeBox for the wire): it fills defaults, trims CLI input and gives
 * the technician's messages.
 */

/** A number within `bound`, a whole one when the bound says so. */
export function zodBound(bound: BoxConfigBound): z.ZodNumber {
  const n = z.number().min(bound.minimum).max(bound.maximum);
  return bound.integer ? n.int() : n;
}

/** One bounded number per field of a limit table section, every field required. */
export function section<L extends Record<string, BoxConfigBound>>(limits: L): z.ZodObject<{ [K in keyof L]: z.ZodNumber }> {
  return z.object(Object.fromEntries(Object.entries(limits).map(([key, bound]) => [key, zodBound(bound)])) as { [K in keyof L]: z.ZodNumber });
}

/** {@link section} with each field defaulted from `defaults` (a field left out takes its default). */
export function sectionWithDefaults<L extends Record<string, BoxConfigBound>>(
  limits: L,
  defaults: { readonly [K in keyof L]: number },
): z.ZodObject<{ [K in keyof L]: z.ZodDefault<z.ZodNumber> }> {
  return z.object(
    Object.fromEntries(Object.entries(limits).map(([key, bound]) => [key, zodBound(bound).default(defaults[key as keyof L])])) as {
      [K in keyof L]: z.ZodDefault<z.ZodNumber>;
    },
  );
}
