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
  PORTAL_ROLE_NEEDS_DATABASE: { message: 'Running ingest and portal as separate processes needs DATABASE_URL' },
  PORTAL_CLI_USAGE: { message: 'Unknown command' },
});

export type PortalErrorCode = keyof typeof portalErrors.codes;
