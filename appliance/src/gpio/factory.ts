/**
 * Picks the GPIO adapter from configuration (style habit 1). There is no silent fallback: a box
 * configured for real GPIO that has none fails loudly (BOX_GPIO_UNAVAILABLE) rather than running
 * with buttons nobody can press.
 */
import type { Logger } from '@vigie/common';
import type { GpioPort } from './port.ts';
import type { Scheduler } from './scheduler.ts';
import { SimulatedGpio } from './simulated-gpio.ts';

/** Options of {@link createGpio}. */
export interface CreateGpioOptions {
  /** `onoff`: Linux sysfs GPIO (a Raspberry Pi); `simulated`: in memory (development, tests). */
  readonly adapter: 'onoff' | 'simulated';
  /** Sysfs number of BCM line 0, for `onoff` (default `auto`: read from the Pi's GPIO chip). */
  readonly chipBase?: number | 'auto';
  /** The GPIO module's child logger. */
  readonly log: Logger;
  /** Clock and timers (the simulated adapter's debounce; the onoff adapter's time stamps). */
  readonly scheduler?: Scheduler;
}

/**
 * Build the GPIO port. The onoff adapter (and with it the native modules) is loaded only when
 * chosen. With `simulated`, the adapter is also returned as `simulated` for the caller to drive.
 */
export async function createGpio(options: CreateGpioOptions): Promise<{ gpio: GpioPort; simulated?: SimulatedGpio }> {
  if (options.adapter === 'simulated') {
    const simulated = new SimulatedGpio({ scheduler: options.scheduler });
    options.log.info('using the simulated GPIO');
    return { gpio: simulated, simulated };
  }
  const { OnoffGpio } = await import('./onoff-gpio.ts');
  const scheduler = options.scheduler;
  const gpio = OnoffGpio.open({ chipBase: options.chipBase, log: options.log, clock: scheduler ? () => scheduler.now() : undefined });
  return { gpio };
}
