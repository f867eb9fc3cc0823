import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { declaredErrorCodes } from '@vigie/common';

const root = resolve(import.meta.dirname, '..');
const SKIP = new Set(['node_modules', '.git', 'data', 'dist', 'web', 'test']);

/** Every non-test TypeScript source of the repository (the web front end and system tests aside). */
function allSources(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (SKIP.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) allSources(path, out);
    else if (entry.endsWith('.ts') && !entry.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const sources = (dir: string): string[] => allSources(dir).filter((path) => readFileSync(path, 'utf8').includes('defineErrors('));

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

test('every error code written as a literal in the sources is a declared (so documented) one', async () => {
  for (const file of sources(root)) await import(pathToFileURL(file).href);
  const declared = declaredErrorCodes();
  // A code logged or stored without its factory (`'BOX_SMS_SEND_FAILED'` as a fallback string)
  // escapes the check above: look for literals with a catalogue's prefix.
  const prefixes = [...new Set([...declared.keys()].map((code) => code.split('_')[0]!))];
  // (Quoted strings only: backticks in comments name identifiers, e.g. `BOX_CONFIG_DEFAULTS`.)
  const literal = new RegExp(`['"]((?:${prefixes.join('|')})_[A-Z0-9_]*[A-Z0-9])['"]`, 'g');
  const undeclared: string[] = [];
  for (const file of allSources(root)) {
    for (const m of readFileSync(file, 'utf8').matchAll(literal)) {
      if (!declared.has(m[1]!)) undeclared.push(`${m[1]} (${file.slice(root.length + 1)})`);
    }
  }
  assert.deepEqual(undeclared, [], `declare these codes in their package's error factory and document them in docs/errors.md`);
});
