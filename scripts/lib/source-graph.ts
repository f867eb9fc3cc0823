/**
 * The repository's import graph, read from the source text with regular expressions (the files are
 * ours and formatted: `import … from '…'`, `export … from '…'`, `import '…'`, `import('…')`): fast,
 * and enough for this repository's one import style. Used by the layout rules
 * (`test/structure.test.ts`) and by `npm test` to find the test files that open a database.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Every module specifier of a source text, in order of appearance per pattern. */
export function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [/^\s*(?:import|export)\s[^;]*?\sfrom\s+['"]([^'"]+)['"]/gm, /^\s*import\s+['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1]!);
  return found;
}

function existingFile(target: string): string | null {
  for (const candidate of [target, `${target}.ts`, `${target}.tsx`, join(target, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** The file a relative specifier names, or null (a package, or a file that is not a source). */
export function resolveRelative(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  return existingFile(resolve(dirname(from), specifier));
}

/** `@vigie/<workspace>[/<subpath>]` → the source file its package.json `exports` names, or null. */
export function workspaceResolver(root: string): (specifier: string) => string | null {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
  const exportsOf = new Map<string, { dir: string; exports: Record<string, string> }>();
  for (const dir of manifest.workspaces) {
    const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { name: string; exports?: Record<string, string> | string };
    const exports = typeof pkg.exports === 'string' ? { '.': pkg.exports } : (pkg.exports ?? {});
    exportsOf.set(pkg.name, { dir: join(root, dir), exports });
  }
  return (specifier) => {
    const match = /^(@vigie\/[^/]+)(\/.*)?$/.exec(specifier);
    if (!match) return null;
    const pkg = exportsOf.get(match[1]!);
    if (!pkg) return null;
    const sub = `.${match[2] ?? ''}`;
    const direct = pkg.exports[sub];
    if (direct) return existingFile(join(pkg.dir, direct));
    for (const [pattern, target] of Object.entries(pkg.exports)) {
      if (!pattern.endsWith('/*') || !sub.startsWith(pattern.slice(0, -1))) continue;
      return existingFile(join(pkg.dir, target.replace('*', sub.slice(pattern.length - 1))));
    }
    return null;
  };
}

/**
 * The source files `file` reaches through relative and `@vigie/*` imports, itself included.
 * `cache` maps a file to its direct dependencies and may be shared between calls.
 */
export function reachableFiles(file: string, resolveWorkspace: (specifier: string) => string | null, cache = new Map<string, string[]>()): Set<string> {
  const seen = new Set<string>([file]);
  const queue = [file];
  while (queue.length > 0) {
    const current = queue.pop()!;
    let deps = cache.get(current);
    if (!deps) {
      deps = specifiers(readFileSync(current, 'utf8'))
        .map((s) => resolveRelative(current, s) ?? resolveWorkspace(s))
        .filter((d): d is string => d !== null);
      cache.set(current, deps);
    }
    for (const dep of deps) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      queue.push(dep);
    }
  }
  return seen;
}

/** Every file under `dir` (recursively) whose name passes `keep`, skipping `skip` folder names. */
export function listFiles(dir: string, keep: (name: string) => boolean, skip: ReadonlySet<string>, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (skip.has(entry)) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) listFiles(path, keep, skip, out);
    else if (keep(entry)) out.push(path);
  }
  return out;
}
