import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSON_SCHEMA_DIALECT, JSON_SCHEMA_DIR, renderJsonSchemas } from './json-schema.ts';

const REGENERATE = 'run `npm run gen:schemas` and commit the result';

test('keeps every committed JSON Schema file identical to the TypeBox schemas', () => {
  for (const [name, expected] of renderJsonSchemas()) {
    const path = join(JSON_SCHEMA_DIR, name);
    assert.ok(existsSync(path), `protocol/json-schema/${name} is missing: ${REGENERATE}`);
    assert.ok(readFileSync(path, 'utf8') === expected, `protocol/json-schema/${name} differs from its TypeBox schema: ${REGENERATE}`);
  }
});

test('leaves no generated file that no message produces', () => {
  const expected = renderJsonSchemas();
  const stale = readdirSync(JSON_SCHEMA_DIR).filter((name) => name.endsWith('.schema.json') && !expected.has(name));
  assert.deepEqual(stale, [], `stale files in protocol/json-schema: ${REGENERATE}`);
});

test('writes 2020-12 schemas with no TypeBox metadata and a trailing newline', () => {
  for (const [name, text] of renderJsonSchemas()) {
    assert.ok(text.endsWith('}\n'), name);
    const schema = JSON.parse(text) as Record<string, unknown>;
    assert.equal(schema.$schema, JSON_SCHEMA_DIALECT, name);
    assert.equal(Object.keys(schema)[0], '$schema', name);
    assert.equal(schema.$id, name, name);
    assert.ok(!/"\$id"/.test(text.slice(text.indexOf('"$id"') + 5)), `${name}: only the root carries an $id`);
  }
});
