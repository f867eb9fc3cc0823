import assert from 'node:assert/strict';
import fc from 'fast-check';
import { protocolErrors, type ProtocolErrorCode } from '../errors.ts';

/**
 * Test helpers for the GATT parsers (imported by tests only). The unit tests run 20,000 cases so
 * `npm test` stays fast; the long fuzz run is a separate script.
 */
export const PROPERTY_RUNS = 20_000;

/** Run `parse`; when it throws, the error must be catalogued and carry a `details.reason` string. */
export function parsesOrThrowsCatalogued(parse: () => unknown): void {
  try {
    parse();
  } catch (err) {
    assert.ok(protocolErrors.is(err), `not a catalogued error: ${String(err)}`);
    assert.equal(typeof err.details.reason, 'string', `${err.code} without details.reason`);
  }
}

/** Property: on any bytes, `parse` returns or throws a catalogued error, never anything else. */
export function assertOnlyCataloguedErrors(parse: (data: Uint8Array) => unknown, maxLength = 32): void {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength }), (data) => parsesOrThrowsCatalogued(() => parse(data))),
    { numRuns: PROPERTY_RUNS },
  );
}

/** Assert that `fn` throws the catalogued error `code` whose `details.reason` is `reason`. */
export function assertThrowsCode(fn: () => unknown, code: ProtocolErrorCode, reason?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(protocolErrors.is(err, code), `expected ${code}, got ${String(err)}`);
    if (reason !== undefined) assert.equal(err.details.reason, reason);
    return true;
  });
}

/** Bytes from a hex string with optional spaces (`'16 48 00'`). */
export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}
