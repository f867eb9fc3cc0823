import type { FastifyRequest } from 'fastify';
import type { Db } from '@vigie/cloud-ingest/db';
import { portalErrors } from '../errors.ts';
import { isUuid } from '../http/request-input.ts';
import { recordAccess } from './access-log.ts';

/**
 * The one rule for medical data: an account sees a patient when a care link joins them, the
 * patient is not deleted and the account not disabled. Nothing else grants access: admins and
 * support see no medical data unless linked. Every route and the live stream ask here.
 */
const VISIBLE = `care_links cl
  JOIN patients p ON p.id = cl.patient_id AND p.deleted_at IS NULL
  JOIN accounts a ON a.id = cl.account_id AND a.disabled_at IS NULL`;

declare module 'fastify' {
  interface FastifyRequest {
    /** The patient of a `/api/patients/:id/...` request, once {@link PatientAccess.guard} admitted it. */
    patientId?: string;
  }
}

/** The authorization layer for patient data. */
export class PatientAccess {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Ids of the patients `accountId` may see. */
  async visiblePatientIds(accountId: string): Promise<string[]> {
    const { rows } = await this.#db.query<{ id: string }>(`SELECT p.id FROM ${VISIBLE} WHERE cl.account_id = $1`, [accountId]);
    return rows.map((r) => r.id);
  }

  /** Whether `accountId` may see `patientId`. */
  async canSee(accountId: string, patientId: string): Promise<boolean> {
    const { rows } = await this.#db.query(`SELECT 1 FROM ${VISIBLE} WHERE cl.account_id = $1 AND cl.patient_id = $2`, [accountId, patientId]);
    return rows.length > 0;
  }

  /** Accounts that may see `patientId` (the live stream's fan-out filter). */
  async accountsSeeing(patientId: string): Promise<Set<string>> {
    const { rows } = await this.#db.query<{ id: string }>(`SELECT a.id FROM ${VISIBLE} WHERE cl.patient_id = $1`, [patientId]);
    return new Set(rows.map((r) => r.id));
  }

  /**
   * preHandler for `/api/patients/:id/...` (after the session guard): admits the request only
   * when the caller may see the patient. Otherwise 404, never 403, so the answer does not reveal
   * whether the patient exists; the refused attempt is written to the audit trail.
   */
  guard = async (request: FastifyRequest): Promise<void> => {
    const account = request.account!;
    const { id } = request.params as { id?: string };
    if (isUuid(id) && (await this.canSee(account.accountId, id))) {
      request.patientId = id;
      return;
    }
    await recordAccess(this.#db, {
      accountId: account.accountId,
      action: 'patient.denied',
      patientIds: isUuid(id) ? [id] : [],
      detail: { route: request.routeOptions.url },
    });
    throw portalErrors.create('PORTAL_PATIENT_NOT_FOUND');
  };
}
