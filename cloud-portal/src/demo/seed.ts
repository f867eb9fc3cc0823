import { insertMeasurements, sha256Hex, type Db, type Queryable } from '@vigie/cloud-store';
import type { AccountRole } from '../api-types.ts';
import { ensureAccount, linkCare } from '../auth/accounts.ts';
import { demoHistory } from './history.ts';
import { seedDemoQuestionnaire } from './questionnaire-seed.ts';

/** A demo login, printed by `vigie-cloud` at start. The passwords are public on purpose. */
export interface DemoAccount {
  readonly email: string;
  readonly password: string;
  readonly displayName: string;
  readonly role: AccountRole;
}

/** The demo patient has a fixed id so the seed is idempotent (and links are stable across runs). */
export const DEMO_PATIENT_ID = '5e1d0000-0000-4000-8000-000000000001';
const DEMO_PATIENT = { displayName: 'Jeanne Dupont', birthYear: 1938 } as const;
const HISTORY_DAYS = 3;
/** Serialises seeders of several processes starting together on one PostgreSQL ("seed"). */
const SEED_LOCK_KEY = 0x73656564;

/** The demo's admin: the only account that may use the demo page and its APIs. */
export const DEMO_ADMIN_EMAIL = 'admin@vigie.demo';

/** The demo accounts. The admin is deliberately not linked: it shows that admins see no medical data. */
export const DEMO_ACCOUNTS: ReadonlyArray<DemoAccount & { relation: 'patient' | 'doctor' | 'nurse' | 'relative' | null }> = [
  { email: 'docteur@vigie.demo', password: 'demo-docteur', displayName: 'Dr Claire Martin', role: 'doctor', relation: 'doctor' },
  { email: 'infirmiere@vigie.demo', password: 'demo-infirmiere', displayName: 'Sophie Bernard', role: 'nurse', relation: 'nurse' },
  { email: 'proche@vigie.demo', password: 'demo-proche', displayName: 'Paul Dupont', role: 'relative', relation: 'relative' },
  { email: DEMO_ADMIN_EMAIL, password: 'demo-admin', displayName: 'Admin Vigie', role: 'admin', relation: null },
  { email: 'patient@vigie.demo', password: 'demo-patient', displayName: 'Jeanne Dupont', role: 'patient', relation: 'patient' },
];

/** Options of {@link seedDemo}. */
export interface DemoSeedOptions {
  readonly boxId: string;
  /** The box's bearer token (`VIGIE_DEMO_BOX_TOKEN`); the stored hash follows it at every start. */
  readonly boxToken: string;
  readonly now?: number;
}

/**
 * Idempotent demo data, run at every start with `VIGIE_DEMO=1`: the accounts, the patient and
 * their care links, the box (token hash refreshed) assigned to the patient, and — on the first
 * seed only — three days of history, inserted set-based. Returns the accounts to print.
 */
export async function seedDemo(db: Db, options: DemoSeedOptions): Promise<DemoAccount[]> {
  const now = options.now ?? Date.now();
  const historyStart = now - HISTORY_DAYS * 86_400_000;
  const firstSeed = await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::int8)', [SEED_LOCK_KEY]);
    const created = await tx.query(
      `INSERT INTO patients (id, display_name, birth_year, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
      [DEMO_PATIENT_ID, DEMO_PATIENT.displayName, DEMO_PATIENT.birthYear, new Date(historyStart).toISOString()],
    );
    let doctorId = '';
    for (const account of DEMO_ACCOUNTS) {
      const { id } = await ensureAccount(tx, account);
      if (account.relation) await linkCare(tx, DEMO_PATIENT_ID, id, account.relation);
      if (account.role === 'doctor') doctorId = id;
    }
    // The daily questionnaire (issue 12), set by the doctor, with a few days of answers.
    await seedDemoQuestionnaire(tx, { patientId: DEMO_PATIENT_ID, doctorId, now, days: HISTORY_DAYS });
    await tx.query(
      // A new token means a new demo box (its data folder was reset): its Kafka signing key is new
      // too, so the old public key is forgotten and the box registers its own at first start.
      `INSERT INTO boxes (id, token_hash) VALUES ($1, $2)
       ON CONFLICT (id) DO UPDATE SET token_hash = EXCLUDED.token_hash, revoked_at = NULL,
         signing_public_key = CASE WHEN boxes.token_hash = EXCLUDED.token_hash THEN boxes.signing_public_key END`,
      [options.boxId, sha256Hex(options.boxToken)],
    );
    await ensureAssignment(tx, options.boxId, historyStart, now);
    if (created.rowCount === 0) return false;
    await insertMeasurements(tx, demoHistory(DEMO_PATIENT_ID, options.boxId, now, HISTORY_DAYS));
    return true;
  });
  // PGlite has no autovacuum: refresh the planner's statistics after a bulk load.
  if (firstSeed) await db.query('ANALYZE measurements');
  return DEMO_ACCOUNTS.map(({ email, password, displayName, role }) => ({ email, password, displayName, role }));
}

async function ensureAssignment(tx: Queryable, boxId: string, historyStart: number, now: number): Promise<void> {
  const { rows } = await tx.query<{ patient_id: string }>('SELECT patient_id FROM box_assignments WHERE box_id = $1 AND valid_to IS NULL', [boxId]);
  const current = rows[0]?.patient_id;
  if (current === DEMO_PATIENT_ID) return;
  let from = historyStart;
  if (current) {
    // Someone reassigned the demo box: hand it back from now on, keeping the other patient's past.
    from = now;
    await tx.query('UPDATE box_assignments SET valid_to = $2 WHERE box_id = $1 AND valid_to IS NULL', [boxId, new Date(now).toISOString()]);
  }
  await tx.query('INSERT INTO box_assignments (box_id, patient_id, valid_from) VALUES ($1, $2, $3)', [
    boxId,
    DEMO_PATIENT_ID,
    new Date(from).toISOString(),
  ]);
}
