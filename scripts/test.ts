/**
 * `npm test`: every `*.test.ts` of every workspace under the node:test runner, TypeScript through tsx,
 * on the embedded database (PGlite).
 *
 * With `DATABASE_URL` set (a PostgreSQL ≥ 15 server the tests may create databases on), the test
 * files that use a database also run against it, in a second runner beside the first: the two
 * databases are checked in one pass, and the tests that never open a database (the box, the
 * protocol, the bracelet: two thirds of the files) run once, not twice. A file uses a database when
 * its imports reach the store's `open.ts` or it names `DATABASE_URL` itself (the tests that start a
 * cloud as a child process): `scripts/lib/test-plan.ts`.
 *
 * Extra arguments are passed through (e.g. `npm test -- --test-name-pattern=fall`); a path argument
 * restricts the run to test files under it.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { listFiles } from './lib/source-graph.ts';
import { testsUsingDatabase } from './lib/test-plan.ts';

const root = resolve(import.meta.dirname, '..');
const skip = new Set(['node_modules', '.git', 'data', 'dist']);

const args = process.argv.slice(2);
const paths = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const roots = paths.length > 0 ? paths.map((p) => resolve(p)) : [root];
const files = roots
  .flatMap((r) => (statSync(r).isDirectory() ? listFiles(r, (name) => name.endsWith('.test.ts'), skip) : [r]))
  .map((f) => relative(root, f))
  .sort();

if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

interface Run {
  readonly name: string;
  readonly files: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

const postgresUrl = process.env.DATABASE_URL;
const { DATABASE_URL: _unset, ...withoutPostgres } = process.env;
const base = { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' };
const runs: Run[] = [{ name: 'pglite', files, env: { ...withoutPostgres, ...base } }];
if (postgresUrl) {
  const databaseFiles = testsUsingDatabase(root, files);
  if (databaseFiles.length > 0) runs.push({ name: 'postgres', files: databaseFiles, env: { ...process.env, ...base } });
}

/** One node:test runner; with two at once, each output line is prefixed with the run's name. */
function start(run: Run, prefixed: boolean): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=240000', ...flags, ...run.files], {
    cwd: root,
    stdio: prefixed ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    env: run.env,
  });
  if (prefixed) {
    for (const [stream, out] of [
      [child.stdout!, process.stdout],
      [child.stderr!, process.stderr],
    ] as const) {
      createInterface({ input: stream }).on('line', (line) => out.write(`[${run.name}] ${line}\n`));
    }
  }
  return new Promise((resolveExit) => child.on('close', (code, signal) => resolveExit(code ?? (signal ? 1 : 0))));
}

if (runs.length > 1) {
  console.log(`npm test: ${runs.map((r) => `${r.files.length} files on ${r.name}`).join(', ')}`);
}
const codes = await Promise.all(runs.map((run) => start(run, runs.length > 1)));
if (runs.length > 1) {
  for (const [i, run] of runs.entries()) console.log(`npm test: ${run.name} ${codes[i] === 0 ? 'passed' : `failed (exit ${codes[i]})`}`);
}
process.exit(codes.every((code) => code === 0) ? 0 : 1);
