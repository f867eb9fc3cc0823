import { defineErrors } from '@vigie/common';

/**
 * Error catalogue of the portal API and of the `vigie-cloud` process. Every code is listed with
 * its cause and fix in `docs/errors.md` (`## cloud-portal`). The web front end turns codes into
 * French or English sentences; messages here are for engineers.
 */
export const portalErrors = defineErrors({
  PORTAL_LOGIN_FAILED: { message: 'Wrong email or password', httpStatus: 401 },
  PORTAL_UNAUTHENTICATED: { message: 'Not logged in, or the session expired', httpStatus: 401 },
  PORTAL_CSRF_HEADER_MISSING: { message: 'This request must carry the header x-vigie-csrf: 1', httpStatus: 403 },
  PORTAL_PATIENT_NOT_FOUND: { message: 'No such patient among yours', httpStatus: 404 },
  PORTAL_INVALID_REQUEST: { message: 'The request is invalid', httpStatus: 400 },
  PORTAL_DEMO_SIMULATOR_UNAVAILABLE: { message: 'The bracelet simulator is not running', httpStatus: 503 },
  PORTAL_DEMO_SCENARIO_FAILED: { message: 'The bracelet simulator refused the scenario', httpStatus: 502 },
  PORTAL_ALERT_NOT_FOUND: { message: 'No such alert among your patients', httpStatus: 404 },
  PORTAL_TICKET_NOT_FOUND: { message: 'No such support ticket', httpStatus: 404 },
  PORTAL_ROUTE_WITHOUT_ACCESS: { message: 'A route was registered without an access rule', httpStatus: 500 },
  PORTAL_FORBIDDEN: { message: 'Your role may not do this', httpStatus: 403 },
  PORTAL_NOT_FOUND: { message: 'No such item', httpStatus: 404 },
  PORTAL_SECOND_FACTOR_REQUIRED: { message: 'Staff accounts must enrol a second factor (TOTP) first', httpStatus: 403 },
  PORTAL_SECOND_FACTOR_FAILED: { message: 'Wrong or expired second-factor code', httpStatus: 401 },
  PORTAL_TOO_MANY_ATTEMPTS: { message: 'Too many attempts; wait and try again', httpStatus: 429 },
  PORTAL_PASSWORD_REJECTED: {
    message: 'This password is refused: at least 12 characters, not a common or breached password, not your e-mail or name',
    httpStatus: 400,
  },
  PORTAL_LINK_INVALID: { message: 'This link is invalid, already used or expired', httpStatus: 400 },
  PORTAL_CONFIRMATION_MISMATCH: { message: 'The confirmation does not match', httpStatus: 400 },
  PORTAL_CONFLICT: { message: 'This conflicts with the current state', httpStatus: 409 },
  PORTAL_RESTORE_EXPIRED: { message: 'Deleted more than 30 days ago: no longer restorable', httpStatus: 409 },
  PORTAL_PATIENT_ERASED: { message: 'This patient was erased: nothing is left to restore', httpStatus: 410 },
  PORTAL_UPLOAD_REJECTED: { message: 'The uploaded file is not an accepted type', httpStatus: 415 },
  PORTAL_UPLOAD_TOO_LARGE: { message: 'The uploaded file is too large', httpStatus: 413 },
  QUESTIONNAIRE_NOT_SET: { message: 'The doctor has not set a questionnaire for this patient', httpStatus: 404 },
  QUESTIONNAIRE_SLOT_ANSWERED: { message: 'This questionnaire was already answered for that day', httpStatus: 409 },
  QUESTIONNAIRE_INVALID_ANSWER: { message: 'The answer does not fit the questionnaire', httpStatus: 422 },
  QUESTIONNAIRE_PUSH_UNAVAILABLE: { message: 'Web Push is not configured on this server', httpStatus: 503 },
  PORTAL_ROLE_NEEDS_DATABASE: { message: 'Running ingest and portal as separate processes needs DATABASE_URL' },
  PORTAL_CLI_USAGE: { message: 'Unknown command' },
  PORTAL_ANONYMISE_UNKNOWN_TABLE: { message: 'The source database has a table with no anonymisation policy' },
  PORTAL_ANONYMISE_TARGET_NOT_EMPTY: { message: 'The target of the anonymised copy is not empty' },
  PORTAL_METRICS_FORBIDDEN: { message: 'Metrics need the bearer token of VIGIE_METRICS_TOKEN, or a loopback client when it is unset', httpStatus: 403 },
  PORTAL_REPORT_NOT_FOUND: { message: 'No such report among those you may read', httpStatus: 404 },
  PORTAL_REPORTS_UNAVAILABLE: { message: 'The report store is not configured in this process', httpStatus: 503 },
});

export type PortalErrorCode = keyof typeof portalErrors.codes;
