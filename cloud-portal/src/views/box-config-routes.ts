/**
 * The doctor's page of a patient's alert thresholds and contacts: the box configuration document
 * (protocol `BoxConfigDocument`) of the patient's current box, read and saved through
 * the store's configuration downlink (`saveBoxConfig`), which the box polls and applies whole.
 *
 * Who: the patient's doctor reads and changes it; the patient's nurses read it. Relatives, the
 * patient, support and admins are refused: thresholds are medical settings and the contacts are
 * people's phone numbers (admins manage devices, not care).
 *
 * Trail: every read and every change is written to `access_log` (who, which patient, which
 * versions; never a phone number). The change's before/after is `box_config_versions` itself:
 * every version is kept whole with who saved it and when, so version N-1 → N is the change.
 * `admin_audit` is the admins' trail and is shown to admins, who must not see contacts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BOX_CONFIG_DEFAULTS, checkBoxConfigDocument, listBoxConfigVersions, listBoxStatuses, saveBoxConfigIn, storeErrors, type Db, type Queryable, type SavedBoxConfig } from '@vigie/cloud-store';
import type { BoxConfigDocument } from '@vigie/protocol';
import type { BoxConfigSaved, BoxConfigView } from '../api-types.ts';
import { recordAccess } from '../access/access-log.ts';
import { defineRoute } from '../access/route-access.ts';
import { portalErrors } from '../errors.ts';
import { accountOf, patientOf } from './view-guards.ts';

/** How many past versions the page lists. */
export const BOX_CONFIG_HISTORY = 10;

const URL = '/api/patients/:id/box-config';

/** The patient's current box (the one `saveBoxConfig` writes for): assigned now, not revoked. */
async function currentBoxOf(q: Queryable, patientId: string): Promise<string | null> {
  const { rows } = await q.query<{ box_id: string }>(
    `SELECT a.box_id FROM box_assignments a JOIN boxes b ON b.id = a.box_id
      WHERE a.patient_id = $1::uuid AND a.valid_to IS NULL AND b.revoked_at IS NULL
      ORDER BY a.valid_from DESC LIMIT 1`,
    [patientId],
  );
  return rows[0]?.box_id ?? null;
}

/** Whether the account is the patient's doctor (a live care link of relation `doctor`). */
async function isPatientsDoctor(q: Queryable, accountId: string, patientId: string): Promise<boolean> {
  const { rows } = await q.query(
    `SELECT 1 FROM care_links WHERE account_id = $1 AND patient_id = $2 AND relation = 'doctor' AND removed_at IS NULL`,
    [accountId, patientId],
  );
  return rows.length > 0;
}

/** The first document of a patient: the box file's defaults, and no contact yet (the doctor adds them). */
export function firstDraft(): BoxConfigDocument {
  return {
    contacts: [],
    alerting: { ...BOX_CONFIG_DEFAULTS.alerting },
    thresholds: { ...BOX_CONFIG_DEFAULTS.thresholds },
    cadences: { ...BOX_CONFIG_DEFAULTS.cadences },
  };
}

/** The page's data: the current version (or a first draft), what the box applied, the history. */
export async function boxConfigView(db: Db, patientId: string, canEdit: boolean): Promise<BoxConfigView> {
  const boxId = await currentBoxOf(db, patientId);
  const none = { version: null, changedBy: null, changedAt: null, appliedVersion: null, boxLastHeardAt: null, boxLocalChanges: false, history: [] };
  if (!boxId) return { patientId, boxId: null, canEdit, firstVersion: true, config: null, ...none };
  const [versions, [status]] = await Promise.all([listBoxConfigVersions(db, boxId, BOX_CONFIG_HISTORY), listBoxStatuses(db, { boxIds: [boxId] })]);
  const current = versions[0];
  const box = {
    appliedVersion: status?.configVersion ?? null,
    boxLastHeardAt: status?.receivedAt ?? null,
    boxLocalChanges: status?.configLocalChanges ?? false,
  };
  if (!current) return { patientId, boxId, canEdit, firstVersion: true, config: firstDraft(), ...none, ...box };
  return {
    patientId,
    boxId,
    canEdit,
    firstVersion: false,
    config: current.config,
    version: current.version,
    changedBy: current.changedBy,
    changedAt: current.changedAt,
    ...box,
    history: versions.map((v) => ({ version: v.version, changedBy: v.changedBy, changedAt: v.changedAt, contacts: v.config.contacts.length })),
  };
}

/** The body's `expectedVersion` (0: no version saved yet) and the document without it. */
function splitBody(body: unknown): { expectedVersion: number | undefined; document: unknown } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw portalErrors.create('PORTAL_INVALID_REQUEST', { message: 'The body must be the configuration document', details: { field: '/' } });
  }
  const { expectedVersion, ...document } = body as Record<string, unknown>;
  if (expectedVersion !== undefined && !(Number.isInteger(expectedVersion) && (expectedVersion as number) >= 0 && (expectedVersion as number) < 1e9)) {
    throw portalErrors.create('PORTAL_INVALID_REQUEST', { message: '/expectedVersion: expected a version number (0: none yet)', details: { field: '/expectedVersion' } });
  }
  return { expectedVersion: expectedVersion as number | undefined, document };
}

/** The downlink's refusal, in the portal's words (same `field`: a JSON pointer into the body). */
function translateDownlinkError(err: unknown): unknown {
  if (storeErrors.is(err, 'DOWNLINK_CONFIG_INVALID')) {
    return portalErrors.create('PORTAL_INVALID_REQUEST', { message: err.message, details: { field: err.details.field }, cause: err });
  }
  if (storeErrors.is(err, 'DOWNLINK_BOX_NOT_FOUND')) return noBox(err);
  if (storeErrors.is(err, 'DOWNLINK_CONFIG_CONFLICT')) {
    return portalErrors.create('PORTAL_CONFLICT', { message: err.message, details: { field: '/expectedVersion' }, cause: err });
  }
  return err;
}

function noBox(cause?: unknown): Error {
  return portalErrors.create('PORTAL_CONFLICT', { message: 'This patient has no box: an admin must assign one first', details: { field: 'boxId' }, cause });
}

/** Register `GET` and `PUT /api/patients/:id/box-config`. */
export function registerBoxConfigRoutes(app: FastifyInstance, deps: { db: Db; now: () => number }): void {
  const { db, now } = deps;
  const routeOf = (request: FastifyRequest) => `${request.method} ${request.routeOptions.url}`;

  defineRoute(app, {
    method: 'GET',
    url: URL,
    // The access layer admits the patient's doctor and nurses and logs the read (`patient.medical`).
    access: { kind: 'patient', data: 'medical', roles: ['doctor', 'nurse'] },
    handler: async (request): Promise<BoxConfigView> => {
      const account = accountOf(request);
      const patientId = patientOf(request);
      const canEdit = account.role === 'doctor' && (await isPatientsDoctor(db, account.accountId, patientId));
      return boxConfigView(db, patientId, canEdit);
    },
  });

  defineRoute(app, {
    method: 'PUT',
    url: URL,
    bodyLimit: 64 * 1024,
    access: { kind: 'patient', data: 'medical', roles: ['doctor', 'nurse'] },
    handler: async (request): Promise<BoxConfigSaved> => {
      const account = accountOf(request);
      const patientId = patientOf(request);
      // A nurse of this patient knows it exists: 403, not the layer's 404. Checked before the body.
      if (account.role !== 'doctor' || !(await isPatientsDoctor(db, account.accountId, patientId))) {
        await recordAccess(db, { accountId: account.accountId, action: 'patient.denied', patientIds: [patientId], detail: { route: routeOf(request) } });
        throw portalErrors.create('PORTAL_FORBIDDEN', { message: "Only the patient's doctor changes thresholds and contacts" });
      }
      const { expectedVersion, document } = splitBody(request.body);
      try {
        // Validated whole before any lock (the downlink validates again when saving).
        checkBoxConfigDocument(document);
      } catch (err) {
        throw translateDownlinkError(err);
      }
      return db.transaction(async (tx) => {
        let saved: SavedBoxConfig;
        try {
          saved = await saveBoxConfigIn(tx, { patientId, config: document, changedBy: account.displayName, now: now(), expectedVersion });
        } catch (err) {
          throw translateDownlinkError(err);
        }
        // The change's trail, in its transaction: which versions, never the phone numbers.
        await recordAccess(tx, {
          accountId: account.accountId,
          action: 'patient.medical',
          patientIds: [patientId],
          detail: { route: routeOf(request), change: 'box_config', boxId: saved.boxId, fromVersion: saved.previousVersion, toVersion: saved.version, changed: saved.changed },
        });
        return { boxId: saved.boxId, version: saved.version, changed: saved.changed, previousVersion: saved.previousVersion };
      });
    },
  });
}
