import { defineErrors } from '@vigie/common';

/**
 * Errors of the GPIO port and its adapters. Each is listed with its cause and fix in
 * `docs/errors.md` (section "appliance (box)"). `details.line` is always the BCM number;
 * `details.sysfsLine` the kernel's number when it differs.
 */
export const gpioErrors = defineErrors({
  BOX_GPIO_UNAVAILABLE: { message: 'This system has no usable GPIO (/sys/class/gpio/export is missing or not writable)' },
  BOX_GPIO_CHIP_NOT_FOUND: { message: 'No Raspberry Pi GPIO chip was found under /sys/class/gpio' },
  BOX_GPIO_LINE_INVALID: { message: 'Not a GPIO line number (BCM numbering, 0 to 53)' },
  BOX_GPIO_LINE_BUSY: { message: 'The GPIO line is already claimed' },
  BOX_GPIO_CLAIM_FAILED: { message: 'The kernel refused to export or configure a GPIO line' },
  BOX_GPIO_WATCH_FAILED: { message: 'Edge interrupts could not be enabled on a GPIO line' },
  BOX_GPIO_IO_FAILED: { message: 'A GPIO line could not be read or written' },
  BOX_GPIO_CLOSED: { message: 'The GPIO port is closed' },
});

/** A code of the GPIO catalogue. */
export type GpioErrorCode = keyof typeof gpioErrors.codes;
