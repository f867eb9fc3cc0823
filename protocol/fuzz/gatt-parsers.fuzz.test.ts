import { test } from 'node:test';
import fc from 'fast-check';
import { gattFuzzProperties } from './gatt-properties.ts';

/**
 * The GATT fuzz properties, briefly, on every `npm test`: 2,000 cases each with a fresh seed (printed
 * by fast-check on failure). `npm run fuzz` runs them 100,000 times each.
 */
const QUICK_RUNS = 2_000;

for (const { name, property } of gattFuzzProperties()) {
  test(name, async () => {
    await fc.assert(property, { numRuns: QUICK_RUNS });
  });
}
