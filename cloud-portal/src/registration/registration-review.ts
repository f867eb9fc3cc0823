import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Queryable } from '@vigie/cloud-store';
import { recordAccess } from '../access/access-log.ts';
import { defineRoute } from '../access/route-access.ts';
import type { AccountRole } from '../api-types.ts';
import { normaliseEmail } from '../auth/accounts.ts';
import { inviteAccount } from '../admin/admin-accounts.ts';
import { createPatientRecord, makeLink } from '../admin/admin-care.ts';
import type { AdminDeps } from '../admin/admin-deps.ts';
import { audit } from '../admin/audit.ts';
import { portalErrors } from '../errors.ts';
import { deferredMailer } from '../mail/mailer.ts';
import { isUuid } from '../http/request-input.ts';
import type { RegistrationDetails } from './registration-form.ts';

/** A registration request as admins review it (the file is fetched separately). */
export interface RegistrationView {
  readonly id: string;
  readonly submittedAt: number;
  readonly status: 'pending' | 'approved' | 'rejected';
  readonly details: RegistrationDetails;
  readonly prescription: { readonly type: string; readonly size: number };
  readonly reviewedAt: number | null;
  readonly rejectReason: string | null;
  readonly patientId: string | null;
  /** For each professional of the form: the existing account of that e-mail, if any. */
  readonly matches: ReadonlyArray<{ readonly email: string; readonly role: AccountRole; readonly accountId: string | null; readonly accountRole: AccountRole | null }>;
}

const ListQuery = Type.Object({ status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')])) }, { additionalProperties: false });
const RejectBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });

interface Row { id: string; submitted_at: Date; status: RegistrationView['status']; details: RegistrationDetails; prescription_type: string; prescription_size: number; reviewed_at: Date | null; reject_reason: string | null; patient_id: string | null }
const COLUMNS = 'id, submitted_at, status, details, prescription_type, prescription_size, reviewed_at, reject_reason, patient_id';

/** The people of a form who get an account: doctor, nurses, and relatives or patient who gave an e-mail. */
function people(d: RegistrationDetails): Array<{ email: string; name: string; role: AccountRole; phone?: string }> {
  return [
    { email: d.doctor.email, name: d.doctor.name, role: 'doctor' as const, phone: d.doctor.phone },
    ...d.nurses.map((n) => ({ email: n.email, name: n.name, role: 'nurse' as const, phone: n.phone })),
    ...d.relatives.filter((r) => r.email).map((r) => ({ email: r.email!, name: r.name, role: 'relative' as const, phone: r.phone })),
    ...(d.patient.email ? [{ email: d.patient.email, name: d.patient.displayName, role: 'patient' as const, phone: d.patient.phone }] : []),
  ];
}

async function load(q: Queryable, id: unknown): Promise<RegistrationView> {
  if (!isUuid(id)) throw portalErrors.create('PORTAL_NOT_FOUND');
  const row = (await q.query<Row>(`SELECT ${COLUMNS} FROM registrations WHERE id = $1`, [id])).rows[0];
  if (!row) throw portalErrors.create('PORTAL_NOT_FOUND');
  const list = people(row.details);
  const { rows: accounts } = await q.query<{ id: string; email: string; role: AccountRole }>('SELECT id, email, role FROM accounts WHERE email = ANY($1::text[])', [
    list.map((p) => normaliseEmail(p.email)),
  ]);
  const byEmail = new Map(accounts.map((a) => [a.email, a]));
  return {
    id: row.id,
    submittedAt: row.submitted_at.getTime(),
    status: row.status,
    details: row.details,
    prescription: { type: row.prescription_type, size: row.prescription_size },
    reviewedAt: row.reviewed_at?.getTime() ?? null,
    rejectReason: row.reject_reason,
    patientId: row.patient_id,
    matches: list.map((p) => {
      const a = byEmail.get(normaliseEmail(p.email));
      return { email: normaliseEmail(p.email), role: p.role, accountId: a?.id ?? null, accountRole: a?.role ?? null };
    }),
  };
}

/**
 * Admin review of registrations: list, view, the prescription file, approve (existing doctor and
 * nurse accounts matched by e-mail, missing ones created and invited, the patient created, care
 * links made, all in one audited transaction) or reject.
 */
export function registerRegistrationReviewRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { db, now } = deps;

  defineRoute(app, {
    method: 'GET', url: '/admin/api/registrations', access: { kind: 'admin' }, query: ListQuery,
    handler: async (request, _reply, { query }) => {
      const { rows } = await db.query<{ id: string }>(
        'SELECT id FROM registrations WHERE ($1::text IS NULL OR status = $1) ORDER BY submitted_at DESC LIMIT 500',
        [query.status ?? null],
      );
      const registrations = await Promise.all(rows.map((r) => load(db, r.id)));
      // The forms hold names, phones and e-mails: their reads are in the trail like medical data.
      await recordAccess(db, {
        accountId: request.account!.accountId,
        action: 'registrations.list',
        patientIds: registrations.flatMap((r) => (r.patientId ? [r.patientId] : [])),
        detail: { status: query.status ?? null, count: registrations.length },
      });
      return { registrations };
    },
  });

  defineRoute(app, {
    method: 'GET', url: '/admin/api/registrations/:registrationId', access: { kind: 'admin' },
    handler: async (request) => {
      const registration = await load(db, (request.params as { registrationId?: string }).registrationId);
      await recordAccess(db, { accountId: request.account!.accountId, action: 'registration.read', patientIds: registration.patientId ? [registration.patientId] : [], detail: { registrationId: registration.id } });
      return { registration };
    },
  });

  defineRoute(app, {
    method: 'GET', url: '/admin/api/registrations/:registrationId/prescription', access: { kind: 'admin' },
    handler: async (request, reply) => {
      const view = await load(db, (request.params as { registrationId?: string }).registrationId);
      const { rows } = await db.query<{ prescription: Uint8Array }>('SELECT prescription FROM registrations WHERE id = $1', [view.id]);
      // A prescription is medical data: recorded before it leaves the server.
      await recordAccess(db, { accountId: request.account!.accountId, action: 'registration.prescription', patientIds: view.patientId ? [view.patientId] : [], detail: { registrationId: view.id } });
      // Served as a download with its checked type: never rendered inline by the portal's origin.
      return reply
        .type(view.prescription.type)
        .header('content-disposition', `attachment; filename="prescription-${view.id}.${view.prescription.type.split('/')[1]}"`)
        .send(Buffer.from(rows[0]!.prescription));
    },
  });

  defineRoute(app, {
    method: 'POST', url: '/admin/api/registrations/:registrationId/approve', access: { kind: 'admin' },
    handler: async (request) => {
      const actorId = request.account!.accountId;
      // Invitations leave only once everything is committed.
      const outbox = deferredMailer(deps.mailer);
      const approved = await db.transaction(async (tx) => {
        const before = await load(tx, (request.params as { registrationId?: string }).registrationId);
        if (before.status !== 'pending') throw portalErrors.create('PORTAL_CONFLICT', { message: 'Already reviewed' });
        const d = before.details;
        const patient = await createPatientRecord(tx, actorId, now(), { displayName: d.patient.displayName, birthYear: d.patient.birthYear });
        const invited: string[] = [];
        for (const person of people(d)) {
          const { account, created } = await inviteAccount({ ...deps, mailer: outbox.mailer }, tx, actorId, { email: person.email, displayName: person.name, role: person.role, ...(person.phone ? { phone: person.phone } : {}) });
          if (account.role !== person.role) {
            throw portalErrors.create('PORTAL_CONFLICT', { message: `${person.role} e-mail belongs to a ${account.role} account`, details: { field: `/details/${person.role}` } });
          }
          if (created) invited.push(account.id);
          await makeLink(tx, actorId, now(), { patientId: patient.id, accountId: account.id, relation: person.role });
        }
        await tx.query('UPDATE registrations SET status = $2, reviewed_by = $3, reviewed_at = $4, patient_id = $5 WHERE id = $1', [
          before.id, 'approved', actorId, new Date(now()).toISOString(), patient.id,
        ]);
        const after = await load(tx, before.id);
        await audit(tx, { actorId, action: 'registration.approve', entity: 'registration', entityId: before.id, before, after, at: now() });
        return { registration: after, patientId: patient.id, invited };
      });
      await outbox.flush();
      return approved;
    },
  });

  defineRoute(app, {
    method: 'POST', url: '/admin/api/registrations/:registrationId/reject', access: { kind: 'admin' }, body: RejectBody,
    handler: async (request, _reply, { body }) => {
      const actorId = request.account!.accountId;
      return db.transaction(async (tx) => {
        const before = await load(tx, (request.params as { registrationId?: string }).registrationId);
        if (before.status !== 'pending') throw portalErrors.create('PORTAL_CONFLICT', { message: 'Already reviewed' });
        await tx.query('UPDATE registrations SET status = $2, reviewed_by = $3, reviewed_at = $4, reject_reason = $5 WHERE id = $1', [
          before.id, 'rejected', actorId, new Date(now()).toISOString(), body.reason,
        ]);
        const after = await load(tx, before.id);
        await audit(tx, { actorId, action: 'registration.reject', entity: 'registration', entityId: before.id, before, after, at: now() });
        return { registration: after };
      });
    },
  });
}
