/**
 * The erasure workflow (cloud-portal/src/privacy/) also purges a patient's reports: the rows of
 * every report table, and the PDFs in the object store (through report_object_deletions, which
 * the reports service drains). Another patient's reports stay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { countRows, openTestDb } from '@vigie/cloud-store/testing';
import { tempDir } from '@vigie/common/testing';
import { claimErasure, runErasure } from '@vigie/cloud-portal';
import { DbReportQueue, ReportObjectStore, ReportsService, startEmbeddedS3 } from '@vigie/cloud-reports';
import { parisMidnight, seedPatient } from '@vigie/cloud-reports/testing';

const NOW = Date.UTC(2026, 11, 8, 1, 0, 0);
const REPORT_TABLES = ['report_schedules', 'report_requests', 'report_queue', 'reports', 'report_shares', 'report_notifications', 'report_dead_letters'];

test("erasing a patient deletes their report rows and, through the reports service, their PDFs; another patient's stay", async () => {
  const db = await openTestDb();
  const dir = tempDir('vigie-erase-s3-');
  const s3 = await startEmbeddedS3({ directory: dir.path, bucket: 'vigie-reports' });
  const objects = new ReportObjectStore(s3.config);
  try {
    const gone = await seedPatient(db, { name: 'Erased Patient', from: parisMidnight('2026-11-30'), days: 2 });
    const kept = await seedPatient(db, { name: 'Kept Patient', from: parisMidnight('2026-11-30'), days: 2 });
    const service = new ReportsService({ db, objects, transport: new DbReportQueue({ db }), now: () => NOW, deletionSweepMs: 0 });
    for (const p of [gone, kept]) {
      await db.query(`INSERT INTO report_schedules (patient_id, frequency, anchor_date) VALUES ($1, 'weekly', '2026-11-02')`, [p.patientId]);
      const message = { v: 1, requestId: randomUUID(), patientId: p.patientId, from: '2026-11-30', to: '2026-12-07', kind: 'on_demand', requestedAt: NOW, requestedBy: p.doctorId };
      assert.equal((await service.handle({ value: Buffer.from(JSON.stringify(message)), source: 'queue', ref: randomUUID(), redeliveries: 0 })).status, 'stored');
      // A dead letter naming the patient, too.
      await service.handle({ value: Buffer.from(JSON.stringify({ ...message, requestId: randomUUID(), from: '2027-01-01', to: '2027-01-08' })), source: 'queue', ref: randomUUID(), redeliveries: 0 });
    }
    const relative = await db.query<{ id: string }>(`INSERT INTO accounts (email, display_name, role, password_hash) VALUES ('rel@erase.example', 'Rel', 'relative', 'x') RETURNING id`);
    await db.query(`INSERT INTO care_links (patient_id, account_id, relation) VALUES ($1, $2, 'relative')`, [gone.patientId, relative.rows[0]!.id]);
    await db.query(`INSERT INTO report_shares (report_id, patient_id, account_id, shared_by) SELECT id, patient_id, $2, $3 FROM reports WHERE patient_id = $1`, [gone.patientId, relative.rows[0]!.id, gone.doctorId]);
    assert.equal((await objects.list(`reports/${gone.patientId}/`)).length, 1);

    assert.ok(await claimErasure(db, gone.patientId, { reason: 'admin_request', requestedBy: null, now: NOW }));
    const record = await runErasure(db, gone.patientId, { now: NOW });
    assert.equal(record.counts.reports, 1);
    for (const table of REPORT_TABLES) assert.equal(await countRows(db, table, 'patient_id = $1', [gone.patientId]), 0, `${table} purged`);
    assert.equal(await countRows(db, 'report_object_deletions'), 1);
    assert.equal(await service.sweepDeletions(), 1);
    assert.deepEqual(await objects.list(`reports/${gone.patientId}/`), [], 'the PDF is gone from the object store');
    assert.equal(await countRows(db, 'report_object_deletions'), 0);
    assert.equal((await objects.list(`reports/${kept.patientId}/`)).length, 1, "the other patient's report stays");
    assert.equal(await countRows(db, 'reports', 'patient_id = $1', [kept.patientId]), 1);
  } finally {
    objects.close();
    await s3.stop();
    dir.cleanup();
    await db.close();
  }
});
