import { test } from 'node:test';
import fc from 'fast-check';
import { wireSchemaProperties } from './wire-properties.ts';

/**
 * The wire-schema fuzz properties, briefly, on every `npm test`: 2,000 cases each with a fresh seed
 * (printed by fast-check on failure). `npm run fuzz:ingest` runs them 100,000 times each.
 */
const QUICK_RUNS = 2_000;

for (const { name, property } of wireSchemaProperties()) {
  test(name, async () => {
    await fc.assert(property, { numRuns: QUICK_RUNS });
  });
}
