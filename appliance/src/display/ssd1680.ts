/**
 * The SSD1680 e-paper controller as wired on the Waveshare 2.13" V4 panel (122 × 250, black and
 * white): command opcodes and parameters, and the layout of its display RAM.
 *
 * References: Solomon Systech SSD1680 datasheet Rev 0.14 (June 2019), §7 command table and §9
 * operation flow; Waveshare's reference driver `epd2in13_V4.py` (e-Paper repository,
 * RaspberryPi_JetsonNano/python/lib/waveshare_epd), whose sequence and timings this follows.
 */
import { FRAME_STRIDE, FRAME_WIDTH, type Frame } from './port.ts';

/** Source lines used by the panel: its short side, the RAM's X axis. */
export const PANEL_SOURCES = 122;
/** Gate lines of the panel: its long side, the RAM's Y axis. */
export const PANEL_GATES = 250;
/** RAM bytes per gate row: 122 pixels, 8 per byte, rounded up (the last 6 bits are not shown). */
export const RAM_ROW_BYTES = Math.ceil(PANEL_SOURCES / 8);
/** Bytes of one RAM image: 250 rows × 16 bytes = 4,000. */
export const RAM_BYTES = PANEL_GATES * RAM_ROW_BYTES;

/** Command opcodes (datasheet §7), only those this driver sends. */
export const Command = {
  /** Driver Output Control: MUX (gates − 1, 9 bits, low byte first), then GD/SM/TB scan bits. */
  driverOutputControl: 0x01,
  /** Deep Sleep Mode: 0x01 = mode 1 (RAM kept). BUSY stays high until a hardware reset. */
  deepSleep: 0x10,
  /** Data Entry Mode: ID[1:0] address increment per axis, AM = which counter moves first. */
  dataEntryMode: 0x11,
  /** SW Reset: registers back to their defaults; BUSY high while it runs. */
  swReset: 0x12,
  /** Temperature Sensor Control: 0x80 = the built-in sensor. */
  temperatureSensor: 0x18,
  /** Master Activation: run the sequence chosen by 0x22; BUSY high until it ends. */
  masterActivation: 0x20,
  /** Display Update Control 1: RAM content options, source output mode. */
  displayUpdateControl1: 0x21,
  /** Display Update Control 2: which steps Master Activation runs (see {@link UpdateSequence}). */
  displayUpdateControl2: 0x22,
  /** Write RAM (Black/White): the new image. 0 = black, 1 = white. */
  writeRamBw: 0x24,
  /** Write RAM (Red), used by this panel as the previous image for display mode 2 (partial). */
  writeRamPrevious: 0x26,
  /** Border Waveform Control. */
  borderWaveform: 0x3c,
  /** Set RAM X window: start and end, in bytes (8 sources each). */
  ramXWindow: 0x44,
  /** Set RAM Y window: start and end gates, 9 bits each, low byte first. */
  ramYWindow: 0x45,
  /** Set RAM X address counter (bytes). */
  ramXCounter: 0x4e,
  /** Set RAM Y address counter (gate, 9 bits, low byte first). */
  ramYCounter: 0x4f,
} as const;

/**
 * Display Update Control 2 parameters. Each bit enables one step: clock on, analog on, load
 * temperature, load LUT, display (mode 1 or mode 2), analog off, clock off.
 */
export const UpdateSequence = {
  /** Full refresh, display mode 1: every pixel driven through black and white (flashes, ~2 s). */
  full: 0xf7,
  /** Partial refresh, display mode 2: only pixels that differ between the two RAMs change (~0.5 s). */
  partial: 0xff,
} as const;

/** Border Waveform Control parameters. */
export const Border = {
  /** Border follows LUT 1 (white): for full refreshes, as set at initialisation. */
  full: 0x05,
  /** Border held at VCOM: untouched by a partial refresh (no flashing edge). */
  partial: 0x80,
} as const;

/** Where a frame pixel lands on the panel: which way up the panel is mounted in the box. */
export type PanelMounting = 'normal' | 'upside-down';

/**
 * The RAM image of a frame. The panel's RAM is portrait: row `g` (gate 0–249) holds sources 0–121,
 * 8 per byte, most significant bit first, 0 = black, 1 = white; the 6 bits past source 121 are
 * padding (sent as white).
 *
 * `normal` is Waveshare's landscape (its `getbuffer` turns a landscape picture 90°
 * counter-clockwise): frame pixel (x, y) goes to gate 249 − x, source y. `upside-down` turns the
 * picture by 180° more: gate x, source 121 − y.
 */
export function frameToRam(frame: Frame, mounting: PanelMounting = 'normal'): Uint8Array {
  const ram = new Uint8Array(RAM_BYTES).fill(0xff);
  const bits = frame.bits;
  for (let y = 0; y < PANEL_SOURCES; y++) {
    const source = mounting === 'normal' ? y : PANEL_SOURCES - 1 - y;
    const sourceByte = source >> 3;
    const sourceMask = 0x80 >> (source & 7);
    const row = y * FRAME_STRIDE;
    for (let x = 0; x < FRAME_WIDTH; x++) {
      if ((bits[row + (x >> 3)]! & (0x80 >> (x & 7))) === 0) continue;
      const gate = mounting === 'normal' ? PANEL_GATES - 1 - x : x;
      const at = gate * RAM_ROW_BYTES + sourceByte;
      ram[at] = ram[at]! & ~sourceMask;
    }
  }
  return ram;
}
