/**
 * The box's GPIO port (style habit 1): the few things the box needs from general-purpose I/O lines
 * (its buttons today, perhaps a status LED or a buzzer later), whatever drives them. Adapters live
 * beside it: `onoff-gpio.ts` (Linux sysfs GPIO through `onoff`, the only importer of that native
 * module) and `simulated-gpio.ts` (in memory, for development and tests). The interface is kept
 * small on purpose so that a libgpiod (character device) adapter can join later: sysfs GPIO is
 * deprecated and renumbered on recent Raspberry Pi kernels.
 *
 * Lines are named by their BCM number (the SoC's GPIO number, "GPIO5" on pinout diagrams), never by
 * header pin nor by the kernel's sysfs number: translating to the latter is the adapter's job.
 */

/** A logical line value. With `activeLow`, 1 means the line is electrically low. */
export type Level = 0 | 1;

/** Which changes of an input are reported. */
export type Edge = 'both' | 'rising' | 'falling' | 'none';

/**
 * Told of a change of an input's (debounced) logical value. `at` is when the line settled at
 * `value`, in the port's clock (epoch ms): the last raw edge, not the end of the debounce period.
 */
export type ChangeListener = (value: Level, at: number) => void;

/** How to claim an input line. */
export interface InputOptions {
  /** Which changes are reported to `change` listeners; `none` reports nothing (read-only line). */
  readonly edge: Edge;
  /** Invert the line: electrically low reads 1. For a button wired to ground with a pull-up. */
  readonly activeLow?: boolean;
  /**
   * Report a change only once the line has been stable this long (ms, default 0): contact bounce
   * of a push button lasts a few ms. `read()` is never debounced.
   */
  readonly debounceMs?: number;
}

/** A claimed input line. */
export interface InputLine {
  /** The current logical value, read now (not debounced). */
  read(): Level;
  /**
   * Report changes: only when the debounced value differs from the last one reported, and only on
   * the edges asked for. Adding the same listener twice registers it once.
   */
  on(event: 'change', listener: ChangeListener): this;
  /** Stop reporting to `listener`. Owners remove their listeners in their `stop()`. */
  off(event: 'change', listener: ChangeListener): this;
}

/** A claimed output line. */
export interface OutputLine {
  /** Drive the line. */
  write(value: Level): void;
  /** The level the line is driven at. */
  read(): Level;
}

/**
 * A set of GPIO lines. Each line is claimed once (input or output) and held until `close()`.
 * Errors are catalogued `BOX_GPIO_*` errors (`errors.ts`).
 */
export interface GpioPort {
  /** Claim `line` (BCM number) as an input. */
  input(line: number, options: InputOptions): InputLine;
  /** Claim `line` (BCM number) as an output, driven at `initial` from the start (no glitch). */
  output(line: number, initial: Level): OutputLine;
  /** Release every line; afterwards no listener is called and every use throws `BOX_GPIO_CLOSED`. */
  close(): Promise<void>;
}
