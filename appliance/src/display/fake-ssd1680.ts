/**
 * A stand-in for the e-paper panel, for tests only: recording fakes of the SPI bus and the GPIO
 * lines, a virtual clock, and a small model of the SSD1680 that interprets what it receives
 * (commands, RAM windows and counters, both RAMs, refresh modes, deep sleep, BUSY). It is written
 * from the datasheet independently of the driver, so that the driver's output is checked, not
 * echoed: a partial refresh with a wrong "previous" RAM leaves ghosts on the modelled glass, a
 * command sent in deep sleep is lost, as on the real chip.
 */
import type { Clock } from '../clock.ts';
import { createFrame, setInk } from './frame.ts';
import type { PanelLines, PinLevel } from './panel-lines.ts';
import type { Frame } from './port.ts';

/** One thing the driver did to the panel. */
export type PanelEvent =
  | { readonly t: 'pin'; readonly name: 'RST' | 'DC' | 'PWR'; readonly value: PinLevel }
  | { readonly t: 'busy'; readonly value: PinLevel }
  | { readonly t: 'sleep'; readonly ms: number }
  | { readonly t: 'spi'; readonly dc: PinLevel; readonly bytes: Uint8Array };

const GATES = 250;
const ROW_BYTES = 16;
/** What the glass shows before any refresh: stripes, so that a frame never drawn is visible. */
const UNREFRESHED = 0xaa;

/** The fake panel. `lines()` gives the driver its `connect()` result. */
export class FakeSsd1680 {
  readonly events: PanelEvent[] = [];
  /** BUSY reads that return 1 at each busy period before it reads 0. */
  busyReads = 2;
  /** BUSY stuck high (a dead or disconnected-at-BUSY panel). */
  stuck = false;
  /** Make the next SPI transfer fail (an spidev error). */
  failNextTransfer = false;
  /** Commands the real chip would have ignored, received in deep sleep or in reset. */
  lostCommands = 0;
  opened = 0;
  closed = 0;
  /** Virtual time, ms. */
  time = 0;

  readonly ramBw = new Uint8Array(GATES * ROW_BYTES);
  readonly ramPrevious = new Uint8Array(GATES * ROW_BYTES);
  /** What the glass shows, in RAM layout (0 = black). */
  readonly glass = new Uint8Array(GATES * ROW_BYTES).fill(UNREFRESHED);
  refreshes: ('full' | 'partial')[] = [];

  #dc: PinLevel = 0;
  #rst: PinLevel = 1;
  #asleep = false;
  #busyLeft = 0;
  #command = -1;
  #params: number[] = [];
  #regs = defaults();

  readonly clock: Clock = { now: () => this.time };
  readonly sleep = async (ms: number): Promise<void> => {
    this.events.push({ t: 'sleep', ms });
    this.time += ms;
  };

  /** A `connect()` for the driver. */
  readonly connect = async (): Promise<PanelLines> => {
    this.opened++;
    return {
      pins: {
        dc: { write: (v) => this.#pin('DC', v) },
        rst: { write: (v) => this.#pin('RST', v) },
        busy: { read: () => this.#readBusy() },
      },
      bus: { transfer: async (bytes) => this.#transfer(bytes) },
      close: async () => void this.closed++,
    };
  };

  /** The glass as a frame, mapping back by the datasheet (gate g, source s → x = 249 − g, y = s). */
  glassFrame(): Frame {
    const frame = createFrame();
    for (let gate = 0; gate < GATES; gate++) {
      for (let source = 0; source < 122; source++) {
        const black = (this.glass[gate * ROW_BYTES + (source >> 3)]! & (0x80 >> (source & 7))) === 0;
        setInk(frame, GATES - 1 - gate, source, black);
      }
    }
    return frame;
  }

  #pin(name: 'RST' | 'DC' | 'PWR', value: PinLevel): void {
    this.events.push({ t: 'pin', name, value });
    if (name === 'DC') this.#dc = value;
    if (name !== 'RST') return;
    if (this.#rst === 0 && value === 1) {
      // Hardware reset: out of deep sleep, registers to their defaults, RAM kept; busy while booting.
      this.#asleep = false;
      this.#regs = defaults();
      this.#busyLeft = this.busyReads;
    }
    this.#rst = value;
  }

  #readBusy(): PinLevel {
    let value: PinLevel = 0;
    if (this.stuck || this.#asleep || this.#rst === 0) value = 1;
    else if (this.#busyLeft > 0) {
      this.#busyLeft--;
      value = 1;
    }
    this.events.push({ t: 'busy', value });
    return value;
  }

  async #transfer(bytes: Uint8Array): Promise<void> {
    if (this.failNextTransfer) {
      this.failNextTransfer = false;
      throw new Error('EIO: spidev transfer failed');
    }
    this.events.push({ t: 'spi', dc: this.#dc, bytes: Uint8Array.from(bytes) });
    for (const byte of bytes) {
      if (this.#asleep || this.#rst === 0 || (this.#busyLeft > 0 && this.#dc === 0)) {
        this.lostCommands++;
        continue;
      }
      if (this.#dc === 0) this.#startCommand(byte);
      else this.#data(byte);
    }
  }

  #startCommand(opcode: number): void {
    this.#command = opcode;
    this.#params = [];
    switch (opcode) {
      case 0x12: // SW reset
        this.#regs = defaults();
        this.#busyLeft = this.busyReads;
        break;
      case 0x20: // Master activation
        this.#activate();
        break;
    }
  }

  #data(byte: number): void {
    const r = this.#regs;
    if (this.#command === 0x24 || this.#command === 0x26) {
      if (r.entryMode !== 0x03) throw new Error(`fake SSD1680: data entry mode ${r.entryMode} not modelled`);
      const ram = this.#command === 0x24 ? this.ramBw : this.ramPrevious;
      ram[r.y * ROW_BYTES + r.x] = byte;
      // Mode 0x03: X moves first, wraps to the window's start and moves Y on; Y wraps too.
      if (r.x < r.xEnd) r.x++;
      else {
        r.x = r.xStart;
        r.y = r.y < r.yEnd ? r.y + 1 : r.yStart;
      }
      return;
    }
    const p = this.#params;
    p.push(byte);
    switch (this.#command) {
      case 0x10:
        if (p[0]! & 0x03) this.#asleep = true;
        break;
      case 0x11:
        r.entryMode = p[0]!;
        break;
      case 0x22:
        r.update = p[0]!;
        break;
      case 0x44:
        if (p.length === 2) [r.xStart, r.xEnd] = [p[0]!, p[1]!];
        break;
      case 0x45:
        if (p.length === 4) [r.yStart, r.yEnd] = [p[0]! | (p[1]! << 8), p[2]! | (p[3]! << 8)];
        break;
      case 0x4e:
        r.x = p[0]!;
        break;
      case 0x4f:
        if (p.length === 2) r.y = p[0]! | (p[1]! << 8);
        break;
    }
  }

  #activate(): void {
    const update = this.#regs.update;
    if (update === 0xf7) {
      // Display mode 1: every pixel driven to the B/W RAM's value.
      this.glass.set(this.ramBw);
      this.refreshes.push('full');
    } else if (update === 0xff) {
      // Display mode 2: only pixels whose B/W RAM bit differs from the previous RAM bit are driven.
      for (let i = 0; i < this.glass.length; i++) {
        const changed = this.ramBw[i]! ^ this.ramPrevious[i]!;
        this.glass[i] = (this.glass[i]! & ~changed) | (this.ramBw[i]! & changed);
      }
      this.refreshes.push('partial');
    } else {
      throw new Error(`fake SSD1680: update sequence 0x${update.toString(16)} not modelled`);
    }
    this.#busyLeft = this.busyReads;
  }
}

/** Register values after a reset (datasheet defaults: the whole 176 × 296 RAM). */
function defaults() {
  return { entryMode: 0x03, xStart: 0, xEnd: 0x15, yStart: 0, yEnd: 0x127, x: 0, y: 0, update: 0xff };
}

/**
 * The events as a readable command log: `RST 1`, `sleep 20`, `BUSY` (a whole wait on BUSY: the
 * reads and the polling sleeps between them), and each command as hex bytes, opcode first
 * (`01 f9 00 00`); parameters longer than 8 bytes are written `<n bytes>`. DC writes are not
 * listed: the DC level of each transfer decides what is a command and what is a parameter.
 */
export function commandLog(events: readonly PanelEvent[]): string[] {
  const log: string[] = [];
  const hex = (b: number) => b.toString(16).padStart(2, '0');
  let command: { opcode: number; params: number[] } | null = null;
  const flush = () => {
    if (command === null) return;
    const params = command.params.length > 8 ? [`<${command.params.length} bytes>`] : command.params.map(hex);
    log.push([hex(command.opcode), ...params].join(' '));
    command = null;
  };
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.t === 'spi' && e.dc === 1) {
      if (command === null) throw new Error('parameter bytes sent with no command before them');
      command.params.push(...e.bytes);
      continue;
    }
    if (e.t === 'pin' && e.name === 'DC') continue;
    flush();
    if (e.t === 'spi') {
      for (const [k, opcode] of [...e.bytes].entries()) {
        if (k > 0) flush();
        command = { opcode, params: [] };
      }
    } else if (e.t === 'pin') {
      log.push(`${e.name} ${e.value}`);
    } else if (e.t === 'busy') {
      while (events[i]?.t === 'busy' && (events[i] as { value: PinLevel }).value === 1 && events[i + 1]?.t === 'sleep' && events[i + 2]?.t === 'busy') i += 2;
      log.push('BUSY');
    } else {
      log.push(`sleep ${e.ms}`);
    }
  }
  flush();
  return log;
}
