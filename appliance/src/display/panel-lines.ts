/**
 * The wires between the box and the e-paper panel, as small interfaces: the driver depends on
 * these, never on a GPIO or SPI library. `onoff-panel-pins.ts` and `spi-device-bus.ts` give the
 * real ones; tests give recording fakes. A later change will take the GPIO lines from the box's
 * GPIO port (`appliance/src/gpio`), whose `OutputLine` and `InputLine` already satisfy these.
 */

/** A logical line level. */
export type PinLevel = 0 | 1;

/** A GPIO line the box drives. */
export interface OutputLine {
  write(value: PinLevel): void;
}

/** A GPIO line the box reads. */
export interface InputLine {
  read(): PinLevel;
}

/**
 * The panel's control lines (Waveshare 2.13" e-Paper HAT pinout, BCM numbers by default: DC 25,
 * RST 17, BUSY 24, PWR 18 on HAT revisions that switch the panel's supply).
 */
export interface DisplayPins {
  /** Data/Command: low while a command byte is clocked in, high for its parameters (SSD1680 4-wire SPI). */
  readonly dc: OutputLine;
  /** Reset, active low: a low pulse resets the controller and is the only way out of deep sleep. */
  readonly rst: OutputLine;
  /** High while the controller is busy (reset, refresh, and throughout deep sleep). */
  readonly busy: InputLine;
  /** The HAT's panel power switch, when it has one: driven high while the display is started. */
  readonly pwr?: OutputLine;
}

/** Bytes to the controller over SPI (MOSI only: the SSD1680 is written, never read, here). */
export interface SpiBus {
  /** Clock `bytes` out with chip select asserted; resolves when sent. */
  transfer(bytes: Uint8Array): Promise<void>;
}

/** The panel's wiring, opened: what the e-paper adapter claims at `start()` and releases at `stop()`. */
export interface PanelLines {
  readonly pins: DisplayPins;
  readonly bus: SpiBus;
  close(): Promise<void>;
}
