import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AlertState } from './messages/alert.ts';
import { validate } from './validate.ts';
import { ALERT_STATES, CONTACTED_ALERT_STATES, isContactedAlertState, isOpenAlertState, OPEN_ALERT_STATES, sqlStateList } from './alert-states.ts';

test('the wire schema accepts exactly the alert states of the list', () => {
  for (const state of ALERT_STATES) assert.ok(validate(AlertState, state).ok, state);
  for (const other of ['open', 'Raised', '', 'cancelled']) assert.equal(validate(AlertState, other).ok, false, other);
});

test('an alert is open until someone acknowledges it or it closes', () => {
  assert.deepEqual(
    ALERT_STATES.filter((s) => isOpenAlertState(s)),
    ['raised', 'notifying', 'notified', 'escalated'],
  );
  assert.deepEqual([...OPEN_ALERT_STATES], ALERT_STATES.filter((s) => s !== 'acknowledged' && s !== 'closed'));
  assert.equal(isOpenAlertState('unknown'), false);
});

test('the escalation clock runs only in open states after the first SMS', () => {
  assert.deepEqual(
    ALERT_STATES.filter((s) => isContactedAlertState(s)),
    [...CONTACTED_ALERT_STATES],
  );
  assert.ok(CONTACTED_ALERT_STATES.every((s) => isOpenAlertState(s)));
  assert.equal(isContactedAlertState('raised'), false, 'a fall in its cancel window has texted nobody yet');
});

test('writes a state set as an SQL list literal', () => {
  assert.equal(sqlStateList(CONTACTED_ALERT_STATES), "('notifying', 'notified', 'escalated')");
});

test('imports nothing, so the browser bundle can take it alone', () => {
  const source = readFileSync(new URL('./alert-states.ts', import.meta.url), 'utf8');
  assert.doesNotMatch(source, /^\s*import\s|\bfrom\s+['"]|require\(/m);
});
