/**
 * The security self-assessment (`SECURITY.md`, `docs/security/*.md`) stays true to the tree.
 *
 * - Every backticked repository path (it contains a `/` and ends in .ts, .tsx, .md, .conf, .json
 *   or .sql) exists. Paths that start with `/`, `$` or `~` are paths on a running system (the box's
 *   `/var/lib/vigie`, `$VIGIE_DATA_DIR`), not repository files, and are not checked.
 * - Test names are quoted in one form only: right after a test file's path, in parentheses, each in
 *   double quotes (a double quote inside a name written \"), separated by commas, written in full
 *   (no "…"):
 *       `cloud-portal/test/auth.test.ts` ("stores passwords as argon2id hashes", "logout ends …")
 *   Each name must be the title of a `test(…)`, `it(…)` or `describe(…)` in that file.
 * - No `pending` marker remains (the draft's `<!-- pending: branch -->` comments).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { testDeclarations } from './lib/test-declarations.ts';

const root = resolve(import.meta.dirname, '..');

/** Files in which the test names quoted after a path must be found, path → names cited. */
interface Citation {
  doc: string;
  path: string;
  names: string[];
}

function documents(): string[] {
  const dir = join(root, 'docs', 'security');
  const pages = readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', 'security', f));
  return ['SECURITY.md', ...pages.sort()];
}

const PATH = /`([^`\s]+\/[^`\s]+\.(?:ts|tsx|md|conf|json|sql))`/g;
/** The names that may follow a path: ` ("a", "b")`, a double quote inside a name written `\"`. */
const QUOTED = String.raw`"(?:[^"\\]|\\.)*"`;
const NAMES = new RegExp(String.raw`^\s+\((${QUOTED}(?:,\s+${QUOTED})*)\)`);

function citations(doc: string, text: string): Citation[] {
  const out: Citation[] = [];
  for (const match of text.matchAll(PATH)) {
    const path = match[1]!;
    if (/^[/$~]/.test(path)) continue;
    const after = text.slice(match.index + match[0].length);
    const quoted = NAMES.exec(after);
    const names = quoted ? [...quoted[1]!.matchAll(new RegExp(QUOTED, 'g'))].map((m) => m[0].slice(1, -1).replace(/\\(.)/g, '$1')) : [];
    out.push({ doc, path, names });
  }
  return out;
}

/** Titles of test(…), it(…) and describe(…) calls written in full (string literal first argument). */
function testTitles(source: string): Set<string> {
  return new Set(testDeclarations(source).filter((d) => !d.partial).map((d) => d.title));
}

const all = documents().flatMap((doc) => citations(doc, readFileSync(join(root, doc), 'utf8')));

test('the self-assessment cites repository files', () => {
  assert.ok(all.length >= 40, `only ${all.length} citations found: has the citation form changed?`);
  assert.ok(all.some((c) => c.names.length > 0), 'some test names are quoted');
});

test('every cited repository path exists', () => {
  const missing = all
    .filter((c) => !existsSync(join(root, c.path)))
    .map((c) => `${c.doc}: ${c.path}`);
  assert.deepEqual([...new Set(missing)], []);
});

test('every quoted test name is a test in the file cited before it, written in full', () => {
  const problems: string[] = [];
  for (const { doc, path, names } of all) {
    if (names.length === 0) continue;
    const file = join(root, path);
    if (!existsSync(file)) continue; // reported by the path test
    const titles = testTitles(readFileSync(file, 'utf8'));
    for (const name of names) {
      if (name.includes('…')) problems.push(`${doc}: ${path} ("${name}") is cut short; quote names in full`);
      else if (!titles.has(name)) problems.push(`${doc}: ${path} has no test named "${name}"`);
    }
  }
  assert.deepEqual(problems, []);
});

test('no pending marker remains', () => {
  const problems: string[] = [];
  for (const doc of documents()) {
    readFileSync(join(root, doc), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (/pending:|<!--[^>]*pending/i.test(line)) problems.push(`${doc}:${i + 1}`);
      });
  }
  assert.deepEqual(problems, []);
});
