import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FONT_DIR } from './fonts.ts';
import { REFERENCE_SCREENS } from './reference-screens.ts';
import { ALERT_TITLES, PROBLEM_TEXTS, TEXTS } from './screen-texts.ts';

/**
 * Code points mapped by a TrueType font's Unicode BMP cmap (format 4, platform 3 encoding 1;
 * OpenType spec, "cmap" table). A character outside it would be drawn by whatever system font the
 * canvas finds, or not at all on a box without one.
 */
function mappedCodePoints(ttf: Buffer): (cp: number) => boolean {
  const tables = ttf.readUInt16BE(4);
  let cmap = -1;
  for (let i = 0; i < tables; i++) if (ttf.toString('latin1', 12 + i * 16, 16 + i * 16) === 'cmap') cmap = ttf.readUInt32BE(12 + i * 16 + 8);
  assert.ok(cmap >= 0, 'cmap table');
  let sub = -1;
  for (let i = 0; i < ttf.readUInt16BE(cmap + 2); i++) {
    const at = cmap + 4 + i * 8;
    if (ttf.readUInt16BE(at) === 3 && ttf.readUInt16BE(at + 2) === 1) sub = cmap + ttf.readUInt32BE(at + 4);
  }
  assert.ok(sub >= 0 && ttf.readUInt16BE(sub) === 4, 'format 4 Unicode BMP subtable');
  const segments = ttf.readUInt16BE(sub + 6) / 2;
  const ends = sub + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const offsets = deltas + segments * 2;
  return (cp) => {
    for (let s = 0; s < segments; s++) {
      if (cp > ttf.readUInt16BE(ends + s * 2) || cp < ttf.readUInt16BE(starts + s * 2)) continue;
      const rangeOffset = ttf.readUInt16BE(offsets + s * 2);
      if (rangeOffset === 0) return ((cp + ttf.readInt16BE(deltas + s * 2)) & 0xffff) !== 0;
      const glyph = ttf.readUInt16BE(offsets + s * 2 + rangeOffset + (cp - ttf.readUInt16BE(starts + s * 2)) * 2);
      return glyph !== 0;
    }
    return false;
  };
}

/** Every text the screens can draw, with sample values, and French day and month names. */
function everyText(): string[] {
  const texts: string[] = [...Object.values(ALERT_TITLES), ...Object.values(PROBLEM_TEXTS).flatMap((p) => [p.what, p.todo])];
  for (const value of Object.values(TEXTS)) texts.push(typeof value === 'string' ? value : value(12 as never));
  texts.push(TEXTS.moreProblems(1), '0123456789:', '…•', '—');
  for (const r of REFERENCE_SCREENS) if (r.state.kind === 'help_coming') texts.push(r.state.by);
  for (let day = 0; day < 7; day++) texts.push(new Date(Date.UTC(2026, 0, 5 + day)).toLocaleDateString('fr-FR', { weekday: 'long', timeZone: 'UTC' }));
  for (let month = 0; month < 12; month++) texts.push(new Date(Date.UTC(2026, month, 1)).toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', timeZone: 'UTC' }));
  texts.push(new Date(Date.UTC(2026, 0, 6, 13, 5)).toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' }));
  return texts;
}

for (const file of ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf']) {
  test(`finds every character the screens draw in the bundled ${file}`, () => {
    const has = mappedCodePoints(readFileSync(resolve(FONT_DIR, file)));
    assert.ok(has(0x41) && !has(0x1f600), 'sanity: A is mapped, an emoji is not');
    const missing = new Set<string>();
    for (const text of everyText()) for (const ch of text) if (ch !== ' ' && !has(ch.codePointAt(0)!)) missing.add(`U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} ${ch}`);
    assert.deepEqual([...missing], []);
  });
}
