import { defineErrors } from '@vigie/common';

/**
 * Errors of the GSM modem adapter. Each is listed with its cause and fix in `docs/errors.md`
 * (section "appliance (box)"). Messages never carry a phone number or an SMS text.
 */
export const modemErrors = defineErrors({
  BOX_MODEM_OPEN_FAILED: { message: 'The modem serial device could not be opened' },
  BOX_MODEM_CLOSED: { message: 'The modem is stopped or its serial line closed' },
  BOX_MODEM_TIMEOUT: { message: 'The modem did not answer in time' },
  BOX_MODEM_ERROR: { message: 'The modem answered ERROR' },
  BOX_MODEM_CME_ERROR: { message: 'The modem reported an equipment error (+CME ERROR)' },
  BOX_MODEM_CMS_ERROR: { message: 'The modem or the network refused an SMS operation (+CMS ERROR)' },
  BOX_MODEM_NO_SIM: { message: 'No SIM card in the modem' },
  BOX_MODEM_SIM_LOCKED: { message: 'The SIM card asks for a PIN or PUK code' },
  BOX_MODEM_NOT_REGISTERED: { message: 'The modem is not registered on a mobile network' },
  BOX_MODEM_BAD_NUMBER: { message: 'The recipient is not an international (E.164) phone number' },
  BOX_MODEM_TEXT_TOO_LONG: { message: 'The SMS text needs more than 255 parts' },
  BOX_MODEM_PDU_INVALID: { message: 'An SMS PDU could not be decoded' },
  BOX_MODEM_UNEXPECTED_ANSWER: { message: 'The modem answer lacks the expected information' },
  BOX_MODEM_MEMORY_FULL: { message: 'The modem message memory is full (+CMS ERROR: 322)' },
});

/** A code of the modem catalogue. */
export type ModemErrorCode = keyof typeof modemErrors.codes;
