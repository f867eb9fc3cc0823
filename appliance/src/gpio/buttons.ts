import { EventEmitter } from 'node:events';
import { commonErrors, type Logger, type Module } from '@vigie/common';
import type { GpioPort, InputLine, Level } from './port.ts';
import { systemScheduler, type Scheduler } from './scheduler.ts';

/** A short press of the main button (released before `shortPressMaxMs`). */
export interface ButtonPress {
  /** When the button settled pressed / released (epoch ms). */
  readonly pressedAt: number;
  readonly releasedAt: number;
  readonly heldMs: number;
}

/** A button held past its threshold: reported while still held. */
export interface ButtonHold {
  readonly pressedAt: number;
  /** When the threshold was seen passed (epoch ms); the button may still be held. */
  readonly at: number;
  readonly heldMs: number;
}

/** The events of {@link BoxButtons}. */
export interface BoxButtonsEvents {
  /** Main button pressed briefly: cancels a fall alert during its cancel window. */
  press: [ButtonPress];
  /** Main button held `longPressMs`: the patient asks for help. Emitted once per hold, while held. */
  'long-press': [ButtonHold];
  /** Pairing button held `pairingHoldMs`: the technician starts bracelet pairing. Once per hold. */
  pairing: [ButtonHold];
}

/** Wiring and timings of {@link BoxButtons}; the defaults are the box's wiring. */
export interface BoxButtonsOptions {
  readonly gpio: GpioPort;
  /** The buttons module's child logger. */
  readonly log: Logger;
  readonly scheduler?: Scheduler;
  /** BCM line of the main (help / cancel) button. Default 5. */
  readonly mainLine?: number;
  /** BCM line of the pairing button. Default 6. */
  readonly pairingLine?: number;
  /** Buttons close to ground against a pull-up: pressed reads electrically low. Default true. */
  readonly activeLow?: boolean;
  /** Contact bounce shorter than this is ignored (ms). Default 30. */
  readonly debounceMs?: number;
  /** A press released before this (ms) is a short press. Default 1,000. */
  readonly shortPressMaxMs?: number;
  /** Holding the main button this long (ms) asks for help. Default 3,000. */
  readonly longPressMs?: number;
  /** Holding the pairing button this long (ms) starts pairing. Default 2,000. */
  readonly pairingHoldMs?: number;
}

const BUTTONS = ['main', 'pairing'] as const;
type Button = (typeof BUTTONS)[number];

/** The options with their defaults applied. */
type ButtonSettings = Required<Omit<BoxButtonsOptions, 'gpio' | 'log' | 'scheduler'>>;

function withDefaults(o: BoxButtonsOptions): ButtonSettings {
  return {
    mainLine: o.mainLine ?? 5,
    pairingLine: o.pairingLine ?? 6,
    activeLow: o.activeLow ?? true,
    debounceMs: o.debounceMs ?? 30,
    shortPressMaxMs: o.shortPressMaxMs ?? 1_000,
    longPressMs: o.longPressMs ?? 3_000,
    pairingHoldMs: o.pairingHoldMs ?? 2_000,
  };
}

/** Every problem of `s` at once (style habit 6); throws CONFIG_INVALID when there is one. */
function validate(s: ButtonSettings): void {
  const problems: string[] = [];
  for (const key of ['debounceMs', 'shortPressMaxMs', 'longPressMs', 'pairingHoldMs'] as const) {
    if (!Number.isFinite(s[key]) || s[key] < 0) problems.push(`${key} must be a duration in ms`);
  }
  if (s.mainLine === s.pairingLine) problems.push('mainLine and pairingLine must differ');
  if (s.shortPressMaxMs > s.longPressMs) problems.push('shortPressMaxMs must not exceed longPressMs');
  if (s.debounceMs >= s.shortPressMaxMs) problems.push('debounceMs must be shorter than shortPressMaxMs');
  if (problems.length > 0) throw commonErrors.create('CONFIG_INVALID', { message: `Invalid button settings: ${problems.join('; ')}`, details: { problems } });
}

/** One button's hold in progress. */
interface Hold {
  readonly pressedAt: number;
  thresholdPassed: boolean;
  cancelTimer: () => void;
}

/**
 * The box's two push buttons over a {@link GpioPort}: the main button (short press: cancel a fall
 * alert; long press: manual help alert) and the pairing button (held: start pairing).
 *
 * A hold is reported as soon as its threshold passes, while the button is still held: help must
 * not wait for the patient to let go. A main-button press held between `shortPressMaxMs` and
 * `longPressMs` means neither and is ignored: when in doubt, a fall alert is not cancelled. A
 * button found pressed at start (held, or stuck) is ignored until released.
 */
export class BoxButtons extends EventEmitter<BoxButtonsEvents> implements Module {
  readonly name = 'buttons';
  readonly #options: BoxButtonsOptions;
  readonly #settings: ButtonSettings;
  readonly #lines: Partial<Record<Button, InputLine>> = {};
  readonly #holds: Record<Button, Hold | undefined> = { main: undefined, pairing: undefined };
  readonly #listeners: Record<Button, (value: Level, at: number) => void> = {
    main: (value, at) => this.#onChange('main', value, at),
    pairing: (value, at) => this.#onChange('pairing', value, at),
  };

  constructor(options: BoxButtonsOptions) {
    super();
    this.#options = options;
    this.#settings = withDefaults(options);
  }

  get #scheduler(): Scheduler {
    return this.#options.scheduler ?? systemScheduler;
  }

  /** Claim both lines (once: a restart reuses them) and listen. Throws CONFIG_INVALID or BOX_GPIO_*. */
  async start(): Promise<void> {
    const s = this.#settings;
    validate(s);
    const input = { edge: 'both', activeLow: s.activeLow, debounceMs: s.debounceMs } as const;
    // Claim both before listening to either, so a failed start leaves no listener behind.
    const lines = {
      main: (this.#lines.main ??= this.#options.gpio.input(s.mainLine, input)),
      pairing: (this.#lines.pairing ??= this.#options.gpio.input(s.pairingLine, input)),
    };
    try {
      for (const button of BUTTONS) {
        const line = lines[button];
        line.on('change', this.#listeners[button]);
        if (line.read() === 1) this.#options.log.warn({ button }, 'button reads pressed at start (held or stuck): ignored until released');
      }
    } catch (err) {
      await this.stop(); // e.g. BOX_GPIO_WATCH_FAILED on the second line: leave no listener behind
      throw err;
    }
  }

  /** Stop listening and drop holds in progress (their thresholds will not fire). The port stays open. */
  async stop(): Promise<void> {
    for (const button of BUTTONS) {
      this.#lines[button]?.off('change', this.#listeners[button]);
      this.#holds[button]?.cancelTimer();
      this.#holds[button] = undefined;
    }
  }

  #onChange(button: Button, value: Level, at: number): void {
    if (value === 1) this.#pressed(button, at);
    else this.#released(button, at);
  }

  #pressed(button: Button, pressedAt: number): void {
    this.#holds[button]?.cancelTimer();
    const threshold = this.#threshold(button);
    // The change arrives debounceMs after the press settled: count the hold from the press itself.
    const delay = Math.max(0, pressedAt + threshold - this.#scheduler.now());
    const hold: Hold = { pressedAt, thresholdPassed: false, cancelTimer: () => {} };
    hold.cancelTimer = this.#scheduler.setTimer(() => this.#thresholdPassed(button, hold, this.#scheduler.now()), delay);
    this.#holds[button] = hold;
  }

  #released(button: Button, releasedAt: number): void {
    const hold = this.#holds[button];
    if (hold === undefined) {
      this.#options.log.debug({ button }, 'release without a press ignored');
      return;
    }
    hold.cancelTimer();
    this.#holds[button] = undefined;
    const heldMs = releasedAt - hold.pressedAt;
    if (hold.thresholdPassed) return;
    if (heldMs >= this.#threshold(button)) {
      // The timer was late (a stalled event loop): the hold still counts, reported now.
      this.#thresholdPassed(button, hold, releasedAt);
      return;
    }
    if (button === 'main' && heldMs < this.#settings.shortPressMaxMs) {
      this.emit('press', { pressedAt: hold.pressedAt, releasedAt, heldMs });
      return;
    }
    this.#options.log.debug({ button, heldMs }, 'press neither short nor long: ignored');
  }

  #thresholdPassed(button: Button, hold: Hold, at: number): void {
    if (hold.thresholdPassed) return;
    hold.thresholdPassed = true;
    const event = { pressedAt: hold.pressedAt, at, heldMs: at - hold.pressedAt };
    this.#options.log.info({ button, heldMs: event.heldMs }, button === 'main' ? 'help asked with the main button' : 'pairing asked');
    if (button === 'main') this.emit('long-press', event);
    else this.emit('pairing', event);
  }

  #threshold(button: Button): number {
    return button === 'main' ? this.#settings.longPressMs : this.#settings.pairingHoldMs;
  }
}
