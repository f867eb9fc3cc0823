import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AlertEvent, SelfTestStatus } from '@vigie/protocol';
import { HELP_COMING_MS, screenFor, type ScreenInputs } from './screen-model.ts';

const now = 1_800_000_000_000;
const bracelet = { v: 1, braceletId: 'BR-1', connected: true, worn: true, battery: 80, ts: now } as const;
const modem = { v: 1, ts: now, responding: true, sim: 'ready', registered: true, signal: 20 } as const;
const uplink = { v: 1, ts: now, online: true, lastSuccessAt: now } as const;
const alert = (over: Partial<AlertEvent>): AlertEvent => ({
  v: 1, boxId: 'VB-1', alertId: '00000000-0000-4000-8000-000000000001', number: 1, revision: 1, kind: 'fall', severity: 'critical',
  state: 'notified', raisedAt: now - 1_000, updatedAt: now, notifications: [], ...over,
});
const inputs = (over: Partial<ScreenInputs> = {}): ScreenInputs => ({ alerts: new Map(), bracelet, modem, uplink, batteryLowPercent: 15, ...over });

test('shows all is well with the bracelet battery and the internet connection', () => {
  assert.deepEqual(screenFor(inputs(), now), { kind: 'ok', braceletBattery: 80, connection: 'online' });
  assert.deepEqual(screenFor(inputs({ uplink: null }), now), { kind: 'ok', braceletBattery: 80, connection: 'offline' });
});

test('shows an open critical alert before anything else, and help coming once acknowledged', () => {
  const open = alert({});
  assert.deepEqual(screenFor(inputs({ alerts: new Map([[open.alertId, open]]), modem: null }), now), { kind: 'alert', alertKind: 'fall', cancelSecondsLeft: null });
  const acked = alert({ state: 'acknowledged', acknowledgement: { by: 'Sophie Bernard', via: 'sms', at: now - 60_000 } });
  assert.deepEqual(screenFor(inputs({ alerts: new Map([[acked.alertId, acked]]) }), now), { kind: 'help_coming', by: 'Sophie Bernard', at: new Date(now - 60_000) });
  assert.equal(screenFor(inputs({ alerts: new Map([[acked.alertId, acked]]) }), now + HELP_COMING_MS).kind, 'ok', 'help coming fades after a while');
});

test('lists the problems the patient or a visitor can act on', () => {
  assert.deepEqual(screenFor(inputs({ bracelet: null }), now), { kind: 'problem', problems: ['no_bracelet'] });
  assert.deepEqual(screenFor(inputs({ bracelet: { ...bracelet, worn: false, battery: 10 } }), now), { kind: 'problem', problems: ['not_worn', 'bracelet_battery_low'] });
  assert.deepEqual(screenFor(inputs({ modem: { ...modem, responding: false } }), now), { kind: 'problem', problems: ['no_modem'] });
  assert.deepEqual(screenFor(inputs({ modem: { ...modem, sim: 'missing' } }), now), { kind: 'problem', problems: ['no_sim'] });
  assert.deepEqual(screenFor(inputs({ modem: { ...modem, registered: false } }), now), { kind: 'problem', problems: ['no_network'] });
});

test('does not show a warning-level alert as an emergency', () => {
  const warning = alert({ kind: 'bradycardia', severity: 'warning' });
  assert.equal(screenFor(inputs({ alerts: new Map([[warning.alertId, warning]]) }), now).kind, 'ok');
});

test('counts a fall down while the patient can still cancel it', () => {
  const fall = alert({ state: 'raised', cancelUntil: now + 17_400 });
  assert.deepEqual(screenFor(inputs({ alerts: new Map([[fall.alertId, fall]]) }), now), { kind: 'alert', alertKind: 'fall', cancelSecondsLeft: 18 });
  assert.deepEqual(screenFor(inputs({ alerts: new Map([[fall.alertId, fall]]) }), now + 17_400), { kind: 'alert', alertKind: 'fall', cancelSecondsLeft: null });
  const cancelled = alert({ state: 'closed', cancelUntil: now + 17_400 });
  assert.equal(screenFor(inputs({ alerts: new Map([[cancelled.alertId, cancelled]]) }), now).kind, 'ok');
});

test('a failed self-test shows once, only for what the other problems do not already say', () => {
  const selfTest = (failed: SelfTestStatus['failed']): SelfTestStatus => ({ v: 1, ts: now, failed });
  assert.deepEqual(screenFor(inputs({ selfTest: selfTest(['storage-space', 'clock']) }), now), { kind: 'problem', problems: ['selftest_failed'] });
  // The SIM is already a problem of its own on the screen (from the modem status).
  assert.deepEqual(screenFor(inputs({ selfTest: selfTest(['sim']) }), now).kind, 'ok');
  assert.deepEqual(screenFor(inputs({ selfTest: selfTest([]) }), now).kind, 'ok');
});

test('says « Mise à jour en cours » while the update agent restarts the box, never over an open alert, and not for ever', () => {
  const rebooting = { v: 1, ts: now - 1_000, phase: 'rebooting', version: '1.5.0' } as const;
  assert.deepEqual(screenFor(inputs({ update: rebooting, modem: null }), now), { kind: 'updating' });
  const open = alert({});
  assert.equal(screenFor(inputs({ update: rebooting, alerts: new Map([[open.alertId, open]]) }), now).kind, 'alert');
  assert.equal(screenFor(inputs({ update: { ...rebooting, phase: 'downloading' } }), now).kind, 'ok');
  assert.equal(screenFor(inputs({ update: { ...rebooting, ts: now - 16 * 60_000 } }), now).kind, 'ok');
});

test('shows « Questionnaire du jour » instead of all is well while the cloud says it waits; alerts and problems come first', () => {
  const notice = { kind: 'questionnaire', slotId: '2027-01-15' } as const;
  assert.deepEqual(screenFor(inputs({ notice }), now), { kind: 'questionnaire', braceletBattery: 80, connection: 'online' });
  assert.equal(screenFor(inputs({ notice: null }), now).kind, 'ok', 'cleared once answered');
  const open = alert({});
  assert.equal(screenFor(inputs({ notice, alerts: new Map([[open.alertId, open]]) }), now).kind, 'alert');
  assert.equal(screenFor(inputs({ notice, bracelet: { ...bracelet, worn: false } }), now).kind, 'problem');
});
