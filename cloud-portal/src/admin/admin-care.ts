import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Queryable } from '@vigie/cloud-store';
import { defineRoute } from '../access/route-access.ts';
import { portalErrors } from '../errors.ts';
import { isUuid } from '../http/request-input.ts';
import type { AdminDeps } from './admin-deps.ts';
import { audit, checkConfirmation, checkRestorable, ConfirmBody, RESTORE_WINDOW_MS, Uuid } from './audit.ts';

/** A patient as admins see it: identity only, no medical data. */
export interface AdminPatient {
  readonly id: string;
  readonly displayName: string;
  readonly birthYear: number | null;
  readonly createdAt: number;
  readonly deletedAt: number | null;
}

/** A care link as admins see it. */
export interface AdminLink {
  readonly patientId: string;
  readonly patientName: string;
  readonly accountId: string;
  readonly accountEmail: string;
  readonly accountName: string;
  readonly relation: string;
  readonly createdAt: number;
  readonly removedAt: number | null;
}

const Relation = Type.Union([Type.Literal('patient'), Type.Literal('doctor'), Type.Literal('nurse'), Type.Literal('relative')]);
const NewPatientBody = Type.Object(
  { displayName: Type.String({ minLength: 1, maxLength: 200 }), birthYear: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2100 })) },
  { additionalProperties: false },
);
const LinkBody = Type.Object({ patientId: Uuid, accountId: Uuid, relation: Relation }, { additionalProperties: false });
const UnlinkBody = Type.Object({ patientId: Uuid, accountId: Uuid, confirm: Type.String({ minLength: 1, maxLength: 254 }) }, { additionalProperties: false });
const RestoreLinkBody = Type.Object({ patientId: Uuid, accountId: Uuid }, { additionalProperties: false });
const LinksQuery = Type.Object({ patient: Type.Optional(Uuid), account: Type.Optional(Uuid) }, { additionalProperties: false });

interface PatientRow { id: string; display_name: string; birth_year: number | null; created_at: Date; deleted_at: Date | null }
const toPatient = (r: PatientRow): AdminPatient => ({ id: r.id, displayName: r.display_name, birthYear: r.birth_year, createdAt: r.created_at.getTime(), deletedAt: r.deleted_at?.getTime() ?? null });

async function loadPatient(q: Queryable, id: string): Promise<AdminPatient> {
  const row = (await q.query<PatientRow>('SELECT id, display_name, birth_year, created_at, deleted_at FROM patients WHERE id = $1', [id])).rows[0];
  if (!row) throw portalErrors.create('PORTAL_NOT_FOUND');
  return toPatient(row);
}

interface LinkRow { patient_id: string; display_name: string; account_id: string; email: string; account_name: string; relation: string; created_at: Date; removed_at: Date | null }
const LINK_SELECT = `SELECT cl.patient_id, p.display_name, cl.account_id, a.email, a.display_name AS account_name, cl.relation, cl.created_at, cl.removed_at
  FROM care_links cl JOIN patients p ON p.id = cl.patient_id JOIN accounts a ON a.id = cl.account_id`;
const toLink = (r: LinkRow): AdminLink => ({
  patientId: r.patient_id, patientName: r.display_name, accountId: r.account_id, accountEmail: r.email, accountName: r.account_name,
  relation: r.relation, createdAt: r.created_at.getTime(), removedAt: r.removed_at?.getTime() ?? null,
});

async function loadLink(q: Queryable, patientId: string, accountId: string): Promise<AdminLink | null> {
  const row = (await q.query<LinkRow>(`${LINK_SELECT} WHERE cl.patient_id = $1 AND cl.account_id = $2`, [patientId, accountId])).rows[0];
  return row ? toLink(row) : null;
}

/**
 * Create (or revive) the care link patient ↔ account with `relation`, audited. The relation must
 * be the account's role (a relative's link is `relative`…), except for admin and support accounts.
 */
export async function makeLink(q: Queryable, actorId: string, now: number, input: { patientId: string; accountId: string; relation: string }): Promise<AdminLink> {
  const before = await loadLink(q, input.patientId, input.accountId);
  const role = (await q.query<{ role: string }>('SELECT role FROM accounts WHERE id = $1', [input.accountId])).rows[0]?.role;
  await loadPatient(q, input.patientId);
  if (!role) throw portalErrors.create('PORTAL_NOT_FOUND');
  // Staff outside care (admin, support) may be linked explicitly, audited: "no medical data unless linked".
  if (role !== input.relation && role !== 'admin' && role !== 'support') {
    throw portalErrors.create('PORTAL_CONFLICT', { message: `A ${role} account cannot be linked as ${input.relation}`, details: { field: '/relation' } });
  }
  await q.query(
    `INSERT INTO care_links (patient_id, account_id, relation, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (patient_id, account_id) DO UPDATE SET relation = EXCLUDED.relation, removed_at = NULL`,
    [input.patientId, input.accountId, input.relation, new Date(now).toISOString()],
  );
  const after = (await loadLink(q, input.patientId, input.accountId))!;
  await audit(q, { actorId, action: 'link.create', entity: 'care_link', entityId: `${input.patientId}/${input.accountId}`, before, after, at: now });
  return after;
}

/** Create a patient (audited). */
export async function createPatientRecord(q: Queryable, actorId: string, now: number, input: { displayName: string; birthYear?: number }): Promise<AdminPatient> {
  const { rows } = await q.query<{ id: string }>('INSERT INTO patients (display_name, birth_year, created_at) VALUES ($1, $2, $3) RETURNING id', [
    input.displayName,
    input.birthYear ?? null,
    new Date(now).toISOString(),
  ]);
  const patient = await loadPatient(q, rows[0]!.id);
  await audit(q, { actorId, action: 'patient.create', entity: 'patient', entityId: patient.id, before: null, after: patient, at: now });
  return patient;
}

/** Patients (create, delete confirmed, restore) and care links (link, unlink confirmed, restore). */
export function registerAdminCareRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { db, now } = deps;
  const patientParam = (params: unknown) => {
    const { patientId } = params as { patientId?: string };
    if (!isUuid(patientId)) throw portalErrors.create('PORTAL_NOT_FOUND');
    return patientId;
  };

  defineRoute(app, {
    method: 'GET', url: '/admin/api/patients', access: { kind: 'admin' },
    handler: async () => {
      // Deleted patients stay listed while they can be restored.
      const { rows } = await db.query<PatientRow>(
        'SELECT id, display_name, birth_year, created_at, deleted_at FROM patients WHERE erased_at IS NULL AND (deleted_at IS NULL OR deleted_at > $1) ORDER BY display_name, id LIMIT 1000',
        [new Date(now() - RESTORE_WINDOW_MS).toISOString()],
      );
      return { patients: rows.map(toPatient) };
    },
  });

  defineRoute(app, {
    method: 'POST', url: '/admin/api/patients', access: { kind: 'admin' }, body: NewPatientBody,
    handler: async (request, reply, { body }) =>
      reply.code(201).send({ patient: await db.transaction((tx) => createPatientRecord(tx, request.account!.accountId, now(), body)) }),
  });

  defineRoute(app, {
    method: 'POST', url: '/admin/api/patients/:patientId/delete', access: { kind: 'admin' }, body: ConfirmBody,
    handler: async (request, _reply, { body }) => {
      const id = patientParam(request.params);
      return db.transaction(async (tx) => {
        const before = await loadPatient(tx, id);
        checkConfirmation(body.confirm, before.displayName);
        if (before.deletedAt !== null) throw portalErrors.create('PORTAL_CONFLICT', { message: 'Already deleted' });
        await tx.query('UPDATE patients SET deleted_at = $2 WHERE id = $1', [id, new Date(now()).toISOString()]);
        const after = await loadPatient(tx, id);
        await audit(tx, { actorId: request.account!.accountId, action: 'patient.delete', entity: 'patient', entityId: id, before, after, at: now() });
        return { patient: after };
      });
    },
  });

  defineRoute(app, {
    method: 'POST', url: '/admin/api/patients/:patientId/restore', access: { kind: 'admin' },
    handler: async (request) => {
      const id = patientParam(request.params);
      return db.transaction(async (tx) => {
        const before = await loadPatient(tx, id);
        // Erased (or being erased): nothing is left to restore, whatever the restore window says.
        if ((await tx.query('SELECT 1 FROM patient_erasures WHERE patient_id = $1', [id])).rowCount > 0) throw portalErrors.create('PORTAL_PATIENT_ERASED');
        checkRestorable(before.deletedAt === null ? null : new Date(before.deletedAt), now());
        await tx.query('UPDATE patients SET deleted_at = NULL WHERE id = $1', [id]);
        const after = await loadPatient(tx, id);
        await audit(tx, { actorId: request.account!.accountId, action: 'patient.restore', entity: 'patient', entityId: id, before, after, at: now() });
        return { patient: after };
      });
    },
  });

  defineRoute(app, {
    method: 'GET', url: '/admin/api/links', access: { kind: 'admin' }, query: LinksQuery,
    handler: async (_request, _reply, { query }) => {
      const { rows } = await db.query<LinkRow>(
        `${LINK_SELECT} WHERE ($1::uuid IS NULL OR cl.patient_id = $1) AND ($2::uuid IS NULL OR cl.account_id = $2)
           AND (cl.removed_at IS NULL OR cl.removed_at > $3) ORDER BY p.display_name, a.display_name LIMIT 1000`,
        [query.patient ?? null, query.account ?? null, new Date(now() - RESTORE_WINDOW_MS).toISOString()],
      );
      return { links: rows.map(toLink) };
    },
  });

  defineRoute(app, {
    method: 'POST', url: '/admin/api/links', access: { kind: 'admin' }, body: LinkBody,
    handler: async (request, reply, { body }) =>
      reply.code(201).send({ link: await db.transaction((tx) => makeLink(tx, request.account!.accountId, now(), body)) }),
  });

  defineRoute(app, {
    method: 'POST', url: '/admin/api/links/unlink', access: { kind: 'admin' }, body: UnlinkBody,
    handler: async (request, _reply, { body }) =>
      db.transaction(async (tx) => {
        const before = await loadLink(tx, body.patientId, body.accountId);
        if (!before || before.removedAt !== null) throw portalErrors.create('PORTAL_NOT_FOUND');
        checkConfirmation(body.confirm, before.accountEmail);
        await tx.query('UPDATE care_links SET removed_at = $3 WHERE patient_id = $1 AND account_id = $2', [body.patientId, body.accountId, new Date(now()).toISOString()]);
        const after = await loadLink(tx, body.patientId, body.accountId);
        await audit(tx, { actorId: request.account!.accountId, action: 'link.remove', entity: 'care_link', entityId: `${body.patientId}/${body.accountId}`, before, after, at: now() });
        return { link: after };
      }),
  });

  defineRoute(app, {
    method: 'POST', url: '/admin/api/links/restore', access: { kind: 'admin' }, body: RestoreLinkBody,
    handler: async (request, _reply, { body }) =>
      db.transaction(async (tx) => {
        const before = await loadLink(tx, body.patientId, body.accountId);
        if (!before) throw portalErrors.create('PORTAL_NOT_FOUND');
        checkRestorable(before.removedAt === null ? null : new Date(before.removedAt), now());
        await tx.query('UPDATE care_links SET removed_at = NULL WHERE patient_id = $1 AND account_id = $2', [body.patientId, body.accountId]);
        const after = await loadLink(tx, body.patientId, body.accountId);
        await audit(tx, { actorId: request.account!.accountId, action: 'link.restore', entity: 'care_link', entityId: `${body.patientId}/${body.accountId}`, before, after, at: now() });
        return { link: after };
      }),
  });
}
