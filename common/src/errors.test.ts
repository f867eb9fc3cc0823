import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineErrors, VigieError } from './errors.ts';

test('raises a catalogued error with its stable code, status and cause', () => {
  const errors = defineErrors({ TESTX_BROKEN: { message: 'broken', httpStatus: 418 } });
  const cause = new Error('root');
  const err = errors.create('TESTX_BROKEN', { cause, details: { field: 'x' } });
  assert.ok(err instanceof VigieError);
  assert.equal(err.code, 'TESTX_BROKEN');
  assert.equal(err.httpStatus, 418);
  assert.equal(err.cause, cause);
  assert.deepEqual(err.details, { field: 'x' });
  assert.ok(errors.is(err, 'TESTX_BROKEN'));
  assert.ok(!errors.is(new Error('x')));
});

test('refuses a code that is not UPPER_SNAKE_CASE with a prefix', () => {
  assert.throws(() => defineErrors({ broken: { message: 'x' } }), /UPPER_SNAKE_CASE/);
});
