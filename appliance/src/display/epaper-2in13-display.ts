/**
 * The real display adapter: a Waveshare 2.13" e-Paper V4 class panel (SSD1680 controller, 122 ×
 * 250, black and white) over SPI, with three GPIO lines (DC, RST, BUSY). Commands and RAM layout
 * are in `ssd1680.ts`; when to refresh fully or partially is in `refresh-policy.ts`.
 *
 * Every frame starts from a hardware reset and ends in deep sleep: the panel spends its life
 * asleep (no drive voltage left on the glass, as Waveshare asks), a controller upset by a glitch
 * is reset by the next frame anyway, and the driver holds no state the controller could lose: both
 * RAMs (new and previous picture) are written at every refresh. Every wait on BUSY is bounded and
 * raises BOX_DISPLAY_BUSY_TIMEOUT: a stuck panel never hangs the box.
 */
import { setTimeout as sleepMs } from 'node:timers/promises';
import type { Logger, VigieError } from '@vigie/common';
import { systemClock, type Clock } from '../clock.ts';
import { displayErrors } from './errors.ts';
import { assertValidFrame, createFrame } from './frame.ts';
import { LatestFrameQueue } from './latest-frame-queue.ts';
import type { PanelLines } from './panel-lines.ts';
import type { Display, Frame } from './port.ts';
import { chooseRefresh, DEFAULT_REFRESH_POLICY, type RefreshKind, type RefreshPolicy } from './refresh-policy.ts';
import { Border, Command, frameToRam, PANEL_GATES, RAM_ROW_BYTES, UpdateSequence, type PanelMounting } from './ssd1680.ts';

/** Options of {@link Epaper2in13Display}. */
export interface Epaper2in13Options {
  /** Open the panel's SPI bus and GPIO lines (called by `start()`, closed by `stop()`). */
  readonly connect: () => Promise<PanelLines>;
  /** The display module's child logger. */
  readonly log: Logger;
  /** Time source of the BUSY timeouts (default: the system clock). */
  readonly clock?: Clock;
  /** Wait `ms` milliseconds (default: a timer). Tests advance a fake clock instead. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Longest BUSY wait after a reset or initialisation, ms (default 2,000; takes a few ms). */
  readonly resetTimeoutMs?: number;
  /** Longest BUSY wait for a refresh, ms (default 10,000: a full refresh takes ~2 s, longer in the cold). */
  readonly refreshTimeoutMs?: number;
  /** BUSY polling period, ms (default 10, as Waveshare's ReadBusy). */
  readonly busyPollMs?: number;
  readonly refreshPolicy?: Partial<RefreshPolicy>;
  readonly mounting?: PanelMounting;
}

type Phase = 'reset' | 'sw_reset' | 'init' | 'refresh';

/** The SSD1680 e-paper {@link Display}. */
export class Epaper2in13Display implements Display {
  readonly #options: Epaper2in13Options;
  readonly #clock: Clock;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #policy: RefreshPolicy;
  readonly #timeouts: { readonly reset: number; readonly refresh: number; readonly pollMs: number };
  readonly #queue = new LatestFrameQueue((frame) => this.#draw(frame));
  #lines: PanelLines | null = null;
  /** Whether `show()` takes frames: from a successful `start()` to the beginning of `stop()`. */
  #accepting = false;
  /** The `start()` in progress, shared by concurrent callers. */
  #opening: Promise<void> | null = null;
  /** Whether the controller is known to be awake and initialised (false: asleep or unknown). */
  #awake = false;
  /** What the glass shows, with its RAM image; null when unknown (before the first frame, after an error). */
  #onGlass: { frame: Frame; ram: Uint8Array } | null = null;
  #partialsInARow = 0;

  constructor(options: Epaper2in13Options) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? ((ms) => sleepMs(ms));
    this.#policy = { ...DEFAULT_REFRESH_POLICY, ...options.refreshPolicy };
    this.#timeouts = { reset: options.resetTimeoutMs ?? 2_000, refresh: options.refreshTimeoutMs ?? 10_000, pollMs: options.busyPollMs ?? 10 };
  }

  /** Open the lines and initialise the controller. Rejects with a catalogued error, lines closed. */
  start(): Promise<void> {
    if (this.#lines !== null && this.#opening === null) return Promise.resolve();
    this.#opening ??= this.#open().finally(() => (this.#opening = null));
    return this.#opening;
  }

  async #open(): Promise<void> {
    try {
      this.#lines = await this.#options.connect();
    } catch (cause) {
      throw displayErrors.is(cause) ? cause : displayErrors.create('BOX_DISPLAY_OPEN_FAILED', { cause });
    }
    try {
      const { pwr } = this.#lines.pins;
      if (pwr !== undefined) this.#write(() => pwr.write(1));
      await this.#wake();
    } catch (err) {
      await this.#release();
      throw err;
    }
    this.#accepting = true;
  }

  /** Wait for the frame being drawn, put the controller to deep sleep, release the lines. */
  async stop(): Promise<void> {
    await this.#opening?.catch(() => {}); // a start in progress ends first (its failure is its caller's)
    if (this.#lines === null) return;
    this.#accepting = false;
    await this.#queue.idle();
    try {
      if (this.#awake) await this.#deepSleep();
      const { pwr } = this.#pins();
      if (pwr !== undefined) this.#write(() => pwr.write(0));
    } catch (err) {
      // Best effort: a panel that fails here is released all the same.
      this.#options.log.warn({ err }, 'display: could not put the panel to sleep');
    }
    await this.#release();
  }

  show(frame: Frame): Promise<void> {
    try {
      if (!this.#accepting) throw displayErrors.create('BOX_DISPLAY_NOT_STARTED');
      assertValidFrame(frame);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#queue.submit(createFrame(frame.bits));
  }

  async #release(): Promise<void> {
    const lines = this.#lines;
    this.#lines = null;
    this.#awake = false;
    this.#onGlass = null;
    this.#partialsInARow = 0;
    await lines?.close();
  }

  async #draw(frame: Frame): Promise<void> {
    const kind: RefreshKind = chooseRefresh(this.#onGlass?.frame ?? null, frame, this.#partialsInARow, this.#policy);
    if (kind === 'none') return;
    const ram = frameToRam(frame, this.#options.mounting);
    const started = this.#clock.now();
    try {
      if (!this.#awake) await this.#wake();
      if (kind === 'full') {
        await this.#writeRam(Command.writeRamBw, ram);
        // The same picture as "previous": the base the next partial refresh compares against.
        await this.#writeRam(Command.writeRamPrevious, ram);
        await this.#refresh(UpdateSequence.full);
        this.#partialsInARow = 0;
      } else {
        await this.#command(Command.borderWaveform, [Border.partial]);
        await this.#writeRam(Command.writeRamPrevious, this.#onGlass!.ram);
        await this.#writeRam(Command.writeRamBw, ram);
        await this.#refresh(UpdateSequence.partial);
        this.#partialsInARow++;
      }
      this.#onGlass = { frame, ram };
      await this.#deepSleep();
    } catch (err) {
      // The glass and the controller are now unknown: the next frame starts from a hardware reset
      // and gets a full refresh.
      this.#awake = false;
      this.#onGlass = null;
      throw err;
    }
    this.#options.log.debug({ refresh: kind, ms: this.#clock.now() - started }, 'display: frame shown');
  }

  /** Hardware reset, then the initialisation of Waveshare's `init()` (datasheet §9 operation flow). */
  async #wake(): Promise<void> {
    const { rst } = this.#pins();
    // RST: 20 ms high, 2 ms low (the reset pulse), 20 ms high before the first command.
    this.#write(() => rst.write(1));
    await this.#sleep(20);
    this.#write(() => rst.write(0));
    await this.#sleep(2);
    this.#write(() => rst.write(1));
    await this.#sleep(20);
    await this.#waitWhileBusy('reset', this.#timeouts.reset);
    await this.#command(Command.swReset);
    await this.#waitWhileBusy('sw_reset', this.#timeouts.reset);
    const lastGate = PANEL_GATES - 1;
    await this.#command(Command.driverOutputControl, [lastGate & 0xff, lastGate >> 8, 0x00]); // 250 gates; GD = SM = TB = 0
    await this.#command(Command.dataEntryMode, [0x03]); // X then Y increment, counter moves along X
    await this.#command(Command.ramXWindow, [0x00, RAM_ROW_BYTES - 1]);
    await this.#command(Command.ramYWindow, [0x00, 0x00, lastGate & 0xff, lastGate >> 8]);
    await this.#setRamCounters();
    await this.#command(Command.borderWaveform, [Border.full]);
    await this.#command(Command.displayUpdateControl1, [0x00, 0x80]); // normal RAM content; source output S8–S167
    await this.#command(Command.temperatureSensor, [0x80]); // built-in sensor
    await this.#waitWhileBusy('init', this.#timeouts.reset);
    this.#awake = true;
  }

  async #deepSleep(): Promise<void> {
    // No BUSY wait: in deep sleep BUSY stays high until the next hardware reset (datasheet §7, 0x10).
    await this.#command(Command.deepSleep, [0x01]);
    this.#awake = false;
  }

  async #refresh(sequence: number): Promise<void> {
    await this.#command(Command.displayUpdateControl2, [sequence]);
    await this.#command(Command.masterActivation);
    await this.#waitWhileBusy('refresh', this.#timeouts.refresh);
  }

  /** Write a whole RAM image from its first byte: the counters are set again before each write. */
  async #writeRam(command: number, ram: Uint8Array): Promise<void> {
    await this.#setRamCounters();
    await this.#command(command, ram);
  }

  async #setRamCounters(): Promise<void> {
    await this.#command(Command.ramXCounter, [0x00]);
    await this.#command(Command.ramYCounter, [0x00, 0x00]);
  }

  /** One command byte with DC low, then its parameters with DC high (SSD1680 4-wire SPI). */
  async #command(opcode: number, data: ArrayLike<number> = []): Promise<void> {
    const { pins, bus } = this.#linesOrThrow();
    this.#write(() => pins.dc.write(0));
    await this.#transfer(bus, Uint8Array.of(opcode));
    if (data.length === 0) return;
    this.#write(() => pins.dc.write(1));
    await this.#transfer(bus, Uint8Array.from(data));
  }

  /** Poll BUSY every `busyPollMs` until low; BOX_DISPLAY_BUSY_TIMEOUT after `timeoutMs`. */
  async #waitWhileBusy(phase: Phase, timeoutMs: number): Promise<void> {
    const { busy } = this.#pins();
    const started = this.#clock.now();
    while (this.#read(() => busy.read()) === 1) {
      const waited = this.#clock.now() - started;
      if (waited >= timeoutMs) {
        throw displayErrors.create('BOX_DISPLAY_BUSY_TIMEOUT', {
          message: `The e-paper panel stayed busy for ${waited} ms (${phase})`,
          details: { phase, timeoutMs },
        });
      }
      await this.#sleep(this.#timeouts.pollMs);
    }
  }

  #linesOrThrow(): PanelLines {
    if (this.#lines === null) throw displayErrors.create('BOX_DISPLAY_NOT_STARTED');
    return this.#lines;
  }

  #pins() {
    return this.#linesOrThrow().pins;
  }

  async #transfer(bus: PanelLines['bus'], bytes: Uint8Array): Promise<void> {
    try {
      await bus.transfer(bytes);
    } catch (cause) {
      throw asWriteFailed(cause, 'SPI transfer');
    }
  }

  #write(drive: () => void): void {
    try {
      drive();
    } catch (cause) {
      throw asWriteFailed(cause, 'GPIO write');
    }
  }

  #read(sample: () => 0 | 1): 0 | 1 {
    try {
      return sample();
    } catch (cause) {
      throw asWriteFailed(cause, 'GPIO read of BUSY');
    }
  }
}

function asWriteFailed(cause: unknown, what: string): VigieError {
  if (displayErrors.is(cause)) return cause;
  return displayErrors.create('BOX_DISPLAY_WRITE_FAILED', { message: `${what} to the e-paper panel failed`, cause, details: { operation: what } });
}
