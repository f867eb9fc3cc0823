/**
 * `vigie-cloud anonymise` (issue 17): a production database with identities everywhere they can
 * be, copied into an empty one. No value of the source's personal columns survives anywhere in the
 * copy (every table dumped as text and searched); each patient's readings, thresholds and alert
 * sequence survive, moved by a whole number of days drawn for each patient. Runs on
 * PostgreSQL 15 in the PostgreSQL pass, on PGlite otherwise.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBox, createPatient, openTestDb, type TestDb } from '@vigie/cloud-store/testing';
import { portalErrors } from '@vigie/cloud-portal';
import { anonymiseDatabase } from '../src/anonymise/anonymise.ts';
import { TABLE_POLICIES } from '../src/anonymise/policy.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 2, 6, 0, 0);

/** Values that must not survive, each distinctive enough to search for as a substring. */
const PERSONAL: string[] = [];
const personal = <T extends string>(v: T): T => (PERSONAL.push(v), v);

async function seedProduction(db: TestDb): Promise<void> {
  const patients = [
    { name: personal('Jeanne Dupontsource'), year: 1938, heart: [72, 75, 140, 138, 70], alerts: ['fall', 'heart_rate_high'] },
    { name: personal('Marcel Lefebvresource'), year: 1931, heart: [55, 38, 36, 60], alerts: ['heart_rate_low'] },
  ];
  const doctorEmail = personal('dr.claire.moreausource@hopital-exemple.fr');
  const doctorId = randomUUID();
  await db.query(`INSERT INTO accounts (id, email, display_name, role, password_hash, phone, totp_secret) VALUES ($1, $2, $3, 'doctor', $4, $5, $6)`, [
    doctorId,
    doctorEmail,
    personal('Docteur Claire Moreausource'),
    personal('scrypt$16384$8$1$c2FsdHNvdXJjZQ$aGFzaHNvdXJjZWhhc2hzb3VyY2U'),
    personal('+33612000111'),
    personal('totp-secret-sealed-source-0001'),
  ]);
  for (const [i, p] of patients.entries()) {
    const patientId = await createPatient(db, p.name, p.year);
    PERSONAL.push(patientId);
    await db.query(`INSERT INTO care_links (patient_id, account_id, relation) VALUES ($1, $2, 'doctor')`, [patientId, doctorId]);
    const box = await createBox(db, { boxId: personal(`VB-PROD-00${i + 1}7`), patientId, since: T0 - 30 * DAY });
    PERSONAL.push(box.token);
    const contactName = personal(i === 0 ? 'Paulette Dupontfille' : 'Robert Lefebvrefils');
    const contactPhone = personal(i === 0 ? '+33611223344' : '+33655667788');
    const config = { contacts: [{ name: contactName, phone: contactPhone, role: 'family', tier: 1 }], alerting: { ackTimeoutMinutes: 5 }, thresholds: { heartRateHigh: 130 + i, heartRateLow: 40 } };
    await db.query(`INSERT INTO box_config_versions (box_id, version, patient_id, config, changed_by) VALUES ($1, 1, $2, $3, $4)`, [box.boxId, patientId, JSON.stringify(config), doctorEmail]);
    // Readings at irregular intervals, some past the thresholds.
    let ts = T0 + i * 3_600_000;
    for (const [k, value] of p.heart.entries()) {
      ts += (k + 1) * 120_000 + i * 7_000;
      await db.query(`INSERT INTO measurements (patient_id, box_id, metric, ts, value) VALUES ($1, $2, 'heart_rate', $3, $4)`, [patientId, box.boxId, new Date(ts), value]);
    }
    for (const [k, kind] of p.alerts.entries()) {
      const raisedAt = T0 + i * 3_600_000 + (k + 1) * 600_000;
      const alertId = randomUUID();
      PERSONAL.push(alertId);
      await db.query(
        `INSERT INTO alerts (alert_id, box_id, patient_id, number, kind, severity, state, revision, raised_at, updated_at, notifications, acknowledgement)
         VALUES ($1, $2, $3, $4, $5, 'critical', 'acknowledged', 3, $6, $7, $8, $9)`,
        [alertId, box.boxId, patientId, k + 1, kind, new Date(raisedAt), new Date(raisedAt + 60_000),
          JSON.stringify([{ contact: contactName, channel: 'sms', status: 'sent', at: raisedAt + 5_000 }]),
          JSON.stringify({ by: contactName, via: 'sms', at: raisedAt + 50_000 })],
      );
    }
  }
  // A soft-deleted patient: not copied at all.
  const gone = await createPatient(db, personal('Odette Effaceesource'), 1940);
  PERSONAL.push(gone);
  await db.query('UPDATE patients SET deleted_at = now() WHERE id = $1', [gone]);
  // What only production may hold.
  await db.query(`INSERT INTO registrations (details, prescription_type, prescription_size, prescription) VALUES ($1, 'application/pdf', 9, $2)`, [
    JSON.stringify({ patient: { name: personal('Lucien Inscritsource'), address: personal('12 rue des Lilas-source, 75011 Paris'), phone: personal('+33699887766') } }),
    Buffer.from(personal('%PDF-ordo')),
  ]);
  await db.query(`INSERT INTO support_tickets (account_id, topic, message, callback) VALUES ($1, 'box', $2, $3)`, [doctorId, personal('Message libre source: la box de Jeanne'), personal('+33144556677')]);
  await db.query(`INSERT INTO access_log (account_id, action, ip, user_agent) VALUES ($1, 'patient.read', $2, $3)`, [doctorId, personal('198.51.100.77'), personal('Mozilla/5.0 SourceBrowser')]);
}

/** Every row of every table of `db`, as PostgreSQL's text form of the row. */
async function dumpAll(db: TestDb): Promise<string> {
  const { rows: tables } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition`,
  );
  let out = '';
  for (const { name } of tables) for (const r of (await db.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`)).rows) out += `${name} ${r.row}\n`;
  return out;
}

/** Per patient: the readings (value and gap to the previous), the alerts (kind, state, offset to the first reading), thresholds. */
async function signatures(db: TestDb): Promise<Map<string, { signature: string; firstTs: number }>> {
  const out = new Map<string, { signature: string; firstTs: number }>();
  const { rows: patients } = await db.query<{ id: string }>('SELECT id FROM patients WHERE deleted_at IS NULL ORDER BY id');
  for (const { id } of patients) {
    const m = (await db.query<{ ts: Date; value: number }>('SELECT ts, value FROM measurements WHERE patient_id = $1 ORDER BY ts', [id])).rows;
    const first = m[0]!.ts.getTime();
    const readings = m.map((r, i) => `${r.value}@${i === 0 ? 0 : r.ts.getTime() - m[i - 1]!.ts.getTime()}`);
    const alerts = (await db.query<{ kind: string; state: string; raised_at: Date; notifications: { at: number }[]; acknowledgement: { at: number } }>('SELECT kind, state, raised_at, notifications, acknowledgement FROM alerts WHERE patient_id = $1 ORDER BY raised_at', [id])).rows.map(
      (a) => `${a.kind}/${a.state}+${a.raised_at.getTime() - first}/${a.notifications[0]!.at - first}/${a.acknowledgement.at - first}`,
    );
    const config = (await db.query<{ config: { thresholds: unknown } }>('SELECT config FROM box_config_versions WHERE patient_id = $1', [id])).rows[0]!.config;
    out.set(id, { signature: JSON.stringify({ readings, alerts, thresholds: config.thresholds }), firstTs: first });
  }
  return out;
}

test('every table of the schema has an anonymisation policy, and every policy a table', async (t) => {
  const db = await openTestDb();
  t.after(() => db.close());
  const { rows } = await db.query<{ name: string }>(`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`);
  assert.deepEqual(Object.keys(TABLE_POLICIES).sort(), rows.map((r) => r.name));
});

test('the anonymised copy keeps no personal value of the source, and keeps each patient\'s intervals, thresholds and alert sequence', { timeout: 120_000 }, async (t) => {
  const source = await openTestDb();
  const target = await openTestDb({ fresh: true });
  t.after(async () => {
    await source.close();
    await target.close();
  });
  await seedProduction(source);
  const report = await anonymiseDatabase(source, target);
  assert.deepEqual({ patients: report.patients, accounts: report.accounts, measurements: report.measurements, alerts: report.alerts }, { patients: 2, accounts: 1, measurements: 9, alerts: 3 });

  const dump = await dumpAll(target);
  for (const value of PERSONAL) assert.ok(!dump.includes(value), `"${value}" survived the anonymisation`);
  assert.ok(!dump.includes(Buffer.from('%PDF-ordo').toString('hex')), 'the prescription file survived');
  for (const table of ['registrations', 'support_tickets', 'access_log', 'sessions', 'admin_audit']) {
    assert.equal((await target.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n, 0, `${table} is empty`);
  }
  const account = (await target.query<{ email: string; phone: string | null; totp_secret: string | null }>('SELECT email, phone, totp_secret FROM accounts')).rows[0]!;
  assert.match(account.email, /^compte-\d{4}@preprod\.vigie\.invalid$/);
  assert.deepEqual([account.phone, account.totp_secret], [null, null]);
  const phones = (await target.query<{ phone: string }>(`SELECT c->>'phone' AS phone FROM box_config_versions, jsonb_array_elements(config->'contacts') c`)).rows;
  assert.ok(phones.every((p) => /^\+3363998\d{4}$/.test(p.phone)), 'contacts get numbers of the range reserved for fiction');

  // Same per-patient signatures, each patient moved by a whole number of days (30–365 back).
  const before = await signatures(source);
  const after = await signatures(target);
  assert.deepEqual([...after.values()].map((s) => s.signature).sort(), [...before.values()].map((s) => s.signature).sort());
  const shifts = [...after.values()].map((a) => {
    const original = [...before.values()].find((b) => b.signature === a.signature)!;
    const shift = a.firstTs - original.firstTs;
    assert.ok(Number.isInteger(shift / DAY), 'a whole number of days');
    assert.ok(shift <= -30 * DAY && shift >= -365 * DAY, `shift of ${shift / DAY} days`);
    return shift;
  });
  assert.equal(shifts.length, 2);
  // No identifier shared with the source: ids, box ids.
  for (const id of before.keys()) assert.ok(!after.has(id));
});

test('a source table with no policy stops the copy before anything is written', async (t) => {
  const source = await openTestDb();
  const target = await openTestDb({ fresh: true });
  t.after(async () => {
    await source.close();
    await target.close();
  });
  await source.exec('CREATE TABLE questionnaire_answers (patient_id uuid, answer text)');
  await assert.rejects(anonymiseDatabase(source, target), (err) => portalErrors.is(err, 'PORTAL_ANONYMISE_UNKNOWN_TABLE') && /questionnaire_answers/.test((err as Error).message));
  const { rows } = await target.query<{ exists: boolean }>("SELECT to_regclass('patients') IS NOT NULL AS exists");
  assert.equal(rows[0]!.exists, false, 'the target was not even migrated');
});

test('refuses a target that already holds data', async (t) => {
  const source = await openTestDb();
  const target = await openTestDb();
  t.after(async () => {
    await source.close();
    await target.close();
  });
  await createPatient(target, 'Already There');
  await assert.rejects(anonymiseDatabase(source, target), (err) => portalErrors.is(err, 'PORTAL_ANONYMISE_TARGET_NOT_EMPTY'));
});
