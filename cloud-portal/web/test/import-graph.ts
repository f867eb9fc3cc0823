/**
 * The import graph of the web app's sources, read with a regular expression (the files are ours
 * and formatted: `import … from '…'`, `export … from '…'`, `import '…'`), and the checks the
 * structure test applies to it. Pure functions over a graph, so the test can also show that each
 * check fails on a graph that breaks it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** File (relative to src/, with `/`) → the files of src/ it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** The folders that serve every page: they may import one another, never a page's folder. */
export const SHARED = ['api', 'i18n', 'ui'] as const;
/** One folder per domain (who uses the pages). A domain imports shared folders and itself only. */
export const DOMAINS = ['accounts', 'admin', 'care', 'demo', 'my', 'relative', 'support'] as const;
/** The composition root: routes, guards, header, each role's home. Imported by main.tsx only. */
export const APP = 'app';

const IMPORT = /\bfrom\s+'([^']+)'|^\s*import\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gm;

/** Every `.ts`/`.tsx` file under `srcDir` with the relative imports that stay inside it. */
export function readImportGraph(srcDir: string): ImportGraph {
  const graph = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name)) {
        const file = toKey(relative(srcDir, path));
        const targets: string[] = [];
        for (const match of readFileSync(path, 'utf8').matchAll(IMPORT)) {
          const spec = match[1] ?? match[2] ?? match[3]!;
          if (!spec.startsWith('.')) continue; // a package
          const target = toKey(normalize(join(dirname(file), spec)));
          if (!target.startsWith('../') && /\.tsx?$/.test(target)) targets.push(target);
        }
        graph.set(file, targets);
      }
    }
  };
  walk(srcDir);
  return graph;
}

const toKey = (path: string) => path.split('\\').join('/');

/** The top folder of a file (`care/box-config/x.ts` → `care`), or `''` for a file at the root. */
export function folderOf(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? '' : file.slice(0, slash);
}

/** The import cycles: the files of each strongly connected component, sorted. */
export function findCycles(graph: ImportGraph): string[][] {
  // Tarjan's strongly connected components; a component of two files or more is a cycle, and so is
  // a file importing itself.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

/** Imports that go the wrong way between folders, as `from → to` lines. */
export function layerViolations(graph: ImportGraph): string[] {
  const shared = new Set<string>(SHARED);
  const domains = new Set<string>(DOMAINS);
  const wrong: string[] = [];
  for (const [from, targets] of graph) {
    const source = folderOf(from);
    for (const to of targets) {
      const target = folderOf(to);
      if (target === source || shared.has(target)) continue; // own folder, or a shared one
      if (target === APP && from === 'main.tsx') continue;
      if (source === APP && domains.has(target)) continue; // the root puts the pages together
      wrong.push(`${from} → ${to}`);
    }
  }
  return wrong;
}

/** Files outside the known folders (a new folder must say which layer it is in). */
export function strayFiles(graph: ImportGraph): string[] {
  const known = new Set<string>([...SHARED, ...DOMAINS, APP]);
  return [...graph.keys()].filter((file) => (folderOf(file) === '' ? file !== 'main.tsx' : !known.has(folderOf(file))));
}
