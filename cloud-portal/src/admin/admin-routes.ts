import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { defineRoute } from '../access/route-access.ts';
import { registerAccessLogRoute } from './access-log-route.ts';
import { registerAdminAccountRoutes } from './admin-accounts.ts';
import { registerAdminCareRoutes } from './admin-care.ts';
import { registerAdminDeviceRoutes } from './admin-devices.ts';
import type { AdminDeps } from './admin-deps.ts';

export type { AdminDeps } from './admin-deps.ts';

const AuditQuery = Type.Object(
  {
    entity: Type.Optional(Type.Union(['account', 'patient', 'care_link', 'box', 'bracelet', 'registration', 'release', 'campaign'].map((e) => Type.Literal(e)))),
    entityId: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);

/** One row of `GET /admin/api/audit`. */
export interface AuditEntry {
  readonly id: number;
  readonly at: number;
  readonly actorId: string | null;
  readonly actorEmail: string | null;
  readonly action: string;
  readonly entity: string;
  readonly entityId: string;
  readonly before: unknown;
  readonly after: unknown;
}

/**
 * Every `/admin/api/*` route (access `admin`: an admin account, on the admin listener when
 * VIGIE_ADMIN_PORT is set). Every change is written to `admin_audit` in its transaction. The
 * review of registration requests, also under `/admin/api`, is registration's own
 * (`registerRegistrationReviewRoutes`, registered by the app): registration uses admin's functions,
 * admin does not know registration.
 */
export function registerAdminRoutes(app: FastifyInstance, deps: AdminDeps): void {
  registerAccessLogRoute(app, deps);
  registerAdminAccountRoutes(app, deps);
  registerAdminCareRoutes(app, deps);
  registerAdminDeviceRoutes(app, deps);

  defineRoute(app, {
    method: 'GET', url: '/admin/api/audit', access: { kind: 'admin' }, query: AuditQuery,
    handler: async (_request, _reply, { query }) => {
      const { rows } = await deps.db.query<{ id: number; at: Date; actor_id: string | null; email: string | null; action: string; entity: string; entity_id: string; before: unknown; after: unknown }>(
        `SELECT au.id, au.at, au.actor_id, a.email, au.action, au.entity, au.entity_id, au.before, au.after
           FROM admin_audit au LEFT JOIN accounts a ON a.id = au.actor_id
          WHERE ($1::text IS NULL OR au.entity = $1) AND ($2::text IS NULL OR au.entity_id = $2)
          ORDER BY au.at DESC, au.id DESC LIMIT $3`,
        [query.entity ?? null, query.entityId ?? null, query.limit ?? 200],
      );
      const entries: AuditEntry[] = rows.map((r) => ({
        id: Number(r.id), at: r.at.getTime(), actorId: r.actor_id, actorEmail: r.email, action: r.action, entity: r.entity, entityId: r.entity_id, before: r.before, after: r.after,
      }));
      return { entries };
    },
  });
}
