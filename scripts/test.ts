/**
 * `npm test`: every `*.test.ts` of every workspace under the node:test runner, TypeScript through tsx.
 *
 * Extra arguments are passed through (e.g. `npm test -- --test-name-pattern=fall`); a path argument
 * restricts the run to test files under it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const skip = new Set(['node_modules', '.git', 'data', 'dist']);

function collect(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir)) {
    if (skip.has(entry)) continue;
    const path = join(dir, entry);
    const stat = statSync(path);
    if (stat.isDirectory()) collect(path, out);
    else if (entry.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const paths = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const roots = paths.length > 0 ? paths.map((p) => resolve(p)) : [root];
const files = roots
  .flatMap((r) => (statSync(r).isDirectory() ? collect(r, []) : [r]))
  .map((f) => relative(root, f))
  .sort();

if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=240000', ...flags, ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' } },
);
process.exit(result.status ?? 1);
