/**
 * The doctor's "report now" through the portal: recorded once per key and handed to the
 * transport; a period in the future is refused naming the field; a request that was
 * dead-lettered (object store down) is asked again by asking again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPatient, openTestDb } from '@vigie/cloud-store/testing';
import { silentLogger } from '@vigie/common';
import { buildCloudApp, ensureAccount, linkCare, loadCloudConfig, SessionStore } from '@vigie/cloud-portal';
import { TEST_SECRETS_KEY } from '@vigie/cloud-portal/testing';

const NOW = Date.UTC(2026, 11, 8, 10, 0, 0);

test('a doctor asks for a report now: one request per period, a future period refused by field, a dead request asked again', async () => {
  const db = await openTestDb();
  let published = 0;
  const app = await buildCloudApp({
    db,
    config: loadCloudConfig({ VIGIE_DATA_DIR: '/nonexistent-vigie-reports-portal', VIGIE_STAFF_TOTP: 'optional', VIGIE_SECRETS_KEY: TEST_SECRETS_KEY }),
    log: silentLogger(),
    roles: { ingest: false, portal: true },
    now: () => NOW,
    webDistDir: '/nonexistent-vigie-web',
    reports: { available: true, open: () => Promise.reject(new Error('unused')), publish: async () => void published++ },
  });
  try {
    const patient = await createPatient(db, 'Report Patient');
    const doctor = await ensureAccount(db, { email: 'dr.now@reports.example', displayName: 'Dr Now', role: 'doctor', password: 'pw-dr-now-reports' });
    await linkCare(db, patient, doctor.id, 'doctor');
    const cookie = `vigie_session=${(await new SessionStore(db, () => NOW).create(doctor.id)).token}`;
    const ask = (body: object) => app.inject({ method: 'POST', url: `/api/patients/${patient}/reports`, headers: { cookie, 'x-vigie-csrf': '1' }, payload: body });

    const first = await ask({ from: '2026-11-01', to: '2026-12-01' });
    assert.equal(first.statusCode, 202);
    const again = await ask({ from: '2026-11-01', to: '2026-12-01' });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().requestId, first.json().requestId, 'a double click is one request');
    assert.equal(published, 2);

    const future = await ask({ from: '2026-12-01', to: '2026-12-31' });
    assert.equal(future.statusCode, 400);
    assert.equal(future.json().error.field, '/to');

    await db.query(`UPDATE report_requests SET state = 'dead', attempts = 5 WHERE id = $1`, [first.json().requestId]);
    const retry = await ask({ from: '2026-11-01', to: '2026-12-01' });
    assert.equal(retry.json().state, 'pending');
    const { rows } = await db.query<{ state: string; published_at: Date | null; attempts: number }>('SELECT state, published_at, attempts FROM report_requests WHERE id = $1', [first.json().requestId]);
    assert.deepEqual(rows, [{ state: 'pending', published_at: null, attempts: 0 }]);
  } finally {
    await app.close();
    await db.close();
  }
});
