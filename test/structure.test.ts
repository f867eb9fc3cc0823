/**
 * The layout's rules, checked on the source text (relative imports of `.ts`/`.tsx` files, read with
 * a regular expression: fast, and enough for this repository's one import style):
 *
 * - the portal depends on the store, never on the ingest (issue 11: each cloud service depends on
 *   `@vigie/cloud-store`; only `cloud-runtime` composes the services);
 * - no import cycle in any workspace;
 * - the box's safety core never reaches telemetry or screen code, so a fault there cannot stop an
 *   emergency SMS (the safety core runs alone in its process).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const SKIP = new Set(['node_modules', '.git', 'data', 'dist', '__reference__']);

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (SKIP.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|tsx|js|mjs)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every module specifier of a file: `import … from 'x'`, `export … from 'x'`, `import 'x'`, `import('x')`. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [/^\s*(?:import|export)\s[^;]*?\sfrom\s+['"]([^'"]+)['"]/gm, /^\s*import\s+['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1]!);
  return found;
}

/** The file a relative specifier names, or null (a package, or a file that is not a source). */
function resolveRelative(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = resolve(dirname(from), specifier);
  for (const candidate of [target, `${target}.ts`, `${target}.tsx`, join(target, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const files = sourceFiles(root);
const graph = new Map<string, string[]>();
for (const file of files) {
  const deps = specifiers(readFileSync(file, 'utf8'))
    .map((s) => resolveRelative(file, s))
    .filter((d): d is string => d !== null);
  graph.set(file, deps);
}
const rel = (f: string) => relative(root, f).split(sep).join('/');

/** The strongly connected components of more than one file (or a file importing itself): the cycles. */
function cycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    indexOf.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!indexOf.has(v)) visit(v);
  return found;
}

test('the cycle finder finds a cycle of three files and none in a chain', () => {
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c']]);
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]])), []);
  assert.deepEqual(specifiers("import type { X } from './x.ts';\nexport { y } from '../y.ts';\nimport './z.ts';\nawait import('./w.ts');"), [
    './x.ts',
    '../y.ts',
    './z.ts',
    './w.ts',
  ]);
});

test('no file under cloud-portal/ imports the ingest: the portal depends on the store', () => {
  const offenders = files
    .filter((f) => rel(f).startsWith('cloud-portal/'))
    .filter((f) => specifiers(readFileSync(f, 'utf8')).some((s) => s === '@vigie/cloud-ingest' || s.startsWith('@vigie/cloud-ingest/') || /cloud-ingest\//.test(s)))
    .map(rel);
  assert.deepEqual(offenders, []);
  const manifest = JSON.parse(readFileSync(join(root, 'cloud-portal', 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const declared = { ...manifest.dependencies, ...manifest.devDependencies, ...manifest.peerDependencies };
  assert.equal(declared['@vigie/cloud-ingest'], undefined, 'cloud-portal/package.json must not depend on @vigie/cloud-ingest');
});

test('no import cycle in any workspace', () => {
  assert.deepEqual(cycles(graph).map((c) => c.map(rel)), []);
});

test("the box's safety core reaches no telemetry or screen code", () => {
  const forbidden = ['appliance/src/sync/', 'appliance/src/store/reading-buffer', 'appliance/src/screen/', 'appliance/src/display/', 'appliance/src/telemetry-service'];
  const starts = files.filter((f) => rel(f) === 'appliance/src/safety-core.ts' || rel(f).startsWith('appliance/src/safety/'));
  assert.ok(starts.length > 1, 'safety core found');
  const offenders: string[] = [];
  for (const start of starts.filter((f) => !f.endsWith('.test.ts'))) {
    // Depth-first over relative imports, remembering the path for the message.
    const seen = new Set<string>([start]);
    const queue: string[][] = [[start]];
    while (queue.length > 0) {
      const path = queue.shift()!;
      for (const next of graph.get(path.at(-1)!) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        const chain = [...path, next];
        if (forbidden.some((p) => rel(next).startsWith(p))) offenders.push(chain.map(rel).join(' → '));
        else queue.push(chain);
      }
    }
  }
  assert.deepEqual(offenders, []);
});
