import { BoxConfigDocument, boxConfigDocumentIssues, SCHEMA_VERSION, validate, type BoxConfig, type SchemaIssue } from '@vigie/protocol';
import type { Db, Queryable } from '../db/types.ts';
import { storeErrors } from '../errors.ts';

/** The defaults live in protocol/ (one source for cloud and box); re-exported for the portal. */
export { BOX_CONFIG_DEFAULTS } from '@vigie/protocol';

/** Input of {@link saveBoxConfig}: the box, or the patient whose current box it is. */
export type SaveBoxConfigInput = ({ boxId: string; patientId?: undefined } | { patientId: string; boxId?: undefined }) & {
  /** The whole document; validated whole, nothing saved when any field fails. */
  readonly config: unknown;
  /** Who changed it (account display name or e-mail, for the history). */
  readonly changedBy: string;
  /** Epoch ms (tests). */
  readonly now?: number;
  /**
   * The version the editor started from (0: none saved yet). When another save came in between,
   * DOWNLINK_CONFIG_CONFLICT (409) and nothing is written: an editor never overwrites, unseen, a
   * colleague's change (a contact they added would vanish).
   */
  readonly expectedVersion?: number;
};

/** One saved version of a box's configuration. */
export interface BoxConfigVersion {
  readonly boxId: string;
  readonly version: number;
  readonly patientId: string | null;
  readonly config: BoxConfigDocument;
  readonly changedBy: string;
  readonly changedAt: number;
}

/**
 * Check a configuration document whole: its schema (protocol `BoxConfigDocument`), then what a
 * schema cannot say (each phone number once). Throws
 * DOWNLINK_CONFIG_INVALID (400) naming the first failing field as a JSON pointer
 * (`/contacts/1/phone`), with every issue in `details.issues`.
 */
export function checkBoxConfigDocument(config: unknown): BoxConfigDocument {
  const result = validate(BoxConfigDocument, config);
  const issues: SchemaIssue[] = result.ok ? boxConfigDocumentIssues(result.value) : result.issues;
  if (issues.length === 0) return config as BoxConfigDocument;
  const first = issues[0]!;
  throw storeErrors.create('DOWNLINK_CONFIG_INVALID', {
    message: `${first.path}: ${first.message}`,
    details: { field: first.path, issues },
  });
}

/**
 * Save a new version of a box's configuration (the box of `patientId` when given: its current
 * assignment). The document is validated whole first; nothing is written when it fails. Saving a
 * document equal to the current version writes nothing and answers that version. Versions of one
 * box are numbered 1, 2, 3… under a row lock on the box, so two saves at once get two versions
 * (or, with `expectedVersion`, one version and one conflict).
 */
export async function saveBoxConfig(db: Db, input: SaveBoxConfigInput): Promise<SavedBoxConfig> {
  checkBoxConfigDocument(input.config);
  return db.transaction((tx) => saveBoxConfigIn(tx, input));
}

/** What {@link saveBoxConfig} did; `previousVersion`: the version in force before (null: none). */
export interface SavedBoxConfig {
  readonly version: number;
  readonly boxId: string;
  readonly changed: boolean;
  readonly previousVersion: number | null;
}

/** {@link saveBoxConfig} inside the caller's transaction (the portal writes its trail in the same one). */
export async function saveBoxConfigIn(tx: Queryable, input: SaveBoxConfigInput): Promise<SavedBoxConfig> {
  const config = checkBoxConfigDocument(input.config);
  const changedBy = input.changedBy.trim().slice(0, 200);
  if (changedBy.length === 0) {
    throw storeErrors.create('DOWNLINK_CONFIG_INVALID', { message: 'changedBy: who made the change is required', details: { field: 'changedBy' } });
  }
  const now = new Date(input.now ?? Date.now()).toISOString();
  const target = await resolveBox(tx, input);
  const current = await tx.query<{ version: number; config: BoxConfigDocument }>(
    'SELECT version, config FROM box_config_versions WHERE box_id = $1 ORDER BY version DESC LIMIT 1',
    [target.boxId],
  );
  const held = current.rows[0];
  const previousVersion = held?.version ?? null;
  if (input.expectedVersion !== undefined && input.expectedVersion !== (previousVersion ?? 0)) {
    throw storeErrors.create('DOWNLINK_CONFIG_CONFLICT', {
      message: `The configuration changed meanwhile (version ${previousVersion ?? 0}, not ${input.expectedVersion}): reload it`,
      details: { field: '/expectedVersion', currentVersion: previousVersion ?? 0 },
    });
  }
  if (held && canonicalJson(held.config) === canonicalJson(config)) return { version: held.version, boxId: target.boxId, changed: false, previousVersion };
  // Versions of an erased patient are deleted; the box may still hold one of them, so numbering
  // resumes above the highest erased one (boxes.config_version_floor, migration 0009).
  const floor = (await tx.query<{ floor: number }>('SELECT config_version_floor AS floor FROM boxes WHERE id = $1', [target.boxId])).rows[0]?.floor ?? 0;
  const version = Math.max(previousVersion ?? 0, floor) + 1;
  await tx.query(
    `INSERT INTO box_config_versions (box_id, version, patient_id, config, changed_by, changed_at)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6)`,
    [target.boxId, version, target.patientId, JSON.stringify(config), changedBy, now],
  );
  return { version, boxId: target.boxId, changed: true, previousVersion };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The box (locked for this transaction) and the patient it serves now. */
async function resolveBox(tx: Queryable, input: SaveBoxConfigInput): Promise<{ boxId: string; patientId: string | null }> {
  if (input.patientId !== undefined) {
    if (!UUID.test(input.patientId)) throw storeErrors.create('DOWNLINK_BOX_NOT_FOUND', { details: { field: 'patientId' } });
    const { rows } = await tx.query<{ box_id: string }>(
      `SELECT a.box_id FROM box_assignments a JOIN boxes b ON b.id = a.box_id
       WHERE a.patient_id = $1::uuid AND a.valid_to IS NULL AND b.revoked_at IS NULL
       ORDER BY a.valid_from DESC LIMIT 1`,
      [input.patientId],
    );
    if (!rows[0]) throw storeErrors.create('DOWNLINK_BOX_NOT_FOUND', { message: 'This patient has no box', details: { field: 'patientId' } });
    await tx.query('SELECT id FROM boxes WHERE id = $1 FOR UPDATE', [rows[0].box_id]);
    return { boxId: rows[0].box_id, patientId: input.patientId };
  }
  const { rows } = await tx.query<{ id: string; patient_id: string | null }>(
    `SELECT b.id, (SELECT patient_id FROM box_assignments WHERE box_id = b.id AND valid_to IS NULL) AS patient_id
     FROM boxes b WHERE b.id = $1 FOR UPDATE`,
    [input.boxId],
  );
  if (!rows[0]) throw storeErrors.create('DOWNLINK_BOX_NOT_FOUND', { details: { field: 'boxId' } });
  return { boxId: rows[0].id, patientId: rows[0].patient_id };
}

/** The configuration to serve `boxId`: its highest version, or null when none was ever saved. */
export async function currentBoxConfig(q: Queryable, boxId: string): Promise<BoxConfig | null> {
  const { rows } = await q.query<{ version: number; config: BoxConfigDocument; changed_at: Date }>(
    'SELECT version, config, changed_at FROM box_config_versions WHERE box_id = $1 ORDER BY version DESC LIMIT 1',
    [boxId],
  );
  const row = rows[0];
  if (!row) return null;
  return { v: SCHEMA_VERSION, boxId, version: row.version, issuedAt: row.changed_at.getTime(), config: row.config };
}

/** The versions of a box's configuration, newest first (who changed what, when). */
export async function listBoxConfigVersions(q: Queryable, boxId: string, limit = 50): Promise<BoxConfigVersion[]> {
  const { rows } = await q.query<{ version: number; patient_id: string | null; config: BoxConfigDocument; changed_by: string; changed_at: Date }>(
    `SELECT version, patient_id, config, changed_by, changed_at FROM box_config_versions
     WHERE box_id = $1 ORDER BY version DESC LIMIT $2`,
    [boxId, limit],
  );
  return rows.map((r) => ({
    boxId,
    version: r.version,
    patientId: r.patient_id,
    config: r.config,
    changedBy: r.changed_by,
    changedAt: r.changed_at.getTime(),
  }));
}

/**
 * Record what a box said when it fetched its configuration: the version it holds and whether the
 * technician changed its contacts or policy locally since (shown in the fleet view). Only boxes
 * that already sent a heartbeat have a status row; others are recorded at their first heartbeat.
 */
export async function recordConfigFetch(q: Queryable, boxId: string, held: { version: number | null; localChanges: boolean; at: number }): Promise<void> {
  await q.query(
    `UPDATE box_status SET config_fetched_at = $2, config_version = coalesce($3, config_version), config_local_changes = $4
     WHERE box_id = $1`,
    [boxId, new Date(held.at).toISOString(), held.version, held.localChanges],
  );
}

/** JSON with object keys sorted, so jsonb's key order does not make equal documents differ. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
