import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir } from '@vigie/common/testing';
import { openBoxDatabase } from './store/database.ts';
import { recordProcessStart } from './store/process-starts.ts';
import { AlertStore } from './safety-core/alert-store.ts';
import { ReadingBuffer } from './telemetry/buffer/reading-buffer.ts';
import { formatBoxStatus, readBoxStatus } from './status.ts';

test('vigie-box status reads the box metrics from the store: alerts, SMS, buffer age, starts; no phone number or name', async (t) => {
  const dir = tempDir('vigie-status-');
  t.after(dir.cleanup);
  const path = join(dir.path, 'box.db');
  const db = openBoxDatabase(path);
  const store = new AlertStore(db);
  store.raise({ kind: 'fall', severity: 'critical', sourceKey: 'BR-1:fall:1', now: 1_000, recipients: [{ name: 'Sophie Bernard', phone: '+33639980001' }], text: () => 'alerte' });
  const [sms] = store.dueSms(1_000);
  store.markSending(sms!, 1_100);
  store.markFailed(sms!, 'BOX_MODEM_TIMEOUT', 9_000, 1_200);
  new ReadingBuffer(db).append('BR-1', { metric: 'heart_rate', ts: 60_000, value: 70, periodS: 120 });
  recordProcessStart(db, 'safety', 500);
  recordProcessStart(db, 'safety', 600);
  db.close();

  const report = await readBoxStatus(path, 'VB-0001', 120_000);
  const value = (name: string, labels: Record<string, string> = {}) =>
    report.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels?.[k] === v))?.value;
  assert.equal(value('vigie_box_alerts', { kind: 'fall', state: 'notifying' }), 1);
  assert.equal(value('vigie_box_sms_messages', { state: 'failed' }), 1);
  assert.equal(value('vigie_box_sms_send_failures_total'), 1);
  assert.equal(value('vigie_box_buffer_readings'), 1);
  assert.equal(value('vigie_box_buffer_oldest_unsent_age_seconds'), 60);
  assert.equal(value('vigie_box_process_starts_total', { process: 'safety' }), 2);
  const text = formatBoxStatus(report, 'prometheus');
  assert.match(text, /^vigie_box_alerts\{box="VB-0001",kind="fall",state="notifying"\} 1$/m);
  assert.doesNotMatch(text, /Sophie|\+336/);
});
