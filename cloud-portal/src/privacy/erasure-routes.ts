import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Db } from '@vigie/cloud-store';
import type { Logger } from '@vigie/common';
import { defineRoute } from '../access/route-access.ts';
import { audit, checkConfirmation } from '../admin/audit.ts';
import { portalErrors } from '../errors.ts';
import { isUuid } from '../http/request-input.ts';
import { claimErasure, findErasure, runErasure } from './erasure.ts';

/**
 * Body of an erasure before the grace period ends: the patient's name again, and an explicit
 * acknowledgement that nothing can be restored afterwards.
 */
const EraseBody = Type.Object(
  { confirm: Type.String({ minLength: 1, maxLength: 254 }), irreversible: Type.Literal(true) },
  { additionalProperties: false },
);

function patientParam(params: unknown): string {
  const { patientId } = params as { patientId?: string };
  if (!isUuid(patientId)) throw portalErrors.create('PORTAL_NOT_FOUND');
  return patientId;
}

/**
 * `POST /admin/api/patients/:patientId/erase` (right to erasure, GDPR art. 17): erase a patient now,
 * deleted or not, without waiting for the grace period; answers the erasure record (kinds and
 * counts). Idempotent: a patient already erased answers its record. Audited by the erasure itself
 * (`admin_audit` action `patient.erase`, actor = the admin).
 * `GET /admin/api/patients/:patientId/erasure`: where an erasure stands (404 when none started).
 */
export function registerErasureRoutes(app: FastifyInstance, deps: { db: Db; log: Logger; now: () => number }): void {
  const { db, now } = deps;

  defineRoute(app, {
    method: 'POST', url: '/admin/api/patients/:patientId/erase', access: { kind: 'admin' }, body: EraseBody,
    handler: async (request, _reply, { body }) => {
      const id = patientParam(request.params);
      const at = now();
      await db.transaction(async (tx) => {
        const row = (await tx.query<{ display_name: string; deleted_at: Date | null; erased_at: Date | null }>(
          'SELECT display_name, deleted_at, erased_at FROM patients WHERE id = $1 FOR UPDATE',
          [id],
        )).rows[0];
        if (!row) throw portalErrors.create('PORTAL_NOT_FOUND');
        if (row.erased_at !== null) return;
        checkConfirmation(body.confirm, row.display_name);
        // Deleted first (nobody sees the patient while the purge runs; this admin is then the one
        // who deleted), then claimed in the same transaction: the job resumes the purge if this
        // request dies half-way.
        if (row.deleted_at === null) {
          await tx.query('UPDATE patients SET deleted_at = $2 WHERE id = $1', [id, new Date(at).toISOString()]);
          await audit(tx, { actorId: request.account!.accountId, action: 'patient.delete', entity: 'patient', entityId: id, before: null, after: null, at });
        }
        await claimErasure(tx, id, { reason: 'admin_request', requestedBy: request.account!.accountId, now: at });
      });
      return { erasure: await runErasure(db, id, { now: at, log: deps.log }) };
    },
  });

  defineRoute(app, {
    method: 'GET', url: '/admin/api/patients/:patientId/erasure', access: { kind: 'admin' },
    handler: async (request) => {
      const erasure = await findErasure(db, patientParam(request.params));
      if (!erasure) throw portalErrors.create('PORTAL_NOT_FOUND');
      return { erasure };
    },
  });
}
