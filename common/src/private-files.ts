/**
 * Files of the data directory are private to the service's user (issue 10, finding 8): folders
 * 0700, files 0600. They hold medical data (PGlite, the box's SQLite store), secrets (the secrets
 * key, the box file's token, TLS private keys) and live links (captured e-mails with reset links).
 *
 * Two layers: every file Vigie writes itself goes through these helpers (explicit modes, and an
 * existing file or folder with looser modes is tightened), and each process that lets a library
 * create files (PGlite's data directory, SQLite's -wal and -shm) sets the umask to 077 at start
 * ({@link restrictNewFiles}) and tightens what an older version left ({@link restrictTree}).
 */
import { appendFileSync, chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { appendFile, chmod, mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Mode of a data folder: the service's user only. */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of a data file: read and write by the service's user only. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * chmod `path` to `mode`. Someone else's entry that is already closed to group and others (a
 * folder root created 0700 for the service) is accepted as it is: only an entry left open fails.
 */
function tighten(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM' || (statSync(path).mode & 0o077) !== 0) throw err;
  }
}

async function tightenAsync(path: string, mode: number): Promise<void> {
  try {
    await chmod(path, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM' || ((await stat(path)).mode & 0o077) !== 0) throw err;
  }
}

/** Files and folders created from now on by this process get no group or other permission. */
export function restrictNewFiles(): void {
  process.umask(0o077);
}

/**
 * Create `dir` (and missing parents) as 0700, and set 0700 on `dir` when it already existed.
 * Parents that existed are left alone (the data directory may sit in a shared folder).
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, PRIVATE_DIR_MODE);
}

/** {@link ensurePrivateDir}, asynchronously. */
export async function ensurePrivateDirAsync(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await tightenAsync(dir, PRIVATE_DIR_MODE);
}

/** Write `data` to `path` (0600, its folder 0700); an existing file is tightened too. */
export function writePrivateFile(path: string, data: string | Uint8Array): void {
  ensurePrivateDir(dirname(path));
  writeFileSync(path, data, { mode: PRIVATE_FILE_MODE });
  tighten(path, PRIVATE_FILE_MODE);
}

/** Append `data` to `path` (created 0600 in a 0700 folder; an existing file is tightened). */
export function appendPrivateFileSync(path: string, data: string): void {
  ensurePrivateDir(dirname(path));
  appendFileSync(path, data, { mode: PRIVATE_FILE_MODE });
  tighten(path, PRIVATE_FILE_MODE);
}

/** {@link appendPrivateFileSync}, asynchronously. */
export async function appendPrivateFile(path: string, data: string): Promise<void> {
  await ensurePrivateDirAsync(dirname(path));
  await appendFile(path, data, { mode: PRIVATE_FILE_MODE });
  await tightenAsync(path, PRIVATE_FILE_MODE);
}

/**
 * Create `path` empty as 0600 unless it exists (then tighten it): for a file a library opens
 * next, e.g. an SQLite database, whose -wal and -shm files SQLite then creates with the same mode.
 */
export function touchPrivateFile(path: string): void {
  ensurePrivateDir(dirname(path));
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  tighten(path, PRIVATE_FILE_MODE);
}

/**
 * Tighten a whole tree: `root` and every folder under it 0700, every file 0600 (symbolic links
 * are not followed). For folders a library fills (PGlite's data directory) and for data written
 * by an older version. Answers how many entries it changed. A missing `root` is nothing to do.
 */
export function restrictTree(root: string): number {
  let changed = 0;
  const visit = (path: string): void => {
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat || stat.isSymbolicLink()) return;
    const wanted = stat.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
    if ((stat.mode & 0o777) !== wanted) {
      tighten(path, wanted);
      changed += 1;
    }
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return changed;
}
