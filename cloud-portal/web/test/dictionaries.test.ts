/**
 * French and English dictionaries have exactly the same keys, and each message is filled in both
 * (the `Messages` type already refuses a missing or extra key; this also catches a key whose
 * value is an empty string, and an object spread or cast around the type).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { en } from '../src/i18n/en/index.ts';
import { fr } from '../src/i18n/fr/index.ts';

/** Every leaf of a dictionary as `path: kind` (a string, or a function and its arity). */
function leaves(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return [`${path}: ${value.trim() === '' ? 'empty' : 'text'}`];
  if (typeof value === 'function') return [`${path}: function/${value.length}`];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, inner]) => leaves(inner, path ? `${path}.${key}` : key)).sort();
  return [`${path}: ${typeof value}`];
}

test('fr and en have the same keys, the same message arities, and no empty message', () => {
  const french = leaves(fr);
  assert.ok(french.length > 300, `${french.length} messages`);
  assert.deepEqual(leaves(en), french);
  assert.deepEqual(french.filter((l) => l.endsWith(': empty')), []);
});

test('the domain parts of the dictionary do not overwrite one another when put together', async () => {
  const parts = await Promise.all(['common', 'role-pages'].map((name) => import(`../src/i18n/fr/${name}.ts`)));
  const keys = parts.flatMap((module) => Object.values(module).flatMap((part) => Object.keys(part as object)));
  assert.deepEqual(keys.filter((key, i) => keys.indexOf(key) !== i), []);
});
