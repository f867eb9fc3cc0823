/**
 * Picks the display adapter from configuration (style habit 1): the e-paper panel on a Pi, a PNG
 * file anywhere else. Nothing is opened before `display.start()`.
 */
import type { Logger } from '@vigie/common';
import { Epaper2in13Display } from './epaper-2in13-display.ts';
import { openOnoffPanelPins, WAVESHARE_HAT_PINS } from './onoff-panel-pins.ts';
import type { PanelLines } from './panel-lines.ts';
import { PngDisplay } from './png-display.ts';
import type { Display } from './port.ts';
import type { PanelMounting } from './ssd1680.ts';
import { openSpiDeviceBus } from './spi-device-bus.ts';

/** Which display, and how it is wired. */
export type DisplayConfig =
  | { readonly kind: 'png'; readonly path: string }
  | {
      readonly kind: 'epaper-2in13';
      /** SPI controller and chip select (default 0 and 0: `/dev/spidev0.0`, CE0). */
      readonly spi?: { readonly bus?: number; readonly device?: number; readonly speedHz?: number };
      /** BCM lines (default the Waveshare HAT's: DC 25, RST 17, BUSY 24; no PWR). */
      readonly pins?: { readonly dc: number; readonly rst: number; readonly busy: number; readonly pwr?: number };
      /** Sysfs number of BCM line 0 (default `auto`). */
      readonly chipBase?: number | 'auto';
      readonly mounting?: PanelMounting;
    };

/** Build the display; `log` is the display module's child logger. */
export function createDisplay(config: DisplayConfig, log: Logger): Display {
  if (config.kind === 'png') return new PngDisplay({ path: config.path, log });
  const connect = async (): Promise<PanelLines> => {
    const gpio = await openOnoffPanelPins({ ...(config.pins ?? WAVESHARE_HAT_PINS), chipBase: config.chipBase });
    try {
      const bus = await openSpiDeviceBus(config.spi);
      return {
        pins: gpio.pins,
        bus,
        close: async () => {
          await bus.close();
          await gpio.close();
        },
      };
    } catch (err) {
      await gpio.close();
      throw err;
    }
  };
  return new Epaper2in13Display({ connect, log, mounting: config.mounting });
}
