/**
 * The box's e-paper panel: the Display port, its two adapters and the factory. What is drawn on it
 * (the screens) is the screen process's, in `../screen/`.
 */
export { FRAME_BYTES, FRAME_HEIGHT, FRAME_STRIDE, FRAME_WIDTH, type Display, type Frame } from './port.ts';
export { createDisplay, type DisplayConfig } from './factory.ts';
export { PngDisplay, type PngDisplayOptions } from './png-display.ts';
export { Epaper2in13Display, type Epaper2in13Options } from './epaper-2in13-display.ts';
export type { DisplayPins, InputLine, OutputLine, PanelLines, PinLevel, SpiBus } from './panel-lines.ts';
export { DEFAULT_REFRESH_POLICY, type RefreshPolicy } from './refresh-policy.ts';
export { createFrame, countDifferentPixels, isInk, setInk } from './frame.ts';
export { decodeFramePng, encodeFramePng } from './png-1bit.ts';
export { displayErrors, type DisplayErrorCode } from './errors.ts';
