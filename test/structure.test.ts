/**
 * The layout's rules, checked on the source text (relative imports of `.ts`/`.tsx` files, read with
 * a regular expression: fast, and enough for this repository's one import style):
 *
 * - the portal depends on the store, never on the ingest (issue 11: each cloud service depends on
 *   `@vigie/cloud-store`; only `cloud-runtime` composes the services);
 * - no import cycle in any workspace;
 * - the box's folders mirror its processes: the safety core never reaches telemetry or screen code,
 *   so a fault there cannot stop an emergency SMS (the safety core runs alone in its process); the
 *   screen knows only the bus; the telemetry reads the safety core's alert store and nothing else
 *   of it; no hardware port reaches a process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { resolveRelative, specifiers } from '../scripts/lib/source-graph.ts';

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

/**
 * The box's folders mirror its three processes (issue 11): `safety-core/`, `telemetry/` and
 * `screen/`, the hardware ports beneath them (`ble/`, `modem/`, `gpio/`, `display/`), and a few
 * shared files (`bus/`, `store/`, `config.ts`, `clock.ts`, `errors.ts`). Each rule follows
 * relative imports transitively from every file of an area that is not test support, and names the
 * chain that reaches a forbidden file.
 */
const BOX = 'appliance/src/';
/** Tests, shared port suites, fakes, benchmarks and fuzzers may reach further than the code they test. */
const TEST_SUPPORT = /(\.test\.ts|\.namespaced-test\.ts|-port-suite\.ts)$|\/fake-[^/]+\.ts$|\/(bench|fuzz)\//;
/**
 * The telemetry's settings (buffer limits, send cadences): data and parsing only, importing no
 * other file of the box. `config.ts` reads them to validate the environment of every process, so
 * they are in every process's closure, the safety core's included; nothing else of the telemetry is.
 */
const TELEMETRY_SETTINGS = [`${BOX}telemetry/buffer/buffer-limits.ts`, `${BOX}telemetry/buffer/send-cadence.ts`];
/** The broker is the safety core's: it hosts the bus; the other processes are its clients. */
const BROKER = `${BOX}bus/local-broker.ts`;
const PORTS = ['ble/', 'modem/', 'gpio/', 'display/', 'slots/'].map((p) => BOX + p);

interface LayoutRule {
  readonly name: string;
  readonly from: readonly string[];
  readonly forbidden: readonly string[];
  readonly allowed?: readonly string[];
}

const LAYOUT_RULES: readonly LayoutRule[] = [
  {
    // A fault in telemetry or screen code must not be able to stop an emergency SMS.
    name: 'the safety core reaches no telemetry, screen or display code',
    from: [`${BOX}safety-core/`],
    forbidden: [`${BOX}telemetry/`, `${BOX}screen/`, `${BOX}display/`],
    allowed: TELEMETRY_SETTINGS,
  },
  {
    // All the screen knows comes over the bus as protocol messages.
    name: "the screen reaches none of the safety core's or the telemetry's code, nor the broker",
    from: [`${BOX}screen/`],
    forbidden: [`${BOX}safety-core/`, `${BOX}telemetry/`, BROKER],
    allowed: TELEMETRY_SETTINGS,
  },
  {
    // The one exception: the alert store, whose unconfirmed revisions the telemetry uploads.
    name: "the telemetry reaches the safety core's alert store and nothing else of it, nor screen, display or broker",
    from: [`${BOX}telemetry/`],
    forbidden: [`${BOX}safety-core/`, `${BOX}screen/`, `${BOX}display/`, BROKER],
    allowed: [`${BOX}safety-core/alert-store.ts`],
  },
  {
    // The update agent (issue 15) is a bus client like the screen: it never loads safety-core,
    // telemetry or screen code, and none of them loads it.
    name: "the update agent reaches none of the safety core's, the telemetry's or the screen's code, nor the broker",
    from: [`${BOX}update/`],
    forbidden: [`${BOX}safety-core/`, `${BOX}telemetry/`, `${BOX}screen/`, BROKER],
    allowed: TELEMETRY_SETTINGS,
  },
  {
    name: 'no process reaches the update agent',
    from: [`${BOX}safety-core/`, `${BOX}telemetry/`, `${BOX}screen/`],
    forbidden: [`${BOX}update/`, `${BOX}slots/`],
  },
  {
    name: 'no hardware port reaches a process',
    from: PORTS,
    forbidden: [`${BOX}safety-core/`, `${BOX}telemetry/`, `${BOX}screen/`, `${BOX}update/`],
  },
  {
    name: 'the shared files reach no process',
    from: [`${BOX}bus/`, `${BOX}store/`, `${BOX}config.ts`, `${BOX}clock.ts`, `${BOX}errors.ts`, `${BOX}box-version.ts`],
    forbidden: [`${BOX}safety-core/`, `${BOX}telemetry/`, `${BOX}screen/`, `${BOX}update/`],
    allowed: TELEMETRY_SETTINGS,
  },
];

/** Chains (a → b → c) from `starts` to a file under `forbidden` that `allowed` does not name. */
function forbiddenChains(edges: ReadonlyMap<string, readonly string[]>, starts: readonly string[], rule: Omit<LayoutRule, 'name' | 'from'>): string[] {
  const isForbidden = (f: string) => rule.forbidden.some((p) => f.startsWith(p)) && !(rule.allowed ?? []).includes(f);
  const offenders: string[] = [];
  for (const start of starts) {
    // Breadth-first over relative imports, remembering the path for the message.
    const seen = new Set<string>([start]);
    const queue: string[][] = [[start]];
    while (queue.length > 0) {
      const path = queue.shift()!;
      for (const next of edges.get(path.at(-1)!) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        const chain = [...path, next];
        if (isForbidden(next)) offenders.push(chain.join(' → '));
        else queue.push(chain);
      }
    }
  }
  return offenders;
}

test('the layout rule finds a forbidden file two imports away, and lets an allowed one through', () => {
  const edges = new Map([
    ['core/a.ts', ['shared/b.ts']],
    ['shared/b.ts', ['tele/settings.ts', 'tele/c.ts']],
    ['tele/settings.ts', []],
    ['tele/c.ts', []],
  ]);
  assert.deepEqual(forbiddenChains(edges, ['core/a.ts'], { forbidden: ['tele/'], allowed: ['tele/settings.ts'] }), ['core/a.ts → shared/b.ts → tele/c.ts']);
  assert.deepEqual(forbiddenChains(edges, ['core/a.ts'], { forbidden: ['tele/'], allowed: ['tele/settings.ts', 'tele/c.ts'] }), []);
});

for (const rule of LAYOUT_RULES) {
  test(`box layout: ${rule.name}`, () => {
    const starts = files.map(rel).filter((f) => rule.from.some((p) => f.startsWith(p)) && /\.tsx?$/.test(f) && !TEST_SUPPORT.test(f));
    assert.ok(starts.length > 0, `no source file under ${rule.from.join(', ')}: the rule would check nothing`);
    const edges = new Map([...graph].map(([file, deps]) => [rel(file), deps.map(rel)]));
    assert.deepEqual(forbiddenChains(edges, starts, rule), []);
  });
}

test("no box file but a test imports the bracelet simulator (a devDependency: the compiled box ships without it)", () => {
  const offenders = files
    .map(rel)
    .filter((f) => f.startsWith(BOX) && !f.endsWith('.test.ts') && !f.endsWith('.namespaced-test.ts'))
    .filter((f) => specifiers(readFileSync(join(root, f), 'utf8')).some((s) => s === '@vigie/bracelet' || s.startsWith('@vigie/bracelet/')));
  assert.deepEqual(offenders, []);
});

test('every shared port suite of the box is named after its port: <port>/<port>-port-suite.ts', () => {
  const suites = files.map(rel).filter((f) => f.startsWith(BOX) && /(suite|contract)\.ts$/.test(f));
  assert.ok(suites.length >= 4, 'the ble, modem, gpio and display suites found');
  assert.deepEqual(
    suites.filter((f) => !/^appliance\/src\/([a-z0-9-]+)\/\1-port-suite\.ts$/.test(f)),
    [],
  );
});
