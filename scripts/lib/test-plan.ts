/**
 * Which test files use a database, so `npm test` runs them on PostgreSQL as well as on PGlite and
 * runs the others once. Conservative by construction: a file counts when anything it imports, however
 * far, can open a database (the store's `open.ts`), or when its own text names `DATABASE_URL` or
 * `testsUsePostgres` (a test that starts a cloud as a child process imports nothing of the store).
 * Running a file that never opens a database twice costs time; missing one would leave PostgreSQL
 * untested, so the rule errs on the side of running.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reachableFiles, workspaceResolver } from './source-graph.ts';

/** The file through which every database of the cloud is opened (PGlite or PostgreSQL). */
export const DATABASE_ENTRY = 'cloud-store/src/db/open.ts';

const NAMES_DATABASE = /\bDATABASE_URL\b|\btestsUsePostgres\b/;

/** The subset of `files` (relative to `root`) that use a database, in the same order. */
export function testsUsingDatabase(root: string, files: readonly string[]): string[] {
  const resolveWorkspace = workspaceResolver(root);
  const entry = join(root, DATABASE_ENTRY);
  const cache = new Map<string, string[]>();
  return files.filter((file) => {
    const path = join(root, file);
    return NAMES_DATABASE.test(readFileSync(path, 'utf8')) || reachableFiles(path, resolveWorkspace, cache).has(entry);
  });
}
