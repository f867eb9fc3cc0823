/**
 * Support: the fleet's health (boxes, last heartbeat, silent boxes, battery, signal, buffer depth,
 * software versions — never a medical value nor a patient's name) and support tickets, opened by
 * anyone signed in (the patient's "contact support" form) and handled by support and admins.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { listBoxStatuses, listOpenFleetEvents, type Db, type Queryable } from '@vigie/cloud-store';
import { TICKET_STATUSES, TICKET_TOPICS, type AccountRole, type FleetBox, type FleetView, type SupportTicket, type TicketStatus, type TicketTopic } from '../api-types.ts';
import type { PatientAccess } from '../access/patient-access.ts';
import { defineRoute } from '../access/route-access.ts';
import { portalErrors } from '../errors.ts';
import { isUuid } from '../http/request-input.ts';
import { deviceStatus } from './device-status.ts';
import { SELFTEST_CHECKS, type SelfTestCheck } from '@vigie/protocol';

/** A stored check name the current protocol knows (an older or newer box may send others: not shown). */
const isSelfTestCheck = (c: string): c is SelfTestCheck => (SELFTEST_CHECKS as readonly string[]).includes(c);
import { accountOf } from './view-guards.ts';
import { fleetStageLatency } from '../patients/alert-timeline.ts';

const SUPPORT_ROLES = ['support', 'admin'] as const;
/** Roles that see every box of the fleet (the fleet view, the live fleet events). */
export const FLEET_ROLES: readonly AccountRole[] = SUPPORT_ROLES;
/** Boxes one fleet answer lists (problems first); the totals cover the whole fleet. */
export const FLEET_PAGE = 500;

/** The fleet at `now`: every box not revoked, the ones needing attention first, and open "no data" events. */
export async function fleetView(q: Queryable, now: number, limit = FLEET_PAGE): Promise<FleetView> {
  const { rows } = await q.query<{ id: string; assigned: boolean }>(
    `SELECT b.id, EXISTS (SELECT 1 FROM box_assignments ba WHERE ba.box_id = b.id AND ba.valid_to IS NULL) AS assigned
       FROM boxes b WHERE b.revoked_at IS NULL ORDER BY b.id`,
  );
  const statuses = new Map((await listBoxStatuses(q)).map((s) => [s.boxId, s]));
  const boxes: FleetBox[] = rows.map((r) => {
    const s = statuses.get(r.id);
    const status = deviceStatus(r.id, s, now);
    return {
      boxId: r.id,
      assigned: r.assigned,
      revoked: false,
      lastHeartbeatAt: status.lastHeartbeatAt,
      silent: !status.boxOnline,
      braceletBattery: status.braceletBattery,
      lastBraceletContactAt: status.lastBraceletContactAt,
      signal: s?.modemSignal ?? null,
      modemRegistered: s?.modemRegistered ?? null,
      bufferDepth: status.bufferDepth,
      oldestUnsentAt: s?.oldestUnsentAt ?? null,
      software: s?.software.box ?? null,
      problems: status.problems,
      selfTest: s?.selfTest ? { at: s.selfTest.at, failed: s.selfTest.failed.filter(isSelfTestCheck) } : null,
    };
  });
  const events = (await listOpenFleetEvents(q, { limit: 200 })).map((e) => ({ kind: e.kind, boxId: e.boxId, since: e.since, raisedAt: e.raisedAt }));
  const versions = new Map<string, number>();
  for (const b of boxes) if (b.software) versions.set(b.software, (versions.get(b.software) ?? 0) + 1);
  const sorted = [...boxes].sort((a, b) => b.problems.length - a.problems.length || a.boxId.localeCompare(b.boxId));
  return {
    boxes: sorted.slice(0, limit),
    events,
    totals: {
      boxes: boxes.length,
      silent: boxes.filter((b) => b.silent).length,
      lowBattery: boxes.filter((b) => b.problems.includes('bracelet_battery_low')).length,
      backlog: boxes.filter((b) => b.problems.includes('buffer_backlog')).length,
    },
    versions: [...versions].map(([version, n]) => ({ version, boxes: n })).sort((a, b) => b.boxes - a.boxes || a.version.localeCompare(b.version)),
  };
}

interface TicketRow {
  id: string;
  number: number;
  created_at: Date;
  updated_at: Date;
  topic: TicketTopic;
  message: string;
  callback: string | null;
  status: TicketStatus;
  account_id: string;
  account_name: string | null;
  account_role: AccountRole | null;
  patient_name: string | null;
  box_id: string | null;
}

const TICKET_SELECT = `SELECT t.id, t.number, t.created_at, t.updated_at, t.topic, t.message, t.callback, t.status,
       t.account_id, a.display_name AS account_name, a.role AS account_role, p.display_name AS patient_name,
       (SELECT ba.box_id FROM box_assignments ba WHERE ba.patient_id = t.patient_id AND ba.valid_to IS NULL
         ORDER BY ba.valid_from DESC LIMIT 1) AS box_id
  FROM support_tickets t
  LEFT JOIN accounts a ON a.id = t.account_id
  LEFT JOIN patients p ON p.id = t.patient_id`;

function ticketView(r: TicketRow): SupportTicket {
  return {
    id: r.id,
    number: r.number,
    createdAt: r.created_at.getTime(),
    updatedAt: r.updated_at.getTime(),
    topic: r.topic,
    message: r.message,
    callback: r.callback,
    status: r.status,
    openedBy: r.account_name && r.account_role ? { id: r.account_id, displayName: r.account_name, role: r.account_role } : null,
    patientName: r.patient_name,
    boxId: r.box_id,
  };
}

const NewTicket = Type.Object(
  {
    topic: Type.Union(TICKET_TOPICS.map((t) => Type.Literal(t))),
    message: Type.String({ minLength: 1, maxLength: 2000 }),
    callback: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
const TicketStatusSchema = Type.Union(TICKET_STATUSES.map((s) => Type.Literal(s)));
const TicketStatusBody = Type.Object({ status: TicketStatusSchema }, { additionalProperties: false });
const TicketListQuery = Type.Object({ status: Type.Optional(TicketStatusSchema) }, { additionalProperties: false });

/** Register the fleet view and the support tickets. */
export function registerSupportViews(app: FastifyInstance, deps: { db: Db; access: PatientAccess; now: () => number }): void {
  const { db, access, now } = deps;

  defineRoute(app, {
    method: 'GET',
    url: '/api/support/fleet',
    access: { kind: 'session', roles: SUPPORT_ROLES },
    handler: async () => fleetView(db, now()),
  });

  // The fleet's alert latency per stage (p50/p99 over 30 days): durations only, no patient.
  defineRoute(app, {
    method: 'GET',
    url: '/api/support/alert-latency',
    access: { kind: 'session', roles: SUPPORT_ROLES },
    handler: async () => ({ days: 30, stages: await fleetStageLatency(db, now() - 30 * 86_400_000) }),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/support/tickets',
    access: { kind: 'session' },
    body: NewTicket,
    handler: async (request, reply, { body }) => {
      const account = accountOf(request);
      const message = body.message.trim();
      if (message === '') throw portalErrors.create('PORTAL_INVALID_REQUEST', { message: '/message: must not be blank', details: { field: '/message' } });
      // A patient's (or a relative's) ticket is about their patient: support sees which box.
      const patients = account.role === 'patient' || account.role === 'relative' ? await access.visiblePatientIds(account.accountId, 'alerts') : [];
      const at = new Date(now()).toISOString();
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO support_tickets (account_id, patient_id, topic, message, callback, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
        [account.accountId, patients[0] ?? null, body.topic, message, body.callback?.trim() || null, at],
      );
      const created = await db.query<TicketRow>(`${TICKET_SELECT} WHERE t.id = $1`, [rows[0]!.id]);
      void reply.code(201);
      return { ticket: ticketView(created.rows[0]!) };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/my/tickets',
    access: { kind: 'session' },
    handler: async (request) => {
      const account = accountOf(request);
      const { rows } = await db.query<TicketRow>(`${TICKET_SELECT} WHERE t.account_id = $1 ORDER BY t.created_at DESC LIMIT 50`, [account.accountId]);
      return { tickets: rows.map(ticketView) };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/support/tickets',
    access: { kind: 'session', roles: SUPPORT_ROLES },
    query: TicketListQuery,
    handler: async (_request, _reply, { query }) => {
      const status = query.status;
      const { rows } = await db.query<TicketRow>(
        `${TICKET_SELECT} WHERE ($1::text IS NULL OR t.status = $1)
          ORDER BY (t.status = 'closed'), t.created_at DESC LIMIT 500`,
        [status ?? null],
      );
      return { tickets: rows.map(ticketView) };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/support/tickets/:ticketId/status',
    access: { kind: 'session', roles: SUPPORT_ROLES },
    body: TicketStatusBody,
    handler: async (request, _reply, { body }) => {
      const account = accountOf(request);
      const { status } = body;
      const { ticketId } = request.params as { ticketId?: string };
      if (!isUuid(ticketId)) throw portalErrors.create('PORTAL_TICKET_NOT_FOUND');
      const { rowCount } = await db.query(
        'UPDATE support_tickets SET status = $2, handled_by = $3, updated_at = $4 WHERE id = $1',
        [ticketId, status, account.accountId, new Date(now()).toISOString()],
      );
      if (rowCount === 0) throw portalErrors.create('PORTAL_TICKET_NOT_FOUND');
      const { rows } = await db.query<TicketRow>(`${TICKET_SELECT} WHERE t.id = $1`, [ticketId]);
      return { ticket: ticketView(rows[0]!) };
    },
  });
}
