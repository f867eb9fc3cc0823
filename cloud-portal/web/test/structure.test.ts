/**
 * The web app's folders keep one direction: pages (a folder per domain) use the shared folders
 * (ui/, api/, i18n/), never the reverse, never another domain's files; app/ puts the pages
 * together; no import cycle anywhere in src/.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findCycles, layerViolations, readImportGraph, strayFiles, type ImportGraph } from './import-graph.ts';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const graph = readImportGraph(SRC);

test('reads the imports of every source file, type-only and multi-line ones included', () => {
  assert.ok(graph.size > 50, `${graph.size} files read`);
  assert.ok(graph.get('app/app.tsx')?.includes('care/box-config/box-config-page.tsx'));
  assert.ok(graph.get('care/box-config/number-section.tsx')?.includes('i18n/i18n.tsx'), 'an `import type` counts');
});

test('no import cycle in the web sources', () => {
  assert.deepEqual(findCycles(graph), []);
});

test('shared ui, api and i18n never import a domain folder, and domains never import one another', () => {
  assert.deepEqual(layerViolations(graph), []);
});

test('every source file lives in a known folder', () => {
  assert.deepEqual(strayFiles(graph), []);
});

test('the checks catch a cycle, an upward import, a cross-domain import and a stray folder', () => {
  const bad: ImportGraph = new Map([
    ['main.tsx', ['app/app.tsx']],
    ['app/app.tsx', ['care/a.tsx', 'admin/b.tsx']],
    ['care/a.tsx', ['ui/c.tsx', 'admin/b.tsx']],
    ['admin/b.tsx', ['ui/c.tsx']],
    ['ui/c.tsx', ['ui/d.tsx']],
    ['ui/d.tsx', ['ui/c.tsx', 'care/a.tsx']],
    ['views/e.tsx', []],
  ]);
  assert.deepEqual(findCycles(bad), [['admin/b.tsx', 'care/a.tsx', 'ui/c.tsx', 'ui/d.tsx']]);
  assert.deepEqual(layerViolations(bad).sort(), ['care/a.tsx → admin/b.tsx', 'ui/d.tsx → care/a.tsx']);
  assert.deepEqual(strayFiles(bad), ['views/e.tsx']);
  assert.deepEqual(findCycles(new Map([['ui/x.ts', ['ui/x.ts']]])), [['ui/x.ts']]);
});
