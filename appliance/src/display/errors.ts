import { defineErrors } from '@vigie/common';

/**
 * Errors of the status screen (port, adapters, rendering). Each is listed with its cause and fix in
 * `docs/errors.md` (section "appliance (box)"). A display error never stops the safety core: the
 * screen is a module of its own, and every wait on the panel is bounded.
 */
export const displayErrors = defineErrors({
  BOX_DISPLAY_NOT_STARTED: { message: 'The display is not started (show() before start() or after stop())' },
  BOX_DISPLAY_FRAME_INVALID: { message: 'A frame does not have the size of the panel' },
  BOX_DISPLAY_OPEN_FAILED: { message: 'The display hardware (SPI device or GPIO lines) could not be opened' },
  BOX_DISPLAY_WRITE_FAILED: { message: 'A frame could not be written to the display' },
  BOX_DISPLAY_BUSY_TIMEOUT: { message: 'The e-paper panel stayed busy (BUSY line high) for too long' },
  BOX_DISPLAY_FONT_MISSING: { message: 'The bundled screen font could not be loaded' },
});

/** A code of the display catalogue. */
export type DisplayErrorCode = keyof typeof displayErrors.codes;
