/**
 * The panel's GPIO lines through `onoff` (Linux sysfs GPIO), the only file of this folder that
 * imports it, and only when the e-paper display is started. Interim: a later change takes these
 * lines from the box's GPIO port (`appliance/src/gpio`), which owns the sysfs numbering too.
 *
 * Lines are BCM numbers. Since Linux 6.6 the Pi's sysfs numbers no longer equal BCM numbers (its
 * GPIO chip starts at 512 or above): BCM line n is sysfs line `chipBase + n`, `chipBase` being read
 * from the chip whose label is the Pi's GPIO controller.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { displayErrors } from './errors.ts';
import type { DisplayPins, PinLevel } from './panel-lines.ts';

/** BCM lines of the Waveshare 2.13" e-Paper HAT. */
export const WAVESHARE_HAT_PINS = { dc: 25, rst: 17, busy: 24 } as const;

/** Options of {@link openOnoffPanelPins}. */
export interface OnoffPanelPinsOptions {
  readonly dc: number;
  readonly rst: number;
  readonly busy: number;
  /** The HAT's panel power line (BCM 18 on HAT revisions that have one); unset: none. */
  readonly pwr?: number;
  /** Sysfs number of BCM line 0, or `auto` (default) to read it from the Pi's GPIO chip. */
  readonly chipBase?: number | 'auto';
  /** Where sysfs GPIO lives (default `/sys/class/gpio`; a temporary directory in tests). */
  readonly sysfsRoot?: string;
}

const PI_GPIO_LABELS = ['pinctrl-bcm2835', 'pinctrl-bcm2711', 'pinctrl-rp1'];

/** The sysfs number of BCM line 0: the `base` of the chip labelled as the Pi's GPIO controller; null if none. */
export function findPiChipBase(sysfsRoot = '/sys/class/gpio'): number | null {
  let entries: string[];
  try {
    entries = readdirSync(sysfsRoot).filter((e) => /^gpiochip\d+$/.test(e));
  } catch {
    return null;
  }
  for (const entry of entries) {
    try {
      const label = readFileSync(join(sysfsRoot, entry, 'label'), 'utf8').trim();
      const base = Number(readFileSync(join(sysfsRoot, entry, 'base'), 'utf8').trim());
      if (PI_GPIO_LABELS.includes(label) && Number.isInteger(base) && base >= 0) return base;
    } catch {
      // An unreadable chip is not the Pi's.
    }
  }
  return null;
}

/** Claim the panel's lines (RST and PWR start high, DC low, BUSY input). Rejects with BOX_DISPLAY_OPEN_FAILED. */
export async function openOnoffPanelPins(options: OnoffPanelPinsOptions): Promise<{ pins: DisplayPins; close(): Promise<void> }> {
  const base = options.chipBase === undefined || options.chipBase === 'auto' ? findPiChipBase(options.sysfsRoot) : options.chipBase;
  if (base === null) {
    throw displayErrors.create('BOX_DISPLAY_OPEN_FAILED', {
      message: `No Raspberry Pi GPIO chip under ${options.sysfsRoot ?? '/sys/class/gpio'}; set the chip base explicitly`,
      details: { sysfsRoot: options.sysfsRoot ?? '/sys/class/gpio' },
    });
  }
  const claimed: { unexport(): void }[] = [];
  try {
    const { Gpio } = (await import('onoff')).default;
    const claim = (line: number, direction: 'in' | 'low' | 'high') => {
      const gpio = new Gpio(base + line, direction);
      claimed.push(gpio);
      return gpio;
    };
    const rst = claim(options.rst, 'high');
    const dc = claim(options.dc, 'low');
    const busy = claim(options.busy, 'in');
    const pwr = options.pwr === undefined ? undefined : claim(options.pwr, 'high');
    const pins: DisplayPins = {
      rst: { write: (value: PinLevel) => rst.writeSync(value) },
      dc: { write: (value: PinLevel) => dc.writeSync(value) },
      busy: { read: () => busy.readSync() },
      ...(pwr === undefined ? {} : { pwr: { write: (value: PinLevel) => pwr.writeSync(value) } }),
    };
    return { pins, close: async () => unexportAll(claimed) };
  } catch (cause) {
    unexportAll(claimed);
    throw displayErrors.create('BOX_DISPLAY_OPEN_FAILED', {
      message: `Cannot claim the panel's GPIO lines (sysfs base ${base}): ${(cause as Error).message}`,
      cause,
      details: { dc: options.dc, rst: options.rst, busy: options.busy, chipBase: base },
    });
  }
}

function unexportAll(lines: { unexport(): void }[]): void {
  for (const line of lines.splice(0)) {
    try {
      line.unexport();
    } catch {
      // Already gone: nothing to release.
    }
  }
}
