import { defineErrors } from '@vigie/common';

/** Errors of the bracelet firmware relay (cause and fix in `docs/errors.md`). */
export const braceletFirmwareErrors = defineErrors({
  BOX_FIRMWARE_SIGNATURE_INVALID: { message: 'A bracelet firmware release does not carry a valid signature of a release key; nothing was sent to the bracelet' },
  BOX_FIRMWARE_DIGEST_MISMATCH: { message: "A bracelet firmware image does not match its release's SHA-256; nothing was sent to the bracelet" },
  BOX_FIRMWARE_TRANSFER_FAILED: { message: 'The bracelet firmware transfer did not complete (link lost too often, or the bracelet refused the image)' },
  BOX_FIRMWARE_NO_WRITE: { message: 'The BLE adapter in use cannot write to the bracelet, so it cannot relay a firmware update' },
});
