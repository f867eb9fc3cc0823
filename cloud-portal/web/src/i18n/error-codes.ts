/**
 * The portal API's error codes the web words itself (catalogue: docs/errors.md, « cloud-portal »).
 * A code missing here falls back to a sentence chosen from the HTTP status.
 */
export const KNOWN_ERROR_CODES = [
  'PORTAL_LOGIN_FAILED',
  'PORTAL_UNAUTHENTICATED',
  'PORTAL_CSRF_HEADER_MISSING',
  'PORTAL_PATIENT_NOT_FOUND',
  'PORTAL_INVALID_REQUEST',
  'PORTAL_DEMO_SIMULATOR_UNAVAILABLE',
  'PORTAL_DEMO_SCENARIO_FAILED',
  'PORTAL_CONFIRMATION_MISMATCH',
  'PORTAL_CONFLICT',
  'PORTAL_RESTORE_EXPIRED',
  'PORTAL_LINK_INVALID',
  'PORTAL_SECOND_FACTOR_REQUIRED',
  'PORTAL_SECOND_FACTOR_FAILED',
  'PORTAL_TOO_MANY_ATTEMPTS',
  'PORTAL_PASSWORD_REJECTED',
  'QUESTIONNAIRE_NOT_SET',
  'QUESTIONNAIRE_SLOT_ANSWERED',
  'QUESTIONNAIRE_INVALID_ANSWER',
  'QUESTIONNAIRE_PUSH_UNAVAILABLE',
] as const;
export type KnownErrorCode = (typeof KNOWN_ERROR_CODES)[number];

export function isKnownErrorCode(code: string | undefined): code is KnownErrorCode {
  return code !== undefined && (KNOWN_ERROR_CODES as readonly string[]).includes(code);
}
