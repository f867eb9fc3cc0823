import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PortalAlert } from '../src/api/types.ts';
import { isOpen, upsertAlert } from '../src/ui/alerts.ts';

function alert(id: string, raisedAt: number, updatedAt = raisedAt, state: PortalAlert['state'] = 'raised'): PortalAlert {
  return { alertId: id, number: 1, kind: 'fall', severity: 'critical', state, raisedAt, updatedAt, notifications: [], acknowledgement: null };
}

test('puts a new alert at the top', () => {
  const list = upsertAlert([alert('a', 100)], alert('b', 200));
  assert.deepEqual(
    list.map((a) => a.alertId),
    ['b', 'a'],
  );
});

test('replaces an alert by a newer snapshot of it', () => {
  const list = upsertAlert([alert('a', 100), alert('b', 50)], alert('a', 100, 300, 'notified'));
  assert.equal(list.length, 2);
  assert.equal(list[0]!.state, 'notified');
});

test('keeps the held snapshot when the event is older', () => {
  const list = upsertAlert([alert('a', 100, 300, 'acknowledged')], alert('a', 100, 200, 'notifying'));
  assert.equal(list[0]!.state, 'acknowledged');
});

test('an alert is open until closed', () => {
  assert.equal(isOpen({ state: 'escalated' }), true);
  assert.equal(isOpen({ state: 'closed' }), false);
});
