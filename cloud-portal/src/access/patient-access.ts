import type { Queryable } from '@vigie/cloud-store';
import { DATA_RELATIONS, type PatientData } from './rules.ts';

/**
 * Care links that grant anything: the patient not deleted, the account not disabled, the link
 * not removed (an admin's unlink is a soft delete, restorable).
 */
const VISIBLE = `care_links cl
  JOIN patients p ON p.id = cl.patient_id AND p.deleted_at IS NULL
  JOIN accounts a ON a.id = cl.account_id AND a.disabled_at IS NULL
  WHERE cl.removed_at IS NULL`;

/** The relations that grant `data`, or every relation when `data` is omitted. */
function relations(data: PatientData | undefined): readonly string[] {
  return data === undefined ? ['patient', 'doctor', 'nurse', 'relative'] : DATA_RELATIONS[data];
}

/**
 * The one rule for patient data, as queries: an account sees a patient's `data` when a live care
 * link joins them and the link's relation grants that kind of data ({@link DATA_RELATIONS}).
 * Nothing else grants access. The route layer (`route-access.ts`) and the live stream ask here.
 */
export class PatientAccess {
  readonly #db: Queryable;

  constructor(db: Queryable) {
    this.#db = db;
  }

  /** Ids of the patients `accountId` may see (`data` of; any link when omitted). */
  async visiblePatientIds(accountId: string, data?: PatientData): Promise<string[]> {
    const { rows } = await this.#db.query<{ id: string }>(
      `SELECT p.id FROM ${VISIBLE} AND cl.account_id = $1 AND cl.relation = ANY($2::text[])`,
      [accountId, relations(data)],
    );
    return rows.map((r) => r.id);
  }

  /** Whether `accountId` may see `data` of `patientId` (medical data when omitted). */
  async canSee(accountId: string, patientId: string, data: PatientData = 'medical'): Promise<boolean> {
    const { rows } = await this.#db.query(
      `SELECT 1 FROM ${VISIBLE} AND cl.account_id = $1 AND cl.patient_id = $2 AND cl.relation = ANY($3::text[])`,
      [accountId, patientId, relations(data)],
    );
    return rows.length > 0;
  }

  /** Accounts that may see `data` of `patientId` (the live stream's fan-out filter). */
  async accountsSeeing(patientId: string, data: PatientData = 'medical'): Promise<Set<string>> {
    const { rows } = await this.#db.query<{ id: string }>(
      `SELECT a.id FROM ${VISIBLE} AND cl.patient_id = $1 AND cl.relation = ANY($2::text[])`,
      [patientId, relations(data)],
    );
    return new Set(rows.map((r) => r.id));
  }
}
