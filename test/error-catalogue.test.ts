import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { declaredErrorCodes } from '@vigie/common';

const root = resolve(import.meta.dirname, '..');
const SKIP = new Set(['node_modules', '.git', 'data', 'dist', 'web', 'test']);

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (SKIP.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (entry.endsWith('.ts') && !entry.endsWith('.test.ts') && readFileSync(path, 'utf8').includes('defineErrors(')) out.push(path);
  }
  return out;
}

test('every declared error code is documented in docs/errors.md, and every documented code exists', async () => {
  const files = sources(root).filter((f) => !f.endsWith(join('common', 'src', 'errors.ts')));
  assert.ok(files.length >= 3, 'error catalogues found');
  for (const file of files) await import(pathToFileURL(file).href);
  const page = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
  const documented = new Set([...page.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]!));
  const declared = [...declaredErrorCodes().keys()];
  const missing = declared.filter((c) => !documented.has(c));
  assert.deepEqual(missing, [], `add these codes with cause and fix to docs/errors.md: ${missing.join(', ')}`);
  const unknown = [...documented].filter((c) => !declaredErrorCodes().has(c));
  assert.deepEqual(unknown, [], `docs/errors.md lists codes no package declares: ${unknown.join(', ')}`);
});
