import { defineErrors } from '@vigie/common';

/**
 * Error catalogue of the ingest (the box-facing endpoints, the Kafka consumer). Every code is
 * listed with its cause and fix in `docs/errors.md` (`## cloud-ingest`). The database's codes are
 * the store's (`storeErrors`), the HTTP plumbing's are `httpErrors` of `@vigie/common/http`.
 */
export const cloudErrors = defineErrors({
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
  DOWNLINK_COMMAND_KEY_UNAVAILABLE: { message: 'The command signing key cannot be read; box commands go unsigned and boxes refuse them', httpStatus: 500 },
});

export type CloudErrorCode = keyof typeof cloudErrors.codes;
