import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';
import type { AlertKind } from '@vigie/protocol';
import { ensureScreenFonts, SCREEN_FONT_FAMILY } from './fonts.ts';
import { countDifferentPixels, isInk } from '../display/frame.ts';
import { decodeFramePng, encodeFramePng } from '../display/png-1bit.ts';
import { REFERENCE_SCREENS } from './reference-screens.ts';
import { problemLines } from './screen-layouts.ts';
import { ALERT_TITLES } from './screen-texts.ts';
import { renderScreen } from './screens.ts';

/**
 * Reference pictures: `__reference__/<name>.png`, one per screen of REFERENCE_SCREENS, compared
 * pixel for pixel. To accept a wanted change: VIGIE_UPDATE_REFERENCE=1 npm test -- appliance/src/screen,
 * then look at every picture before committing it.
 */
const REFERENCE_DIR = resolve(import.meta.dirname, '__reference__');
const UPDATE = process.env.VIGIE_UPDATE_REFERENCE === '1';
const NOW = new Date('2026-01-06T13:05:00Z');

for (const reference of REFERENCE_SCREENS) {
  test(`draws the ${reference.name} screen exactly as its reference picture`, () => {
    const frame = renderScreen(reference.state, reference.now);
    const path = join(REFERENCE_DIR, `${reference.name}.png`);
    if (UPDATE) {
      writeFileSync(path, encodeFramePng(frame));
      return;
    }
    assert.ok(existsSync(path), `no reference picture for screen "${reference.name}": run VIGIE_UPDATE_REFERENCE=1 npm test -- appliance/src/screen`);
    const differing = countDifferentPixels(frame, decodeFramePng(readFileSync(path)));
    if (differing > 0) {
      const actual = join(tmpdir(), `vigie-screen-${reference.name}.actual.png`);
      writeFileSync(actual, encodeFramePng(frame));
      assert.fail(
        `screen "${reference.name}" differs from __reference__/${reference.name}.png in ${differing} pixels (drawn now: ${actual}). ` +
          'If the change is wanted: VIGIE_UPDATE_REFERENCE=1 npm test -- appliance/src/screen, then look at the pictures.',
      );
    }
  });
}

test('keeps no reference picture of a screen that no longer exists', () => {
  const names = new Set(REFERENCE_SCREENS.map((r) => `${r.name}.png`));
  assert.deepEqual(readdirSync(REFERENCE_DIR).filter((f) => f.endsWith('.png') && !names.has(f)), []);
});

test('registers the bundled DejaVu font under its own family name', () => {
  ensureScreenFonts();
  ensureScreenFonts(); // once per process, then nothing
  assert.ok(GlobalFonts.has(SCREEN_FONT_FAMILY));
});

test('gives every alert kind its own title, white on a black band', () => {
  const frames = new Map<AlertKind, ReturnType<typeof renderScreen>>();
  for (const kind of Object.keys(ALERT_TITLES) as AlertKind[]) {
    const frame = renderScreen({ kind: 'alert', alertKind: kind, cancelSecondsLeft: null }, NOW);
    let paperInBand = 0;
    for (let y = 2; y < 40; y++) for (let x = 0; x < 250; x++) if (!isInk(frame, x, y)) paperInBand++;
    assert.ok(isInk(frame, 0, 0) && isInk(frame, 249, 41), `${kind}: the band is black to its corners`);
    assert.ok(paperInBand > 300, `${kind}: the title shows in white (${paperInBand} white pixels)`);
    for (const [other, seen] of frames) assert.ok(countDifferentPixels(frame, seen) > 0, `${kind} and ${other} look the same`);
    frames.set(kind, frame);
  }
});

test('rounds the seconds left up and never shows fewer than 0', () => {
  const at = (s: number) => renderScreen({ kind: 'alert', alertKind: 'fall', cancelSecondsLeft: s }, NOW);
  assert.equal(countDifferentPixels(at(0.2), at(1)), 0);
  assert.equal(countDifferentPixels(at(-3), at(0)), 0);
  assert.ok(countDifferentPixels(at(2), at(1)) > 0);
});

test('shows the time and date of the box clock in Paris time on the all-is-well screen', () => {
  const state = { kind: 'ok', braceletBattery: 55, connection: 'online' } as const;
  const winter = renderScreen(state, NOW);
  assert.ok(countDifferentPixels(winter, renderScreen(state, new Date('2026-01-06T13:06:00Z'))) > 0, 'a minute later');
  assert.equal(countDifferentPixels(winter, renderScreen(state, new Date('2026-01-06T14:05:00Z'), { timeZone: 'Europe/London' })), 0, '14:05 in London');
});

test('lists problems by urgency, once each, leaving out what a deeper cause explains', () => {
  assert.deepEqual(problemLines(['bracelet_battery_low', 'not_worn', 'not_worn']), ['not_worn', 'bracelet_battery_low']);
  assert.deepEqual(problemLines(['no_network', 'no_sim', 'no_modem']), ['no_modem']);
  assert.deepEqual(problemLines(['no_network', 'no_sim']), ['no_sim']);
  assert.deepEqual(problemLines(['no_network', 'no_bracelet']), ['no_bracelet', 'no_network']);
});
