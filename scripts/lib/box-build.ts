/**
 * The box's compiled JavaScript (issue 11, build 7): `appliance/src/cli.ts` and the modem emulator's
 * CLI bundled by esbuild into `appliance/dist/` (not committed), so that the box's processes run on
 * plain `node` without the TypeScript loader (tsx and its esbuild service cost ~60 MB per process).
 *
 * Why a bundle rather than `tsc` emitting one .js per .ts: one file per entry (plus shared chunks)
 * loads fewer module records and no per-workspace `dist/` folders with rewritten `exports`; the
 * workspace packages the box uses (@vigie/common, @vigie/protocol, @vigie/provisioning) are compiled
 * into it, so they resolve to JavaScript too. Third-party packages stay external: they are already
 * JavaScript, and several of them load native addons or files beside themselves.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { ROOT } from './processes.ts';

/** Where the compiled box lives. */
export const BOX_DIST = join(ROOT, 'appliance', 'dist');
/** The compiled `vigie-box` CLI (what the systemd units and `npm start` run). */
export const BOX_CLI = join(BOX_DIST, 'vigie-box.js');
/** The compiled modem emulator CLI. */
export const MODEM_EMULATOR_CLI = join(BOX_DIST, 'vigie-modem-emulator.js');
/** The list of source files of the last build: a build is stale when one of them is newer. */
const INPUTS_FILE = join(BOX_DIST, 'inputs.json');

/**
 * Packages left to Node's resolver at run time: those with native addons (they find their `.node`
 * file beside themselves) and the optional hardware ones. Everything else — the repository's own
 * code, the `@vigie/*` workspaces and pure-JavaScript packages (zod, TypeBox, pino, aedes, mqtt,
 * kafkajs…) — is bundled: one file read and compiled instead of hundreds of small modules through
 * the ESM loader, which on Node 24 saves several MB per process.
 */
const NATIVE_PACKAGES = /^((better-sqlite3|serialport|onoff|epoll|spi-device|usb|@napi-rs\/canvas)(\/|$)|@serialport\/|@stoprocent\/)/;

const externalPackages: Plugin = {
  name: 'vigie-external-packages',
  setup(b) {
    b.onResolve({ filter: NATIVE_PACKAGES }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * `import.meta.dirname` in a source file means that file's folder (e.g. the fonts beside the display
 * code); once bundled it would mean `appliance/dist`. Rewrite it to the source folder, relative to
 * the bundle, so the compiled box finds the same files wherever the tree is installed.
 */
const sourceDirname: Plugin = {
  name: 'vigie-source-dirname',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.dirname')) return undefined;
      const rel = relative(BOX_DIST, dirname(args.path));
      return { contents: source.replaceAll('import.meta.dirname', `(import.meta.dirname + ${JSON.stringify(`/${rel}`)})`), loader: 'ts' };
    });
  },
};

/** Compile the box into `appliance/dist/`; returns the files written. */
export async function buildBox(): Promise<string[]> {
  // Chunk names carry a hash: clear the old ones so that dist/ holds exactly one build.
  rmSync(BOX_DIST, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { 'vigie-box': 'appliance/src/cli.ts', 'vigie-modem-emulator': 'appliance/src/modem/emulator/cli.ts' },
    outdir: BOX_DIST,
    bundle: true,
    // Chunks: each process loads only what its role imports (the safety core never loads the
    // screen's canvas, nor the telemetry its Kafka client).
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Whitespace and syntax only: smaller sources held in every process's heap, the names kept for
    // stack traces. The source maps are written beside, not referenced: no memory on the box,
    // and a stack trace's positions can still be mapped back to the sources afterwards.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'external',
    plugins: [externalPackages, sourceDirname],
    metafile: true,
    logLevel: 'warning',
    banner: {
      js: [
        '// Compiled from appliance/src by `npm run build` (scripts/lib/box-build.ts). Do not edit.',
        // Bundled CommonJS packages call require() (for node: built-ins and the external packages).
        "import { createRequire as __vigieCreateRequire } from 'node:module';",
        'const require = __vigieCreateRequire(import.meta.url);',
      ].join('\n'),
    },
  });
  const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules/'));
  writeFileSync(INPUTS_FILE, `${JSON.stringify(inputs, null, 1)}\n`);
  return Object.keys(result.metafile.outputs);
}

/** Why the compiled box must be (re)built, or undefined when it is up to date. */
export function boxBuildStaleness(): string | undefined {
  if (!existsSync(BOX_CLI) || !existsSync(INPUTS_FILE)) return 'not built';
  const builtAt = statSync(INPUTS_FILE).mtimeMs;
  const inputs = JSON.parse(readFileSync(INPUTS_FILE, 'utf8')) as string[];
  for (const input of inputs) {
    const file = join(ROOT, input);
    if (!existsSync(file)) return `${input} is gone`;
    if (statSync(file).mtimeMs > builtAt) return `${input} changed`;
  }
  return undefined;
}

/** Build the box when it is missing or older than one of its sources (`npm start`, the benchmark). */
export async function ensureBoxBuild(log: (line: string) => void = console.log): Promise<void> {
  const why = boxBuildStaleness();
  if (!why) return;
  log(`building the box (${why})…`);
  await buildBox();
}
