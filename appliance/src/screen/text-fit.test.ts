import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitText, truncateToWidth, wrapWords, type TextMeasurer } from './text-fit.ts';

/** A measurer where every character is as wide as the font size × 0.5 (a fixed-pitch stand-in). */
function monospace(): TextMeasurer {
  return {
    font: '',
    measureText(text: string) {
      const size = Number(/(\d+)px/.exec(this.font)?.[1] ?? 10);
      return { width: text.length * size * 0.5 };
    },
  };
}

test('keeps the preferred size when the text fits', () => {
  const fitted = fitText(monospace(), 'Tout va bien', 200, { size: 30, weight: 'bold' });
  assert.deepEqual({ size: fitted.size, lines: fitted.lines, truncated: fitted.truncated }, { size: 30, lines: ['Tout va bien'], truncated: false });
  assert.match(fitted.font, /^bold 30px "Vigie Screen Sans"$/);
});

test('shrinks a long name one pixel at a time down to the smallest size allowed', () => {
  // 20 characters: 20 × size × 0.5 ≤ 200 needs size ≤ 20.
  assert.equal(fitText(monospace(), 'Jean-Baptiste Martin', 200, { size: 28, minSize: 16, weight: 'bold' }).size, 20);
});

test('wraps on words before shrinking further, within the lines allowed', () => {
  const fitted = fitText(monospace(), 'Appuyez sur le bouton pour annuler', 120, { size: 20, minSize: 14, maxLines: 3, weight: 'bold' });
  assert.equal(fitted.size, 20);
  assert.deepEqual(fitted.lines, ['Appuyez sur', 'le bouton', 'pour annuler']);
});

test('cuts with an ellipsis at the smallest size when nothing else fits', () => {
  const fitted = fitText(monospace(), 'Marie-Christine de La Tour d’Auvergne', 100, { size: 20, minSize: 16, weight: 'bold' });
  assert.equal(fitted.truncated, true);
  assert.equal(fitted.size, 16);
  assert.equal(fitted.lines[0], 'Marie-Chris…');
  const two = fitText(monospace(), 'un deux trois quatre cinq six sept', 80, { size: 16, maxLines: 2, weight: 'normal' });
  assert.deepEqual(two.lines, ['un deux', 'trois qua…']);
});

test('wraps greedily and truncates only what is too wide', () => {
  const m = monospace();
  m.font = '10px x';
  assert.deepEqual(wrapWords(m, 'a bb ccc dddd', 35), ['a bb', 'ccc', 'dddd']);
  assert.deepEqual(wrapWords(m, '', 35), []);
  assert.equal(truncateToWidth(m, 'abcdef', 30), 'abcdef');
  assert.equal(truncateToWidth(m, 'abcdefg', 30), 'abcde…');
});
