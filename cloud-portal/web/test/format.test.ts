import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFormatters, toEpochMs } from '../src/ui/format.ts';

const MIN = 60_000;
// 2025-01-15 12:00 UTC = 13:00 in Paris (winter time).
const noonUtc = Date.UTC(2025, 0, 15, 12, 0);

test('shows times in Europe/Paris whatever the machine zone', () => {
  assert.equal(createFormatters('fr').time(noonUtc), '13:00');
});

/** ICU separates numbers from units with no-break spaces; compare with plain ones. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

test('says how long ago in French', () => {
  const f = createFormatters('fr');
  assert.equal(plain(f.relative(noonUtc - 3 * MIN, noonUtc)), 'il y a 3 min');
  assert.equal(f.relative(noonUtc - 10_000, noonUtc), 'à l’instant');
  assert.equal(f.relative(noonUtc + 10_000, noonUtc), 'à l’instant');
  assert.equal(plain(f.relative(noonUtc - 2 * 60 * MIN, noonUtc)), 'il y a 2 h');
});

test('formats decimals with the locale separator', () => {
  assert.equal(createFormatters('fr').number(97.46, 1), '97,5');
  assert.equal(createFormatters('en').number(97.46, 1), '97.5');
});

test('reads API times given as epoch ms or ISO text', () => {
  assert.equal(toEpochMs(noonUtc), noonUtc);
  assert.equal(toEpochMs('2025-01-15T12:00:00.000Z'), noonUtc);
  assert.equal(toEpochMs('not a date'), null);
});
