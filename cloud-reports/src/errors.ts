import { defineErrors } from '@vigie/common';

/**
 * Error catalogue of the reports service and scheduler (issue 13), listed with cause and fix in
 * `docs/errors.md` (`## cloud-reports`). The refusal codes are also the `reason` of
 * `report_dead_letters` rows and of the `vigie-dlq-reason` header on the report dead-letter topic.
 */
export const reportErrors = defineErrors({
  REPORT_MALFORMED: { message: 'The report request is not JSON or does not match its schema', httpStatus: 400 },
  REPORT_SCHEMA_VERSION: { message: 'Unsupported report request schema version', httpStatus: 400 },
  REPORT_UNKNOWN_PATIENT: { message: 'No such patient, or the patient was erased', httpStatus: 404 },
  REPORT_PERIOD_INVALID: { message: 'The report period is refused (future, longer than a year, or not dates)', httpStatus: 400 },
  REPORT_KEY_CONFLICT: { message: 'This request id was already used for another patient or period', httpStatus: 409 },
  REPORT_STORE_UNAVAILABLE: { message: 'The object store or the database failed on every attempt (dead-lettered)', httpStatus: 503 },
  REPORT_S3_ENDPOINT_REQUIRED: {
    message: 'Running the reports service or the portal alone needs VIGIE_S3_ENDPOINT (an object store both processes reach); the embedded one lives in a single process. Run `vigie-cloud all`, or set VIGIE_S3_ENDPOINT and its credentials.',
  },
  REPORT_CLI_USAGE: { message: 'Wrong arguments for `npm run report`' },
});

export type ReportErrorCode = keyof typeof reportErrors.codes;
