import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, portSchema, z } from './config.ts';
import { VigieError } from './errors.ts';

const schema = z.object({
  PORT: portSchema.default(8080),
  VIGIE_NAME: z.string().min(1),
});

test('reports every invalid variable at once, naming each', () => {
  assert.throws(
    () => loadConfig(schema, { PORT: 'abc' }),
    (err: unknown) => {
      assert.ok(err instanceof VigieError);
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.match(err.message, /PORT/);
      assert.match(err.message, /VIGIE_NAME/);
      return true;
    },
  );
});

test('returns frozen, typed configuration with defaults applied', () => {
  const config = loadConfig(schema, { VIGIE_NAME: 'box' });
  assert.equal(config.PORT, 8080);
  assert.ok(Object.isFrozen(config));
});
