import type { Static, TSchema } from '@sinclair/typebox';
import { validate } from '@vigie/protocol';
import { portalErrors } from '../errors.ts';

/**
 * Validate a JSON body against a TypeBox schema. A failure is PORTAL_INVALID_REQUEST whose
 * `field` is the JSON pointer of the first failing field (`/email`), as in the ingest.
 */
export function parseBody<S extends TSchema>(schema: S, body: unknown): Static<S> {
  const result = validate(schema, body ?? null, 1);
  if (result.ok) return result.value;
  const issue = result.issues[0]!;
  throw portalErrors.create('PORTAL_INVALID_REQUEST', { message: `${issue.path}: ${issue.message}`, details: { field: issue.path } });
}

/** A query-string problem: `field` is the parameter's name (`metric`, `from`). */
export function invalidQuery(field: string, message: string): Error {
  return portalErrors.create('PORTAL_INVALID_REQUEST', { message: `${field}: ${message}`, details: { field } });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for a lower-case text UUID (the form the database returns and the API hands out). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
