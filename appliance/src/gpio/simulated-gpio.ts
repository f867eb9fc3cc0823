import { gpioErrors } from './errors.ts';
import { InputEvents, LineRegistry, assertBcmLine } from './lines.ts';
import type { ChangeListener, GpioPort, InputLine, InputOptions, Level, OutputLine } from './port.ts';
import { systemScheduler, type Scheduler } from './scheduler.ts';

/** Options of {@link SimulatedGpio}. */
export interface SimulatedGpioOptions {
  /** Clock and timers of the debounce; a `ManualScheduler` in tests. Default: the system's. */
  readonly scheduler?: Scheduler;
}

const invert = (level: Level): Level => (level === 1 ? 0 : 1);

/** One simulated input: its electrical level, debounced into logical changes. */
class SimulatedInput implements InputLine {
  readonly events: InputEvents;
  readonly #registry: LineRegistry;
  readonly #scheduler: Scheduler;
  readonly #activeLow: boolean;
  readonly #debounceMs: number;
  #level: Level;
  #cancelSettle: (() => void) | undefined;

  constructor(registry: LineRegistry, scheduler: Scheduler, options: InputOptions, level: Level) {
    this.#registry = registry;
    this.#scheduler = scheduler;
    this.#activeLow = options.activeLow ?? false;
    this.#debounceMs = options.debounceMs ?? 0;
    this.#level = level;
    this.events = new InputEvents(options.edge, this.#logical());
  }

  /** The electrical level that means "active" (pressed) on this line. */
  get activeLevel(): Level {
    return this.#activeLow ? 0 : 1;
  }

  get level(): Level {
    return this.#level;
  }

  read(): Level {
    this.#registry.assertOpen();
    return this.#logical();
  }

  on(_event: 'change', listener: ChangeListener): this {
    this.#registry.assertOpen();
    this.events.add(listener);
    return this;
  }

  off(_event: 'change', listener: ChangeListener): this {
    this.events.delete(listener);
    return this;
  }

  /** The outside world drives the line. Like an interrupt, only a real change counts as an edge. */
  drive(level: Level): void {
    if (level === this.#level) return;
    this.#level = level;
    if (this.#registry.closed) return; // the wire still moves; nobody listens any more
    const at = this.#scheduler.now();
    if (this.#debounceMs <= 0) {
      this.events.settle(this.#logical(), at);
      return;
    }
    // Trailing debounce, like onoff's: report once the line has held still for debounceMs,
    // stamped with the time of the last edge (when it settled).
    this.#cancelSettle?.();
    this.#cancelSettle = this.#scheduler.setTimer(() => {
      this.#cancelSettle = undefined;
      this.events.settle(this.#logical(), at);
    }, this.#debounceMs);
  }

  dispose(): void {
    this.#cancelSettle?.();
    this.#cancelSettle = undefined;
    this.events.clear();
  }

  #logical(): Level {
    return this.#activeLow ? invert(this.#level) : this.#level;
  }
}

/** One simulated output. */
class SimulatedOutput implements OutputLine {
  readonly #registry: LineRegistry;
  #level: Level;

  constructor(registry: LineRegistry, initial: Level) {
    this.#registry = registry;
    this.#level = initial;
  }

  get level(): Level {
    return this.#level;
  }

  write(value: Level): void {
    this.#registry.assertOpen();
    this.#level = value;
  }

  read(): Level {
    this.#registry.assertOpen();
    return this.#level;
  }
}

/**
 * GPIO lines in memory, for development and tests. The outside world (a test, a development
 * console) drives inputs with {@link press}, {@link release} and {@link set} and looks at outputs
 * with {@link levelOf}. Debounce runs on the injected scheduler, so tests never sleep.
 *
 * An input never driven rests at its inactive level: an active-low button rests high on its
 * pull-up, i.e. not pressed.
 */
export class SimulatedGpio implements GpioPort {
  readonly #scheduler: Scheduler;
  readonly #registry = new LineRegistry();
  readonly #inputs = new Map<number, SimulatedInput>();
  readonly #outputs = new Map<number, SimulatedOutput>();
  /** Levels set on lines not claimed yet: a claim picks them up. */
  readonly #unclaimed = new Map<number, Level>();

  constructor(options: SimulatedGpioOptions = {}) {
    this.#scheduler = options.scheduler ?? systemScheduler;
  }

  input(line: number, options: InputOptions): InputLine {
    this.#registry.claim(line, 'input');
    const resting: Level = options.activeLow ? 1 : 0;
    const input = new SimulatedInput(this.#registry, this.#scheduler, options, this.#unclaimed.get(line) ?? resting);
    this.#unclaimed.delete(line);
    this.#inputs.set(line, input);
    return input;
  }

  output(line: number, initial: Level): OutputLine {
    this.#registry.claim(line, 'output');
    const output = new SimulatedOutput(this.#registry, initial);
    this.#unclaimed.delete(line);
    this.#outputs.set(line, output);
    return output;
  }

  async close(): Promise<void> {
    if (!this.#registry.close()) return;
    for (const input of this.#inputs.values()) input.dispose();
  }

  /**
   * Drive `line` to an electrical `level`, as the wiring would (also after close: the wire does not
   * care; nothing is reported then). Not allowed on an output.
   */
  set(line: number, level: Level): void {
    assertBcmLine(line);
    if (this.#outputs.has(line)) {
      throw gpioErrors.create('BOX_GPIO_LINE_BUSY', { message: `GPIO line ${line} is an output: only the box drives it`, details: { line } });
    }
    const input = this.#inputs.get(line);
    if (input === undefined) this.#unclaimed.set(line, level);
    else input.drive(level);
  }

  /** Press the button on input `line`: drive it to its active level (low when active low). */
  press(line: number): void {
    this.set(line, this.#claimedInput(line).activeLevel);
  }

  /** Release the button on input `line`: drive it to its inactive level. */
  release(line: number): void {
    this.set(line, invert(this.#claimedInput(line).activeLevel));
  }

  /** The electrical level of `line` (an output's driven level); undefined for a line never set nor claimed. */
  levelOf(line: number): Level | undefined {
    return this.#outputs.get(line)?.level ?? this.#inputs.get(line)?.level ?? this.#unclaimed.get(line);
  }

  /** How many `change` listeners input `line` has (0 when not an input): lets tests check `stop()`. */
  listenerCount(line: number): number {
    return this.#inputs.get(line)?.events.size ?? 0;
  }

  #claimedInput(line: number): SimulatedInput {
    const input = this.#inputs.get(line);
    if (input === undefined) {
      // press/release depend on the line's activeLow, known only once it is claimed.
      throw gpioErrors.create('BOX_GPIO_LINE_INVALID', { message: `GPIO line ${line} is not claimed as an input: use set() to drive its level`, details: { line } });
    }
    return input;
  }
}
