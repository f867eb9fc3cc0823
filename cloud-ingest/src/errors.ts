import { defineErrors } from '@vigie/common';

/**
 * Error catalogue of the cloud's shared layers (database, HTTP boundary) and of the ingest.
 * Every code is listed with its cause and fix in `docs/errors.md` (`## cloud-ingest`).
 *
 * `CLOUD_*` codes belong to what ingest and portal share (database, HTTP plumbing); `INGEST_*`
 * codes to the box-facing endpoints.
 */
export const cloudErrors = defineErrors({
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
  CLOUD_BAD_REQUEST: { message: 'The request is malformed', httpStatus: 400 },
  CLOUD_NOT_FOUND: { message: 'Not found', httpStatus: 404 },
  CLOUD_BODY_TOO_LARGE: { message: 'The request body is larger than this endpoint accepts', httpStatus: 413 },
  CLOUD_UNSUPPORTED_MEDIA_TYPE: { message: 'The request body must be JSON (application/json)', httpStatus: 415 },
  CLOUD_INTERNAL: { message: 'Internal error', httpStatus: 500 },
  INGEST_UNAUTHORIZED: { message: 'Box authentication failed', httpStatus: 401 },
  INGEST_INVALID_BODY: { message: 'The message does not match its schema', httpStatus: 400 },
  INGEST_SCHEMA_VERSION: { message: 'Unsupported schema version', httpStatus: 400 },
  INGEST_BATCH_TOO_LARGE: { message: 'The batch carries more readings than one batch may', httpStatus: 413 },
  INGEST_ALERT_CONFLICT: { message: 'This alert id belongs to another box', httpStatus: 409 },
  INGEST_KAFKA_NOT_JSON: { message: 'A Kafka message value is not JSON (dead-lettered)' },
  INGEST_KAFKA_DB_REFUSED: { message: 'The database refused the rows of a Kafka message (dead-lettered)' },
  INGEST_SIGNING_KEY_CONFLICT: { message: 'This box already registered another Kafka signing key', httpStatus: 409 },
  INGEST_UNSTORABLE: { message: 'The database refused the values of this message (dead-lettered)', httpStatus: 422 },
  INGEST_TIMESTAMP_IMPLAUSIBLE: {
    message: 'A timestamp is before the box was provisioned or too far in the future',
    httpStatus: 400,
  },
  DOWNLINK_CONFIG_INVALID: { message: 'The box configuration document is invalid', httpStatus: 400 },
  DOWNLINK_CONFIG_CONFLICT: { message: 'The box configuration changed since the version the editor started from', httpStatus: 409 },
  DOWNLINK_BOX_NOT_FOUND: { message: 'No such box (or the patient has no box)', httpStatus: 404 },
  DOWNLINK_ALERT_NOT_FOUND: { message: 'No such alert', httpStatus: 404 },
  DOWNLINK_COMMAND_NOT_FOUND: { message: 'No such command for this box', httpStatus: 404 },
});

export type CloudErrorCode = keyof typeof cloudErrors.codes;
