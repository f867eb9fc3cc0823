/**
 * The real {@link SpiBus}: Linux spidev through `spi-device`, the only file that imports that
 * native module (style habit 1), and only when the e-paper display is started.
 *
 * The panel hangs on SPI0 with chip select CE0 (`/dev/spidev0.0`, enabled by `dtparam=spi=on` in
 * the Pi's config.txt). spidev refuses a transfer longer than its buffer (module parameter
 * `bufsiz`, 4,096 bytes by default), so longer writes are cut into pieces; chip select rises
 * between pieces, which the SSD1680 accepts (it latches every byte, and DC still says "data").
 */
import type { SpiMessage } from 'spi-device';
import { displayErrors } from './errors.ts';
import type { SpiBus } from './panel-lines.ts';

/** spidev's default transfer buffer (`/sys/module/spidev/parameters/bufsiz`). */
export const SPIDEV_BUFSIZ = 4096;

/** What this bus needs of an opened `spi-device` (a fake in tests). */
export interface SpiDeviceHandle {
  transfer(message: SpiMessage, callback: (err: Error | null | undefined, message: SpiMessage) => void): unknown;
  close(callback: (err: Error | null | undefined) => void): void;
}

/** Options of {@link openSpiDeviceBus}. */
export interface SpiDeviceBusOptions {
  /** SPI controller number: 0 for `/dev/spidev0.x` (default). */
  readonly bus?: number;
  /** Chip select: 0 for CE0 (default). */
  readonly device?: number;
  /** Clock, Hz (default 4 MHz, Waveshare's setting; the SSD1680 accepts up to 20 MHz for writes). */
  readonly speedHz?: number;
  /** Largest single transfer (default {@link SPIDEV_BUFSIZ}). */
  readonly maxTransferBytes?: number;
}

/** An SPI bus over an opened spidev device. */
export class SpiDeviceBus implements SpiBus {
  readonly #device: SpiDeviceHandle;
  readonly #speedHz: number;
  readonly #maxTransferBytes: number;

  constructor(device: SpiDeviceHandle, options: { speedHz: number; maxTransferBytes?: number }) {
    this.#device = device;
    this.#speedHz = options.speedHz;
    this.#maxTransferBytes = options.maxTransferBytes ?? SPIDEV_BUFSIZ;
  }

  async transfer(bytes: Uint8Array): Promise<void> {
    for (let at = 0; at < bytes.length; at += this.#maxTransferBytes) {
      const piece = Buffer.from(bytes.subarray(at, at + this.#maxTransferBytes));
      await new Promise<void>((resolve, reject) => {
        // SPI mode 0, MSB first: set when the device was opened.
        this.#device.transfer([{ byteLength: piece.length, sendBuffer: piece, speedHz: this.#speedHz }], (err) => (err ? reject(err) : resolve()));
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#device.close(() => resolve()));
  }
}

/** Open `/dev/spidev<bus>.<device>` in SPI mode 0. Rejects with BOX_DISPLAY_OPEN_FAILED. */
export async function openSpiDeviceBus(options: SpiDeviceBusOptions = {}): Promise<SpiDeviceBus> {
  const bus = options.bus ?? 0;
  const device = options.device ?? 0;
  const speedHz = options.speedHz ?? 4_000_000;
  const path = `/dev/spidev${bus}.${device}`;
  try {
    const spi = (await import('spi-device')).default;
    const handle = await new Promise<SpiDeviceHandle>((resolve, reject) => {
      const opened = spi.open(bus, device, { mode: 0, maxSpeedHz: speedHz }, (err) => (err ? reject(err) : resolve(opened)));
    });
    return new SpiDeviceBus(handle, { speedHz, maxTransferBytes: options.maxTransferBytes });
  } catch (cause) {
    throw displayErrors.create('BOX_DISPLAY_OPEN_FAILED', {
      message: `Cannot open ${path} (is SPI enabled: dtparam=spi=on?): ${(cause as Error).message}`,
      cause,
      details: { path },
    });
  }
}
