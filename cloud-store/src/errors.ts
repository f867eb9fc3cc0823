import { defineErrors } from '@vigie/common';

/**
 * Error catalogue of the cloud's store: the database (adapters, lock, migrations) and the queries
 * several services share (box configuration versions, box commands). Every code is listed with its
 * cause and fix in `docs/errors.md` (`## cloud-store`). The codes kept the names they had when they
 * lived in cloud-ingest: codes never change.
 */
export const storeErrors = defineErrors({
  CLOUD_DB_LOCKED: {
    message: 'The embedded database directory is already open in another live process',
  },
  CLOUD_DB_MIGRATION_CHANGED: {
    message: 'A migration file changed after it was applied to this database',
  },
  CLOUD_DB_MIGRATION_UNKNOWN: {
    message: 'The database records a migration that this version of the software does not have',
  },
  CLOUD_DB_MIGRATION_FAILED: {
    message: 'A migration failed; it was rolled back',
  },
  CLOUD_DB_SCHEMA_BEHIND: {
    message: 'The database lacks migrations of this version and the migration job did not apply them in time',
  },
  DOWNLINK_CONFIG_INVALID: { message: 'The box configuration document is invalid', httpStatus: 400 },
  DOWNLINK_CONFIG_CONFLICT: { message: 'The box configuration changed since the version the editor started from', httpStatus: 409 },
  DOWNLINK_BOX_NOT_FOUND: { message: 'No such box (or the patient has no box)', httpStatus: 404 },
  DOWNLINK_ALERT_NOT_FOUND: { message: 'No such alert', httpStatus: 404 },
  DOWNLINK_COMMAND_NOT_FOUND: { message: 'No such command for this box', httpStatus: 404 },
});

export type StoreErrorCode = keyof typeof storeErrors.codes;
