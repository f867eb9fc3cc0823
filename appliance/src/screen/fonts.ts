/**
 * The screen's typeface: DejaVu Sans (Regular and Bold), bundled in `appliance/assets/fonts/` with
 * its licence. The canvas has no font of its own and draws nothing with a family it does not know
 * (on a Raspberry Pi OS Lite image there is no system font to fall back on), and a system font
 * would make the same screen render differently from one machine to the next: the bundled files
 * are registered under a family name no system font has.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';
import { displayErrors } from '../display/errors.ts';

/** The family name the bundled files are registered under (never a system font's name). */
export const SCREEN_FONT_FAMILY = 'Vigie Screen Sans';

/** Where the bundled font files live. */
export const FONT_DIR = resolve(import.meta.dirname, '../../assets/fonts');

const FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'] as const;

let registered = false;

/**
 * Register the bundled fonts once per process. Throws BOX_DISPLAY_FONT_MISSING when a file is
 * missing or unreadable: a screen drawn without them would be blank.
 */
export function ensureScreenFonts(): void {
  if (registered) return;
  for (const file of FILES) {
    const path = resolve(FONT_DIR, file);
    const key = existsSync(path) ? GlobalFonts.registerFromPath(path, SCREEN_FONT_FAMILY) : null;
    if (key === null) {
      throw displayErrors.create('BOX_DISPLAY_FONT_MISSING', { message: `Cannot load the screen font ${path}`, details: { path } });
    }
  }
  if (!GlobalFonts.has(SCREEN_FONT_FAMILY)) {
    throw displayErrors.create('BOX_DISPLAY_FONT_MISSING', { message: `The font family ${SCREEN_FONT_FAMILY} is not available after registration` });
  }
  registered = true;
}

/** A CSS font shorthand for the screen's family. */
export function screenFont(sizePx: number, weight: 'bold' | 'normal'): string {
  return `${weight === 'bold' ? 'bold ' : ''}${sizePx}px "${SCREEN_FONT_FAMILY}"`;
}
