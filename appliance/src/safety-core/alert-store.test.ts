import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALERT_STATES } from '@vigie/protocol';
import { join } from 'node:path';
import { tempDir } from '@vigie/common/testing';
import { openBoxDatabase } from '../store/database.ts';
import { AlertStore, DUPLICATE_EVENT_WINDOW_MS } from './alert-store.ts';
import { AlertFollowUpStore } from './alert-follow-up-store.ts';
import { holdWriteLock } from '../store/write-lock-holder.ts';

const recipients = [
  { name: 'Sophie Bernard', phone: '+33639980001' },
  { name: 'Paul Dupont', phone: '+33639980002' },
];
const raise = (store: AlertStore, now: number, sourceKey = 'BR-1:fall:7') =>
  store.raise({ kind: 'fall', severity: 'critical', sourceKey, now, recipients, text: (a) => `alerte ${a.number}` });

test('stores an alert with one queued SMS per recipient before anything is sent', () => {
  const store = new AlertStore(openBoxDatabase(':memory:'));
  const { alertId, number, created } = raise(store, 1_000);
  assert.ok(created);
  assert.equal(number, 1);
  const due = store.dueSms(1_000);
  assert.deepEqual(due.map((s) => [s.contactName, s.phone, s.body]), [
    ['Sophie Bernard', '+33639980001', 'alerte 1'],
    ['Paul Dupont', '+33639980002', 'alerte 1'],
  ]);
  assert.equal(store.event(alertId, 'VB-1')!.state, 'raised');
});

test('walks raised → notifying → notified as the modem accepts each SMS, bumping the revision', () => {
  const store = new AlertStore(openBoxDatabase(':memory:'));
  const { alertId } = raise(store, 1_000);
  const [a, b] = store.dueSms(1_000);
  store.markSending(a!, 1_001);
  assert.equal(store.event(alertId, 'VB-1')!.state, 'notifying');
  store.markSent(a!, [17], 1_002);
  store.markSending(b!, 1_003);
  store.markFailed(b!, 'BOX_MODEM_TIMEOUT', 6_000, 1_004);
  assert.equal(store.dueSms(5_999).length, 0, 'a failed SMS waits for its retry time');
  const [retry] = store.dueSms(6_000);
  store.markSending(retry!, 6_000);
  store.markSent(retry!, [18, 19], 6_001);
  const event = store.event(alertId, 'VB-1')!;
  assert.equal(event.state, 'notified');
  assert.deepEqual(event.notifications.map((n) => n.status), ['sent', 'sent']);
  assert.ok(event.revision >= 2);
});

test('treats a repeated bracelet event as the same alert within the window, and a later one as new', () => {
  const store = new AlertStore(openBoxDatabase(':memory:'));
  const first = raise(store, 1_000);
  const repeat = raise(store, 2_000);
  assert.equal(repeat.alertId, first.alertId);
  assert.equal(repeat.created, false);
  assert.equal(store.dueSms(2_000).length, 2, 'no extra SMS queued');
  const later = raise(store, 1_000 + DUPLICATE_EVENT_WINDOW_MS + 1);
  assert.ok(later.created);
  assert.equal(later.number, 2);
});

test('puts SMS interrupted by a crash back in line at start', () => {
  const db = openBoxDatabase(':memory:');
  const store = new AlertStore(db);
  raise(store, 1_000);
  const [a] = store.dueSms(1_000);
  store.markSending(a!, 1_000);
  assert.equal(store.dueSms(1_000).length, 1);
  const restarted = new AlertStore(db);
  assert.equal(restarted.recover(2_000), 1);
  assert.equal(restarted.dueSms(2_000).length, 2);
});

test('lists alert revisions the cloud has not confirmed, until marked uploaded', () => {
  const store = new AlertStore(openBoxDatabase(':memory:'));
  const { alertId } = raise(store, 1_000);
  const [first] = store.pendingUploads('VB-1');
  assert.equal(first!.alertId, alertId);
  store.markUploaded(alertId, first!.revision);
  assert.equal(store.pendingUploads('VB-1').length, 0);
  const [a] = store.dueSms(1_000);
  store.markSending(a!, 1_001);
  assert.equal(store.pendingUploads('VB-1').length, 1, 'a new revision is pending again');
});

test('the alerts table takes exactly the protocol’s alert states', () => {
  const db = openBoxDatabase(':memory:');
  const store = new AlertStore(db);
  const { alertId } = raise(store, 1_000);
  const setState = db.prepare('UPDATE alerts SET state = ? WHERE alert_id = ?');
  // The CHECK constraint is SQL written once in the schema; this ties it to protocol ALERT_STATES.
  for (const state of ALERT_STATES) setState.run(state, alertId);
  for (const state of ['open', 'cancelled', 'Raised']) assert.throws(() => setState.run(state, alertId), /CHECK constraint/, state);
});

// Found by the whole-box bench:alert (issue 10): with the telemetry process writing its backlog,
// a fall was lost with SQLITE_BUSY. A deferred transaction that has read and then writes while
// another connection holds the write lock fails at once (SQLite does not call the busy handler
// for that upgrade); the safety path's transactions begin IMMEDIATE, so they wait instead.
test('stores an alert while another process holds the write lock for a moment, instead of failing at once', async () => {
  const dir = tempDir('vigie-alert-lock-');
  const path = join(dir.path, 'box.db');
  const store = new AlertStore(openBoxDatabase(path, { synchronous: 'FULL' }));
  const { released } = await holdWriteLock(path, 300);
  try {
    const { created } = raise(store, 1_000);
    assert.ok(created, 'the alert is stored once the lock is released');
    assert.equal(store.dueSms(1_000).length, 2);
  } finally {
    await released;
    dir.cleanup();
  }
});

test('a help reply queued before an alert goes after it: a reply to a chatty contact never delays an emergency SMS', () => {
  const db = openBoxDatabase(':memory:');
  const store = new AlertStore(db);
  const followUp = new AlertFollowUpStore(db);
  const first = raise(store, 1_000, 'BR-1:fall:1');
  followUp.queueHelp({ alertId: first.alertId, recipient: recipients[0]!, body: 'aide', now: 1_001 });
  raise(store, 1_002, 'BR-1:cardiac_arrest:2');
  assert.deepEqual(
    store.dueSms(2_000).map((s) => s.purpose),
    ['alert', 'alert', 'alert', 'alert', 'help'],
  );
});

test('carries the stage times of an alert: detected, received, first SMS stored in the modem (kept once), sent', () => {
  const store = new AlertStore(openBoxDatabase(':memory:'));
  const { alertId } = store.raise({
    kind: 'fall', severity: 'critical', sourceKey: 'BR-1:fall:9', now: 1_050, recipients, text: (a) => `alerte ${a.number}`,
    origin: { detectedAt: 1_000, receivedAt: 1_020 },
  });
  const [a, b] = store.dueSms(1_050);
  store.markSending(a!, 1_100);
  store.markStored(a!, [3], 1_200);
  store.markStored(b!, [4], 1_300);
  // A modem reset forgets the stored copy (null), a second store keeps the first time.
  store.markStored(a!, null, 1_400);
  store.markStored(a!, [5], 1_500);
  store.markSent(a!, [17], 1_600);
  assert.deepEqual(store.dueSms(1_600).map((s) => s.storedIndexes), [[4]]);
  const [event] = store.pendingUploads('VB-1', 50, 2_000);
  assert.equal(event!.alertId, alertId);
  assert.deepEqual(event!.timeline, { detectedAt: 1_000, receivedAt: 1_020, smsStoredAt: 1_200, sentAt: 2_000 });
  assert.deepEqual(event!.notifications.filter((n) => n.status === 'sent').map((n) => n.at), [1_600]);
  // An alert raised without an event behind it (the box's button) has no bracelet stages.
  const button = raise(store, 3_000, 'box-button:3000');
  assert.equal(store.event(button.alertId, 'VB-1')!.timeline, undefined);
});
