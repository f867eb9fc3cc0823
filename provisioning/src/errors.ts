import { defineErrors } from '@vigie/common';

/** Errors of the technician's commands. */
export const provisioningErrors = defineErrors({
  PROVISION_NOT_PROVISIONED: { message: 'This box is not provisioned yet (no box file)' },
  PROVISION_FILE_INVALID: { message: 'The box file is invalid' },
  PROVISION_INPUT_INVALID: { message: 'Invalid command input' },
  PROVISION_FILE_LOCKED: { message: 'Another process kept the box file locked too long' },
  PROVISION_BUS_CREDENTIAL_MISSING: { message: "A local bus credential is missing or malformed (the safety core creates them at start; run it or 'vigie-box provision' first)" },
});
