import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gpioErrors } from './errors.ts';

/** Where Linux publishes sysfs GPIO (fixed: onoff hard-codes it too). */
export const SYSFS_GPIO_ROOT = '/sys/class/gpio';

/**
 * Labels of the GPIO controller that drives the header on each Raspberry Pi generation: BCM2835
 * family (Pi 1–3, Zero), BCM2711 (Pi 4, 400, CM4), RP1 (Pi 5).
 */
export const RASPBERRY_PI_GPIO_LABELS = ['pinctrl-bcm2835', 'pinctrl-bcm2711', 'pinctrl-rp1'] as const;

/** One `gpiochipN` directory of sysfs. */
export interface SysfsGpioChip {
  readonly label: string;
  /** The sysfs number of the chip's line 0. */
  readonly base: number;
  readonly ngpio: number;
}

/** Every GPIO chip listed under `root`; chips whose files cannot be read are left out. */
export function listGpioChips(root = SYSFS_GPIO_ROOT): SysfsGpioChip[] {
  let entries: string[];
  try {
    entries = readdirSync(root).filter((e) => /^gpiochip\d+$/.test(e));
  } catch {
    return [];
  }
  const chips: SysfsGpioChip[] = [];
  for (const entry of entries) {
    try {
      const read = (file: string) => readFileSync(join(root, entry, file), 'utf8').trim();
      chips.push({ label: read('label'), base: Number(read('base')), ngpio: Number(read('ngpio')) });
    } catch {
      // A chip that vanished or is unreadable is not the one we want: the caller reports none found.
    }
  }
  return chips.sort((a, b) => a.base - b.base);
}

/**
 * The sysfs number of BCM line 0 on this Pi. Older kernels number the SoC's chip from 0; since
 * Linux 6.6 (Raspberry Pi OS Bookworm updates) sysfs numbers start at 512 and more, different per
 * model, so the number is read from the chip whose label is the Pi's GPIO controller.
 * Throws BOX_GPIO_CHIP_NOT_FOUND (with the labels seen) when there is none.
 */
export function detectChipBase(root = SYSFS_GPIO_ROOT): number {
  const chips = listGpioChips(root);
  const labels: readonly string[] = RASPBERRY_PI_GPIO_LABELS;
  const chip = chips.find((c) => labels.includes(c.label) && Number.isInteger(c.base) && c.base >= 0);
  if (chip === undefined) {
    throw gpioErrors.create('BOX_GPIO_CHIP_NOT_FOUND', {
      message: `No Raspberry Pi GPIO chip under ${root} (labels found: ${chips.map((c) => c.label).join(', ') || 'none'}); set chipBase explicitly`,
      details: { labels: chips.map((c) => c.label) },
    });
  }
  return chip.base;
}
