import type { Static, TSchema } from '@sinclair/typebox';
import { SCHEMA_VERSION, validate } from '@vigie/protocol';
import { cloudErrors } from '../errors.ts';

/**
 * The `validate` stage for any box message: checks that the message names the authenticated box,
 * then the schema version (so an old or future box gets the precise answer
 * `INGEST_SCHEMA_VERSION` on `/v`), then the whole schema; the error names the JSON pointer of
 * the first failing field (`/readings/3/value`).
 */
export function parseMessage<S extends TSchema>(schema: S, body: unknown, authenticatedBoxId: string): Static<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw cloudErrors.create('INGEST_INVALID_BODY', { message: 'The body must be a JSON object', details: { field: '/' } });
  }
  // Who is speaking comes before what is said: a box naming another box is refused as such,
  // whatever else is wrong with its message.
  const claimed = (body as { boxId?: unknown }).boxId;
  if (typeof claimed === 'string') checkSameBox(authenticatedBoxId, claimed);
  const v = (body as { v?: unknown }).v;
  if (v !== SCHEMA_VERSION) {
    throw cloudErrors.create('INGEST_SCHEMA_VERSION', {
      message: `Schema version ${JSON.stringify(v ?? null)} is not supported; this ingest accepts version ${SCHEMA_VERSION}`,
      details: { field: '/v', supported: [SCHEMA_VERSION] },
    });
  }
  const result = validate(schema, body, 5);
  // A valid message has a string boxId, already checked above.
  if (result.ok) return result.value;
  const first = result.issues[0]!;
  throw cloudErrors.create('INGEST_INVALID_BODY', {
    message: `${first.path}: ${first.message}`,
    details: { field: first.path, issues: result.issues },
  });
}

/**
 * The box a message names must be the box whose token authenticated the request. Same error as a
 * bad token, so a box cannot learn which other boxes exist.
 */
function checkSameBox(authenticatedBoxId: string, claimedBoxId: string): void {
  if (authenticatedBoxId !== claimedBoxId) {
    throw cloudErrors.create('INGEST_UNAUTHORIZED', { details: { reason: 'box_mismatch' } });
  }
}
