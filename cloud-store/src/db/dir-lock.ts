import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { storeErrors } from '../errors.ts';

/** What a lock file records about its holder. */
interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  readonly startedAt: string;
}

/** Lock files this process holds, so a second open in the same process is refused too. */
const heldHere = new Set<string>();

/** A held directory lock; `release()` is idempotent. */
export interface DirLock {
  readonly path: string;
  release(): void;
}

/**
 * Take the exclusive lock `<dir>.lock` for a PGlite data directory.
 *
 * PGlite has no lock of its own, and two processes writing one directory silently lose rows, so
 * `npm start` run twice must fail here. The lock file holds the owner's pid and host; a lock
 * whose owner is no longer alive (a crash, a container restart) is taken over. Creation uses
 * `O_EXCL`, so two processes starting together cannot both win a fresh lock.
 */
export function lockDirectory(dir: string): DirLock {
  const path = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(path)) {
      heldHere.add(path);
      return {
        path,
        release() {
          if (!heldHere.delete(path)) return;
          // Remove only our own lock: if it was taken over meanwhile, it is no longer ours.
          if (readOwner(path)?.pid === process.pid) unlinkSync(path);
        },
      };
    }
    const owner = readOwner(path);
    if (owner && isAlive(owner, path)) {
      throw storeErrors.create('CLOUD_DB_LOCKED', {
        message: `The embedded database ${dir} is in use by process ${owner.pid} on ${owner.hostname} (lock ${path}). Stop that process, or set DATABASE_URL to share a PostgreSQL server.`,
        details: { dir, lock: path, pid: owner.pid, host: owner.hostname, since: owner.startedAt },
      });
    }
    // Stale (dead owner) or unreadable (a crash between create and write): remove and retry once.
    try {
      unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw storeErrors.create('CLOUD_DB_LOCKED', {
    message: `Could not take the lock ${path}: another process is taking it at the same moment.`,
    details: { dir, lock: path },
  });
}

function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    const owner: LockOwner = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readOwner(path: string): LockOwner | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.hostname !== 'string') return null;
    return { pid: parsed.pid, hostname: parsed.hostname, startedAt: String(parsed.startedAt) };
  } catch {
    return null;
  }
}

function isAlive(owner: LockOwner, path: string): boolean {
  // A lock written on another host (a shared volume) cannot be checked from here: assume alive.
  if (owner.hostname !== hostname()) return true;
  // Our own pid but not held by us: left by an earlier run that had the same pid (containers
  // restart with the same pids).
  if (owner.pid === process.pid) return heldHere.has(path);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
