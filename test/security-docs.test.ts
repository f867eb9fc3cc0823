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

const root = resolve(import.meta.dirname, '..');

/**
 * What the documents cite from the `ingest-hardening` branch, committed but not merged when they
 * were written (it is merged as is; its `appliance/src/sync/*` files land in
 * `appliance/src/telemetry/`, and the documents already cite them there).
 *
 * THE LEAD EMPTIES BOTH LISTS WHEN MERGING `ingest-hardening`: from then on every row citing these
 * files and names is checked like any other. The last test below fails as soon as one of them is in
 * the tree, so the lists cannot outlive the merge unnoticed.
 */
const NOT_YET_MERGED = {
  /** New files of the branch: neither their existence nor their test names are checked. */
  files: new Set<string>([
    'appliance/src/telemetry/box-signing-key.test.ts',
    'bench/results/fuzz-ingest-2026-12-07.json',
    'cloud-ingest/fuzz/ingest.fuzz.test.ts',
    'cloud-ingest/src/kafka/box-keyring.test.ts',
    'cloud-ingest/src/kafka/config.test.ts',
    'cloud-ingest/test/ingest-bounds.test.ts',
    'cloud-ingest/test/signing-key.test.ts',
    'protocol/fuzz/wire-schemas.fuzz.test.ts',
  ]),
  /** Tests the branch adds to (or renames in) files already in the tree: these names are not checked. */
  tests: new Map<string, readonly string[]>([
    [
      'cloud-ingest/test/ingest.test.ts',
      [
        'refuses a schema-violating reading alone, naming its field, and stores the rest of its batch',
        'refuses a batch whose envelope violates the schema naming the field, writing nothing but a dead letter',
      ],
    ],
    [
      'appliance/src/telemetry/kafka-cloud-client.test.ts',
      [
        'TLS is on by default for brokers on other hosts, off by default for loopback ones',
        'refuses plaintext to a broker that is not this machine, in the settings and in the client',
      ],
    ],
    [
      'appliance/src/telemetry/uplink.test.ts',
      ['a heartbeat the cloud refuses (4xx) is logged and dropped: the box stays online, no backoff, later telemetry still goes'],
    ],
  ]),
};

const notYetMerged = (path: string, name: string): boolean => NOT_YET_MERGED.tests.get(path)?.includes(name) ?? false;

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

/** Titles of test(…), it(…) and describe(…) calls, string literal first argument, unescaped. */
function testTitles(source: string): Set<string> {
  const call = /\b(?:test|it|describe)(?:\.(?:skip|only|todo))?\(\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\$]|\\.)*)`)/g;
  const titles = new Set<string>();
  for (const m of source.matchAll(call)) {
    titles.add((m[1] ?? m[2] ?? m[3]!).replace(/\\(.)/g, '$1'));
  }
  return titles;
}

const all = documents().flatMap((doc) => citations(doc, readFileSync(join(root, doc), 'utf8')));

test('the self-assessment cites repository files', () => {
  assert.ok(all.length >= 40, `only ${all.length} citations found: has the citation form changed?`);
  assert.ok(all.some((c) => c.names.length > 0), 'some test names are quoted');
});

test('every cited repository path exists (ingest-hardening paths aside until it is merged)', () => {
  const missing = all
    .filter((c) => !NOT_YET_MERGED.files.has(c.path) && !existsSync(join(root, c.path)))
    .map((c) => `${c.doc}: ${c.path}`);
  assert.deepEqual([...new Set(missing)], []);
});

test('the ingest-hardening allow-list holds only what is cited and not yet in the tree', () => {
  const cited = new Set(all.map((c) => c.path));
  for (const path of NOT_YET_MERGED.files) {
    assert.ok(cited.has(path), `${path} is allow-listed but no longer cited: remove it from the list`);
    assert.ok(!existsSync(join(root, path)), `${path} is in the tree now: remove it from the allow-list`);
  }
  for (const [path, names] of NOT_YET_MERGED.tests) {
    const titles = testTitles(readFileSync(join(root, path), 'utf8'));
    for (const name of names) {
      assert.ok(all.some((c) => c.path === path && c.names.includes(name)), `"${name}" is allow-listed but no longer cited after ${path}`);
      assert.ok(!titles.has(name), `${path} has "${name}" now: remove it from the allow-list`);
    }
  }
});

test('every quoted test name is a test in the file cited before it, written in full', () => {
  const problems: string[] = [];
  for (const { doc, path, names } of all) {
    if (names.length === 0 || NOT_YET_MERGED.files.has(path)) continue;
    const file = join(root, path);
    if (!existsSync(file)) continue; // reported by the path test
    const titles = testTitles(readFileSync(file, 'utf8'));
    for (const name of names) {
      if (notYetMerged(path, name)) continue;
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
