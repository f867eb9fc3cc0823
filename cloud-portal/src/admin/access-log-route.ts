import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Db } from '@vigie/cloud-store';
import { defineRoute } from '../access/route-access.ts';

const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' });
const AccessLogQuery = Type.Object(
  {
    patient: Type.Optional(Uuid),
    account: Type.Optional(Uuid),
    from: Type.Optional(Type.Integer({ minimum: 0 })),
    to: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);

/** One row of `GET /admin/api/access-log`. */
export interface AccessLogEntry {
  readonly id: number;
  readonly at: number;
  readonly accountId: string | null;
  readonly accountEmail: string | null;
  readonly patientId: string | null;
  readonly patientName: string | null;
  readonly action: string;
  readonly detail: unknown;
  /** The reader's role at the time (null for rows older than migration 0009). */
  readonly role: string | null;
  /** Client address (request.ip: X-Forwarded-For only from a trusted proxy) and user agent. */
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/**
 * `GET /admin/api/access-log?patient=&account=&from=&to=&limit=`: who read whose data, newest
 * first (at most `limit`, default 200). Reading the trail is itself not medical data.
 */
export function registerAccessLogRoute(app: FastifyInstance, deps: { db: Db }): void {
  defineRoute(app, {
    method: 'GET',
    url: '/admin/api/access-log',
    access: { kind: 'admin' },
    query: AccessLogQuery,
    handler: async (_request, _reply, { query }) => {
      const { rows } = await deps.db.query<{ id: number; at: Date; account_id: string | null; email: string | null; patient_id: string | null; display_name: string | null; action: string; detail: unknown; role: string | null; ip: string | null; user_agent: string | null }>(
        `SELECT l.id, l.at, l.account_id, a.email, l.patient_id, p.display_name, l.action, l.detail, l.role, l.ip, l.user_agent
           FROM access_log l
           LEFT JOIN accounts a ON a.id = l.account_id
           LEFT JOIN patients p ON p.id = l.patient_id
          WHERE ($1::uuid IS NULL OR l.patient_id = $1) AND ($2::uuid IS NULL OR l.account_id = $2)
            AND ($3::timestamptz IS NULL OR l.at >= $3) AND ($4::timestamptz IS NULL OR l.at <= $4)
          ORDER BY l.at DESC, l.id DESC LIMIT $5`,
        [
          query.patient ?? null,
          query.account ?? null,
          query.from === undefined ? null : new Date(query.from).toISOString(),
          query.to === undefined ? null : new Date(query.to).toISOString(),
          query.limit ?? 200,
        ],
      );
      const entries: AccessLogEntry[] = rows.map((r) => ({
        id: Number(r.id),
        at: r.at.getTime(),
        accountId: r.account_id,
        accountEmail: r.email,
        patientId: r.patient_id,
        patientName: r.display_name,
        action: r.action,
        detail: r.detail,
        role: r.role,
        ip: r.ip,
        userAgent: r.user_agent,
      }));
      return { entries };
    },
  });
}
