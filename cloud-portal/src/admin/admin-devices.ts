import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { sha256Hex, type Queryable } from '@vigie/cloud-store';
import { defineRoute } from '../access/route-access.ts';
import { portalErrors } from '../errors.ts';
import type { AdminDeps } from './admin-deps.ts';
import { audit, checkConfirmation, checkRestorable, ConfirmBody, Uuid } from './audit.ts';

/** Devices in the registry: boxes (table `boxes`) and bracelets, by serial. */
export type DeviceKind = 'box' | 'bracelet';

/** One assignment period of a device to a patient, [from, to). */
export interface DeviceAssignment {
  readonly id: number;
  readonly patientId: string;
  readonly patientName: string;
  readonly from: number;
  readonly to: number | null;
}

/** A device and its current assignment. */
export interface AdminDevice {
  readonly kind: DeviceKind;
  readonly serial: string;
  readonly createdAt: number;
  readonly current: DeviceAssignment | null;
}

const SERIAL = '^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$';
const NewDeviceBody = Type.Object(
  { kind: Type.Union([Type.Literal('box'), Type.Literal('bracelet')]), serial: Type.String({ pattern: SERIAL }) },
  { additionalProperties: false },
);
const AssignBody = Type.Object({ patientId: Uuid }, { additionalProperties: false });

/** Table names per kind: fixed strings, never from the request. */
const TABLES = {
  box: { devices: 'boxes', assignments: 'box_assignments', column: 'box_id' },
  bracelet: { devices: 'bracelets', assignments: 'bracelet_assignments', column: 'bracelet_id' },
} as const;

function params(raw: unknown): { kind: DeviceKind; serial: string } {
  const { kind, serial } = raw as { kind?: string; serial?: string };
  if ((kind !== 'box' && kind !== 'bracelet') || typeof serial !== 'string' || !new RegExp(SERIAL).test(serial)) {
    throw portalErrors.create('PORTAL_NOT_FOUND');
  }
  return { kind, serial };
}

async function history(q: Queryable, kind: DeviceKind, serial: string): Promise<DeviceAssignment[]> {
  const t = TABLES[kind];
  const { rows } = await q.query<{ id: number; patient_id: string; display_name: string; valid_from: Date; valid_to: Date | null }>(
    `SELECT a.id, a.patient_id, p.display_name, a.valid_from, a.valid_to FROM ${t.assignments} a JOIN patients p ON p.id = a.patient_id
      WHERE a.${t.column} = $1 ORDER BY a.valid_from DESC, a.id DESC`,
    [serial],
  );
  return rows.map((r) => ({ id: Number(r.id), patientId: r.patient_id, patientName: r.display_name, from: r.valid_from.getTime(), to: r.valid_to?.getTime() ?? null }));
}

async function loadDevice(q: Queryable, kind: DeviceKind, serial: string): Promise<AdminDevice> {
  const { rows } = await q.query<{ created_at: Date }>(`SELECT created_at FROM ${TABLES[kind].devices} WHERE id = $1 AND deleted_at IS NULL`, [serial]);
  if (!rows[0]) throw portalErrors.create('PORTAL_NOT_FOUND');
  const current = (await history(q, kind, serial)).find((a) => a.to === null) ?? null;
  return { kind, serial, createdAt: rows[0].created_at.getTime(), current };
}

/**
 * The device registry: register boxes (a token is generated and shown once, for the technician's
 * `vigie-box provision`) and bracelets; assign to a patient (the previous assignment is closed:
 * history kept); unassign (confirmed by the serial) and restore the assignment just closed.
 */
export function registerAdminDeviceRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { db, now } = deps;
  const at = () => new Date(now()).toISOString();

  defineRoute(app, {
    method: 'GET', url: '/admin/api/devices', access: { kind: 'admin' },
    handler: async () => {
      const devices: AdminDevice[] = [];
      for (const kind of ['box', 'bracelet'] as const) {
        const { rows } = await db.query<{ id: string }>(`SELECT id FROM ${TABLES[kind].devices} WHERE deleted_at IS NULL ORDER BY id LIMIT 1000`);
        for (const r of rows) devices.push(await loadDevice(db, kind, r.id));
      }
      return { devices };
    },
  });

  defineRoute(app, {
    method: 'POST', url: '/admin/api/devices', access: { kind: 'admin' }, body: NewDeviceBody,
    handler: async (request, reply, { body }) => {
      // Answered after the commit: a client that got 201 finds the device.
      const created = await db.transaction(async (tx) => {
        const exists = await tx.query(`SELECT 1 FROM ${TABLES[body.kind].devices} WHERE id = $1`, [body.serial]);
        if (exists.rows.length > 0) throw portalErrors.create('PORTAL_CONFLICT', { message: 'This serial is registered', details: { field: '/serial' } });
        let token: string | undefined;
        if (body.kind === 'box') {
          token = randomBytes(32).toString('base64url');
          // Provisioned now, on the portal's clock like created_at (the column's default is the
          // database's clock). The box cannot send anything before the technician writes this
          // token on it (`vigie-box provision`), so no reading of this installation is older.
          // An earlier first assignment still counts (boxProvisionedAt takes the least).
          await tx.query('INSERT INTO boxes (id, token_hash, created_at, provisioned_at) VALUES ($1, $2, $3, $3)', [body.serial, sha256Hex(token), at()]);
        } else {
          await tx.query('INSERT INTO bracelets (id, created_at) VALUES ($1, $2)', [body.serial, at()]);
        }
        const device = await loadDevice(tx, body.kind, body.serial);
        await audit(tx, { actorId: request.account!.accountId, action: 'device.register', entity: body.kind, entityId: body.serial, before: null, after: device, at: now() });
        return { device, token };
      });
      // The box's token is shown this once; only its hash is kept.
      return reply.code(201).send({ device: created.device, ...(created.token ? { token: created.token } : {}) });
    },
  });

  defineRoute(app, {
    method: 'GET', url: '/admin/api/devices/:kind/:serial', access: { kind: 'admin' },
    handler: async (request) => {
      const { kind, serial } = params(request.params);
      return { device: await loadDevice(db, kind, serial), history: await history(db, kind, serial) };
    },
  });

  defineRoute(app, {
    method: 'POST', url: '/admin/api/devices/:kind/:serial/assign', access: { kind: 'admin' }, body: AssignBody,
    handler: async (request, _reply, { body }) => {
      const { kind, serial } = params(request.params);
      const t = TABLES[kind];
      return db.transaction(async (tx) => {
        const before = await loadDevice(tx, kind, serial);
        const patient = await tx.query('SELECT 1 FROM patients WHERE id = $1 AND deleted_at IS NULL', [body.patientId]);
        if (patient.rows.length === 0) throw portalErrors.create('PORTAL_NOT_FOUND', { details: { field: '/patientId' } });
        if (before.current?.patientId === body.patientId) throw portalErrors.create('PORTAL_CONFLICT', { message: 'Already assigned to this patient' });
        await tx.query(`UPDATE ${t.assignments} SET valid_to = $2 WHERE ${t.column} = $1 AND valid_to IS NULL`, [serial, at()]);
        await tx.query(`INSERT INTO ${t.assignments} (${t.column}, patient_id, valid_from) VALUES ($1, $2, $3)`, [serial, body.patientId, at()]);
        const after = await loadDevice(tx, kind, serial);
        await audit(tx, { actorId: request.account!.accountId, action: 'device.assign', entity: kind, entityId: serial, before, after, at: now() });
        return { device: after };
      });
    },
  });

  defineRoute(app, {
    method: 'POST', url: '/admin/api/devices/:kind/:serial/unassign', access: { kind: 'admin' }, body: ConfirmBody,
    handler: async (request, _reply, { body }) => {
      const { kind, serial } = params(request.params);
      const t = TABLES[kind];
      return db.transaction(async (tx) => {
        const before = await loadDevice(tx, kind, serial);
        checkConfirmation(body.confirm, serial);
        if (!before.current) throw portalErrors.create('PORTAL_CONFLICT', { message: 'Not assigned' });
        await tx.query(`UPDATE ${t.assignments} SET valid_to = $2 WHERE id = $1`, [before.current.id, at()]);
        const after = await loadDevice(tx, kind, serial);
        await audit(tx, { actorId: request.account!.accountId, action: 'device.unassign', entity: kind, entityId: serial, before, after, at: now() });
        return { device: after };
      });
    },
  });

  defineRoute(app, {
    method: 'POST', url: '/admin/api/devices/:kind/:serial/restore', access: { kind: 'admin' },
    handler: async (request) => {
      const { kind, serial } = params(request.params);
      const t = TABLES[kind];
      return db.transaction(async (tx) => {
        const before = await loadDevice(tx, kind, serial);
        if (before.current) throw portalErrors.create('PORTAL_CONFLICT', { message: 'The device is assigned' });
        const last = (await history(tx, kind, serial))[0];
        if (!last) throw portalErrors.create('PORTAL_CONFLICT', { message: 'Never assigned' });
        checkRestorable(new Date(last.to!), now());
        // Reopen the period the unassignment closed: the device serves its patient again.
        await tx.query(`UPDATE ${t.assignments} SET valid_to = NULL WHERE id = $1`, [last.id]);
        const after = await loadDevice(tx, kind, serial);
        await audit(tx, { actorId: request.account!.accountId, action: 'device.restore', entity: kind, entityId: serial, before, after, at: now() });
        return { device: after };
      });
    },
  });
}
