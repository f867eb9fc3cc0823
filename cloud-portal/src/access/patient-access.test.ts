import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPatient, openTestDb, type TestDb } from '@vigie/cloud-store/testing';
import { ensureAccount, linkCare } from '../auth/accounts.ts';
import { PatientAccess } from './patient-access.ts';

let db: TestDb;
let access: PatientAccess;
let patient: string;
const ids: Record<string, string> = {};

before(async () => {
  db = await openTestDb();
  access = new PatientAccess(db);
  patient = await createPatient(db, 'Rule Patient');
  for (const role of ['patient', 'doctor', 'nurse', 'relative', 'support', 'admin'] as const) {
    ids[role] = (await ensureAccount(db, { email: `${role}@rule.example`, displayName: role, role, password: `pw-${role}-rule` })).id;
  }
  for (const relation of ['patient', 'doctor', 'nurse', 'relative'] as const) await linkCare(db, patient, ids[relation]!, relation);
});
after(() => db.close());

test('grants medical data to the patient, doctor and nurse, alerts to the relative too, and nothing to support or admin', async () => {
  const seeing = async (data: 'medical' | 'alerts' | 'status') => [...(await access.accountsSeeing(patient, data))].sort();
  const names = (list: string[]) => Object.entries(ids).filter(([, id]) => list.includes(id)).map(([r]) => r).sort();
  assert.deepEqual(names(await seeing('medical')), ['doctor', 'nurse', 'patient']);
  assert.deepEqual(names(await seeing('alerts')), ['doctor', 'nurse', 'patient', 'relative']);
  assert.equal(await access.canSee(ids.relative!, patient, 'medical'), false);
  assert.equal(await access.canSee(ids.relative!, patient, 'alerts'), true);
  assert.equal(await access.canSee(ids.admin!, patient, 'alerts'), false);
  assert.deepEqual(await access.visiblePatientIds(ids.support!), []);
});

test('a removed link, a deleted patient and a disabled account grant nothing', async () => {
  await db.query('UPDATE care_links SET removed_at = now() WHERE account_id = $1', [ids.doctor]);
  assert.equal(await access.canSee(ids.doctor!, patient), false);
  await db.query('UPDATE care_links SET removed_at = NULL WHERE account_id = $1', [ids.doctor]);
  await db.query('UPDATE accounts SET disabled_at = now() WHERE id = $1', [ids.nurse]);
  assert.equal(await access.canSee(ids.nurse!, patient), false);
  await db.query('UPDATE patients SET deleted_at = now() WHERE id = $1', [patient]);
  assert.equal(await access.canSee(ids.doctor!, patient), false);
});
