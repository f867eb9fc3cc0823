import { test } from 'node:test';
import fc from 'fast-check';
import { atFuzzProperties } from './at-properties.ts';

/**
 * The AT fuzz properties, briefly, on every `npm test`: 2,000 cases each with a fresh seed (printed
 * by fast-check on failure). `npm run fuzz` runs them 100,000 times each.
 */
const QUICK_RUNS = 2_000;

for (const { name, property } of atFuzzProperties()) {
  test(name, async () => {
    await fc.assert(property, { numRuns: QUICK_RUNS });
  });
}
