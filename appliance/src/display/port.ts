/**
 * The display port (style habit 1): the box's status screen, whatever is behind it. Adapters live
 * beside it: `epaper-2in13-display.ts` (the Waveshare 2.13" V4 e-paper panel, SSD1680 controller,
 * over SPI) and `png-display.ts` (a PNG file, for development and tests). Screens are drawn by
 * `renderScreen()` (`screens.ts`) into a {@link Frame}; adapters only put frames on glass.
 */

/** Frame width in pixels: the panel's long side, left to right as the patient reads it. */
export const FRAME_WIDTH = 250;
/** Frame height in pixels: the panel's short side, top to bottom as the patient reads it. */
export const FRAME_HEIGHT = 122;
/** Bytes per frame row: 250 pixels packed 8 per byte, padded to a whole 32-byte row (6 spare bits). */
export const FRAME_STRIDE = 32;
/** Bytes of a frame's `bits`: 122 rows × 32 bytes = 3,904. */
export const FRAME_BYTES = FRAME_HEIGHT * FRAME_STRIDE;

/**
 * One picture for the panel: 1 bit per pixel, landscape, as the patient sees it.
 *
 * Layout: row-major from the top-left corner; row `y` starts at byte `y * FRAME_STRIDE`; pixel `x`
 * of a row is bit `7 - (x % 8)` of byte `x >> 3` (most significant bit first). A set bit is ink
 * (black), a clear bit is paper (white), so an all-zero frame is a blank screen. The 6 spare bits
 * at the end of each row are always 0.
 *
 * The panel's native orientation is portrait, not this: the SSD1680 drives 122 source lines (the
 * short side) by 250 gate lines (the long side), and its RAM holds 250 rows of 16 bytes (122
 * pixels, 6 padding bits). The e-paper adapter rotates frames into that layout
 * (`ssd1680-ram.ts`); nothing above the adapter ever sees it.
 */
export interface Frame {
  readonly width: typeof FRAME_WIDTH;
  readonly height: typeof FRAME_HEIGHT;
  /** `FRAME_BYTES` bytes, laid out as described above. */
  readonly bits: Uint8Array;
}

/**
 * A screen able to show frames. `start()` claims the hardware (or file) and wakes the panel;
 * `stop()` puts it to sleep and releases everything; both are idempotent.
 *
 * `show()` resolves once the frame is on the glass, or once a newer frame given meanwhile is (the
 * latest frame wins: an e-paper refresh takes seconds, and a frame that was superseded while
 * waiting is never drawn). Calls never overlap on the hardware. It rejects with a catalogued
 * `BOX_DISPLAY_*` error: `BOX_DISPLAY_NOT_STARTED`, `BOX_DISPLAY_FRAME_INVALID`,
 * `BOX_DISPLAY_BUSY_TIMEOUT` (a stuck panel never hangs the caller), `BOX_DISPLAY_WRITE_FAILED`.
 */
export interface Display {
  start(): Promise<void>;
  stop(): Promise<void>;
  show(frame: Frame): Promise<void>;
}
