import { defineErrors } from '@vigie/common';

/** Errors of the bracelet simulator and of its control client. */
export const braceletErrors = defineErrors({
  BRACELET_SIM_ALREADY_RUNNING: { message: 'Another bracelet simulator is already listening on this socket' },
  BRACELET_CONTROL_UNREACHABLE: { message: 'The bracelet simulator control socket could not be reached' },
  BRACELET_CONTROL_TIMEOUT: { message: 'The bracelet simulator did not answer in time' },
  BRACELET_CONTROL_BAD_REQUEST: { message: 'The bracelet simulator refused a control request' },
  BRACELET_CONTROL_BAD_RESPONSE: { message: 'The bracelet simulator answered something that is not a control response' },
  BRACELET_EVENT_NOT_DETECTED: { message: 'The bracelet simulator played a recording its detector did not recognise' },
});

/** A code of {@link braceletErrors}. */
export type BraceletErrorCode = keyof typeof braceletErrors.codes;
