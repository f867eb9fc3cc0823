/**
 * The real GPIO adapter: Linux sysfs GPIO (`/sys/class/gpio`) through `onoff`, the only file that
 * imports that native module (style habit 1). Loaded by `createGpio()` only when configured.
 *
 * Sysfs GPIO is deprecated upstream and, since Linux 6.6, renumbered on the Pi (the SoC's lines
 * start at 512 or above): BCM line n is sysfs line `chipBase + n`, with `chipBase` read from the
 * Pi's GPIO chip (`detectChipBase`) or configured. A libgpiod adapter can replace this one behind
 * the same port.
 */
import { Gpio, type ValueCallback } from 'onoff';
import { commonErrors, type Logger } from '@vigie/common';
import { detectChipBase, SYSFS_GPIO_ROOT } from './chip-base.ts';
import { gpioErrors } from './errors.ts';
import { InputEvents, LineRegistry } from './lines.ts';
import type { ChangeListener, Edge, GpioPort, InputLine, InputOptions, Level, OutputLine } from './port.ts';

/** Options of {@link OnoffGpio.open}. */
export interface OnoffGpioOptions {
  /** Sysfs number of BCM line 0: a number, or `auto` (default) to read it from the Pi's GPIO chip. */
  readonly chipBase?: number | 'auto';
  /** The GPIO module's child logger. */
  readonly log: Logger;
  /** Epoch ms stamped on changes. Default `Date.now`. */
  readonly clock?: () => number;
}

/** What one line needs from its port. */
interface LineContext {
  readonly registry: LineRegistry;
  readonly log: Logger;
  readonly clock: () => number;
  readonly line: number;
  readonly sysfsLine: number;
}

const ioFailed = (ctx: LineContext, operation: 'read' | 'write', cause: unknown) =>
  gpioErrors.create('BOX_GPIO_IO_FAILED', {
    message: `Could not ${operation} GPIO line ${ctx.line} (sysfs ${ctx.sysfsLine}): ${(cause as Error).message}`,
    cause,
    details: { line: ctx.line, sysfsLine: ctx.sysfsLine, operation },
  });

/** An input line over an onoff `Gpio`. Interrupts are enabled only while someone listens. */
class OnoffInput implements InputLine {
  readonly #gpio: Gpio;
  readonly #ctx: LineContext;
  readonly #edge: Edge;
  readonly #debounceMs: number;
  readonly #events: InputEvents;
  #watching = false;

  constructor(gpio: Gpio, ctx: LineContext, options: InputOptions) {
    this.#gpio = gpio;
    this.#ctx = ctx;
    this.#edge = options.edge;
    this.#debounceMs = options.debounceMs ?? 0;
    this.#events = new InputEvents(options.edge, 0);
  }

  read(): Level {
    this.#ctx.registry.assertOpen();
    try {
      return this.#gpio.readSync();
    } catch (err) {
      throw ioFailed(this.#ctx, 'read', err);
    }
  }

  on(_event: 'change', listener: ChangeListener): this {
    this.#ctx.registry.assertOpen();
    this.#events.add(listener);
    // An edge-less line never interrupts: no epoll needed.
    if (this.#edge !== 'none' && !this.#watching) {
      try {
        this.#watch();
      } catch (err) {
        this.#events.delete(listener);
        throw err;
      }
    }
    return this;
  }

  off(_event: 'change', listener: ChangeListener): this {
    this.#events.delete(listener);
    if (this.#events.size === 0 && this.#watching) {
      this.#watching = false;
      try {
        this.#gpio.unwatch(this.#onInterrupt);
      } catch (err) {
        this.#ctx.log.warn({ err, line: this.#ctx.line }, 'could not disable GPIO interrupts');
      }
    }
    return this;
  }

  /** Drop listeners and interrupts before the port unexports the line. */
  dispose(): void {
    this.#events.clear();
    this.#watching = false;
  }

  #watch(): void {
    this.#events.reset(this.read());
    try {
      this.#gpio.watch(this.#onInterrupt);
    } catch (err) {
      // onoff registers the callback before epoll refuses it: take it back so unexport works.
      try {
        this.#gpio.unwatch(this.#onInterrupt);
      } catch {
        // epoll never held the descriptor: nothing more to undo.
      }
      const { line, sysfsLine } = this.#ctx;
      throw gpioErrors.create('BOX_GPIO_WATCH_FAILED', {
        message: `Could not enable edge interrupts on GPIO line ${line} (sysfs ${sysfsLine}): ${(err as Error).message}`,
        cause: err,
        details: { line, sysfsLine },
      });
    }
    this.#watching = true;
  }

  // With debounceTimeout, onoff calls back debounceMs after the last interrupt and reads the value
  // then: the line settled debounceMs ago.
  readonly #onInterrupt: ValueCallback = (err, value) => {
    if (this.#ctx.registry.closed || !this.#watching) return;
    if (err) {
      this.#ctx.log.warn({ err, line: this.#ctx.line }, 'GPIO interrupt error');
      return;
    }
    this.#events.settle(value, this.#ctx.clock() - this.#debounceMs);
  };
}

/** An output line over an onoff `Gpio`. */
class OnoffOutput implements OutputLine {
  readonly #gpio: Gpio;
  readonly #ctx: LineContext;

  constructor(gpio: Gpio, ctx: LineContext) {
    this.#gpio = gpio;
    this.#ctx = ctx;
  }

  write(value: Level): void {
    this.#ctx.registry.assertOpen();
    try {
      this.#gpio.writeSync(value);
    } catch (err) {
      throw ioFailed(this.#ctx, 'write', err);
    }
  }

  read(): Level {
    this.#ctx.registry.assertOpen();
    try {
      return this.#gpio.readSync();
    } catch (err) {
      throw ioFailed(this.#ctx, 'read', err);
    }
  }
}

/** The GPIO port over Linux sysfs, through onoff. Create it with {@link OnoffGpio.open}. */
export class OnoffGpio implements GpioPort {
  readonly #chipBase: number;
  readonly #log: Logger;
  readonly #clock: () => number;
  readonly #registry = new LineRegistry();
  readonly #gpios: { line: number; gpio: Gpio; input?: OnoffInput }[] = [];

  private constructor(chipBase: number, log: Logger, clock: () => number) {
    this.#chipBase = chipBase;
    this.#log = log;
    this.#clock = clock;
  }

  /**
   * Check that this system has sysfs GPIO and find the chip base. Throws BOX_GPIO_UNAVAILABLE (no
   * GPIO: a development machine, a kernel without sysfs GPIO, a user outside the `gpio` group) or
   * BOX_GPIO_CHIP_NOT_FOUND. Nothing is claimed until `input()` / `output()`.
   */
  static open(options: OnoffGpioOptions): OnoffGpio {
    if (!Gpio.accessible) {
      throw gpioErrors.create('BOX_GPIO_UNAVAILABLE', {
        message: `No usable GPIO: ${SYSFS_GPIO_ROOT}/export is missing or not writable (not a Raspberry Pi, sysfs GPIO disabled, or the user is not in the gpio group); use the simulated GPIO for development`,
      });
    }
    const configured = options.chipBase ?? 'auto';
    if (configured !== 'auto' && (!Number.isInteger(configured) || configured < 0)) {
      throw commonErrors.create('CONFIG_INVALID', { message: `GPIO chipBase must be a non-negative integer or "auto", not ${String(configured)}`, details: { chipBase: configured } });
    }
    const chipBase = configured === 'auto' ? detectChipBase() : configured;
    options.log.info({ chipBase }, 'sysfs GPIO ready');
    return new OnoffGpio(chipBase, options.log, options.clock ?? Date.now);
  }

  /** Sysfs number of BCM line 0. */
  get chipBase(): number {
    return this.#chipBase;
  }

  input(line: number, options: InputOptions): InputLine {
    const ctx = this.#claim(line, 'input');
    // The kernel reports both edges whatever is asked: the port reports a value only when it
    // differs from the last one, so it must see every change (InputEvents filters the edge).
    const kernelEdge = options.edge === 'none' ? 'none' : 'both';
    const gpio = this.#export(ctx, () => new Gpio(ctx.sysfsLine, 'in', kernelEdge, { activeLow: options.activeLow ?? false, debounceTimeout: options.debounceMs ?? 0 }));
    const input = new OnoffInput(gpio, ctx, options);
    this.#gpios.push({ line, gpio, input });
    return input;
  }

  output(line: number, initial: Level): OutputLine {
    const ctx = this.#claim(line, 'output');
    const gpio = this.#export(ctx, () => {
      // "high"/"low" set direction and level at once (no glitch). Written again explicitly: on a
      // line someone else exported, onoff ignores a failed direction write.
      const g = new Gpio(ctx.sysfsLine, initial === 1 ? 'high' : 'low', undefined, { activeLow: false });
      try {
        g.writeSync(initial);
      } catch (err) {
        g.unexport();
        throw err;
      }
      return g;
    });
    this.#gpios.push({ line, gpio });
    return new OnoffOutput(gpio, ctx);
  }

  async close(): Promise<void> {
    if (!this.#registry.close()) return;
    for (const { line, gpio, input } of this.#gpios.splice(0)) {
      input?.dispose();
      try {
        gpio.unexport();
      } catch (err) {
        this.#log.warn({ err, line }, 'could not release GPIO line');
      }
    }
  }

  #claim(line: number, direction: 'input' | 'output'): LineContext {
    this.#registry.claim(line, direction);
    return { registry: this.#registry, log: this.#log, clock: this.#clock, line, sysfsLine: this.#chipBase + line };
  }

  #export(ctx: LineContext, create: () => Gpio): Gpio {
    try {
      const gpio = create();
      this.#log.debug({ line: ctx.line, sysfsLine: ctx.sysfsLine, direction: this.#registry.directionOf(ctx.line) }, 'GPIO line claimed');
      return gpio;
    } catch (err) {
      this.#registry.release(ctx.line);
      throw gpioErrors.create('BOX_GPIO_CLAIM_FAILED', {
        message: `The kernel refused GPIO line ${ctx.line} (sysfs ${ctx.sysfsLine}): ${(err as Error).message}. Check chipBase and that no driver or program holds the line`,
        cause: err,
        details: { line: ctx.line, sysfsLine: ctx.sysfsLine },
      });
    }
  }
}
