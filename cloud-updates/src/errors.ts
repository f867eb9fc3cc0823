import { defineErrors } from '@vigie/common';

/**
 * Error catalogue of the update service (releases, campaigns, box downloads). Every code is listed
 * with its cause and fix in `docs/errors.md` (`## cloud-updates`).
 */
export const updateErrors = defineErrors({
  UPDATES_UNAUTHORIZED: { message: 'Box authentication failed', httpStatus: 401 },
  UPDATES_INVALID_REQUEST: { message: 'The request is invalid', httpStatus: 400 },
  UPDATES_MANIFEST_INVALID: { message: 'The signed release manifest does not match its schema', httpStatus: 400 },
  UPDATES_SIGNATURE_INVALID: { message: 'The release manifest is not signed by a trusted release key', httpStatus: 422 },
  UPDATES_NO_KEYRING: { message: 'No release keyring is configured: releases cannot be verified', httpStatus: 503 },
  UPDATES_ARTEFACT_MISMATCH: { message: 'The uploaded artefact does not match the manifest (size or sha256)', httpStatus: 422 },
  UPDATES_TOO_LARGE: { message: 'The uploaded artefact is larger than the manifest or the service allows', httpStatus: 413 },
  UPDATES_RELEASE_EXISTS: { message: 'A release of this kind and version exists', httpStatus: 409 },
  UPDATES_NOT_FOUND: { message: 'No such release or campaign', httpStatus: 404 },
  UPDATES_NO_TARGET: { message: 'The campaign targets no box', httpStatus: 422 },
  UPDATES_RETIRED_BOXES: { message: 'The campaign names retired or unknown boxes', httpStatus: 422 },
  UPDATES_CAMPAIGN_OVERLAP: { message: 'Boxes of this campaign are already in another active campaign', httpStatus: 409 },
  UPDATES_CAMPAIGN_STATE: { message: 'The campaign is not in a state that allows this action', httpStatus: 409 },
  UPDATES_RANGE_NOT_SATISFIABLE: { message: 'The requested byte range is outside the artefact', httpStatus: 416 },
});

export type UpdateErrorCode = keyof typeof updateErrors.codes;
