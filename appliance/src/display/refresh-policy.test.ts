import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFrame, setInk } from './frame.ts';
import { changedBounds, chooseRefresh } from './refresh-policy.ts';
import { renderScreen } from '../screen/screens.ts';

const NOW = new Date('2026-01-06T13:05:00Z');
const countdown = (s: number | null) => renderScreen({ kind: 'alert', alertKind: 'fall', cancelSecondsLeft: s }, NOW);

test('bounds the changed pixels to the pixel', () => {
  const a = createFrame();
  const b = createFrame();
  assert.equal(changedBounds(a, b), null);
  setInk(b, 13, 5, true);
  setInk(b, 249, 100, true);
  assert.deepEqual(changedBounds(a, b), { x: 13, y: 5, width: 237, height: 96 });
  const c = createFrame();
  setInk(c, 8, 0, true);
  assert.deepEqual(changedBounds(a, c), { x: 8, y: 0, width: 1, height: 1 });
});

test('refreshes fully when the glass is unknown or the screen changes, partially for a countdown tick', () => {
  const ok = renderScreen({ kind: 'ok', braceletBattery: 80, connection: 'online' }, NOW);
  assert.equal(chooseRefresh(null, ok, 0), 'full');
  assert.equal(chooseRefresh(ok, countdown(17), 0), 'full');
  assert.equal(chooseRefresh(countdown(17), countdown(16), 0), 'partial');
  assert.equal(chooseRefresh(countdown(10), countdown(9), 0), 'partial');
  assert.equal(chooseRefresh(countdown(1), countdown(null), 0), 'full');
  assert.equal(chooseRefresh(countdown(16), countdown(16), 0), 'none');
});

test('refreshes the clock of the all-is-well screen partially, minute after minute', () => {
  const at = (iso: string) => renderScreen({ kind: 'ok', braceletBattery: 80, connection: 'online' }, new Date(iso));
  assert.equal(chooseRefresh(at('2026-01-06T13:05:00Z'), at('2026-01-06T13:06:00Z'), 3), 'partial');
  assert.equal(chooseRefresh(at('2026-01-06T13:59:00Z'), at('2026-01-06T14:00:00Z'), 3), 'partial');
});

test('forces a full refresh after the allowed number of partial ones', () => {
  assert.equal(chooseRefresh(countdown(17), countdown(16), 19), 'partial');
  assert.equal(chooseRefresh(countdown(17), countdown(16), 20), 'full');
  assert.equal(chooseRefresh(countdown(17), countdown(16), 5, { maxPartialRefreshes: 5, maxPartialArea: 0.25 }), 'full');
  assert.equal(chooseRefresh(countdown(17), countdown(16), 0, { maxPartialRefreshes: 5, maxPartialArea: 0.01 }), 'full');
});
