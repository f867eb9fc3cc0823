import { closeSync, fstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { provisioningErrors } from './errors.ts';

/**
 * An exclusive lock shared by every process of the box (safety core, telemetry service, the
 * technician's `vigie-box`) around a read → change → write of one file.
 *
 * Node has no flock(2), so the lock is a file created with O_CREAT|O_EXCL (`openSync(…, 'wx')`).
 * Why that is sound here: the box file and its lock sit on a local filesystem (ext4 on the Pi's
 * SD card, never NFS), where the kernel makes "create if absent" atomic under the directory's
 * lock, so exactly one process gets it; every writer is on this machine and goes through this
 * module. The lock holds the owner's pid, the kernel's boot id, the owner's monotonic clock and a
 * random token. It is never fsynced: it needs no durability (one surviving a power cut is stale
 * by its boot id), and it costs the card two small metadata updates per change, next to the box
 * file's own write and two fsyncs.
 *
 * What a file lock cannot do is vanish with its owner, so a waiter takes over a lock that is stale:
 * - written in an earlier boot (boot id differs, or its monotonic time is ahead of ours): after a
 *   power cut the pids it names may belong to anything now;
 * - whose pid is dead (`kill(pid, 0)` fails with ESRCH; EPERM means alive, another user's);
 * - whose pid and thread are ours while we do not hold it (an earlier process that had our pid);
 * - held longer than `staleMs` (a holder stuck far beyond a file write), or, when its content is
 *   unreadable (empty: a power cut after create, before the data reached the card), older than
 *   that by its mtime.
 * Ages use CLOCK_MONOTONIC (`process.hrtime`, system-wide on Linux), not the wall clock: a Pi has
 * no RTC and its clock jumps at the first NTP sync.
 *
 * Takeover is serialised by a second O_EXCL file (`<lock>.break`): its holder reads the lock again
 * and removes it only if it is still the very file judged stale (same inode, same content). A
 * plain rename or unlink by each waiter would not do: two waiters judging the same stale lock
 * could otherwise both act, the second one removing the fresh lock the first had just created.
 * The break section only reads a small file and unlinks it; should its holder die inside it, its
 * break file is itself stale by the same rules (two waiters removing one stale break file at once
 * could then both break: that needs a crash inside a microsecond section first). Residual risk,
 * accepted: a holder that overruns `staleMs` loses its exclusivity (its own write stays atomic;
 * one update may be lost). One process per pid and thread: `held` is per module instance.
 *
 * Waiting is synchronous (the callers are synchronous, and short: one small file, two fsyncs), in
 * steps of 1 to 20 ms with jitter (`Atomics.wait`, no busy loop), and bounded by `waitMs`, after
 * which `PROVISION_FILE_LOCKED` is thrown and nothing is written.
 */

/** How long to wait for another process's lock, and when a lock is abandoned. */
export interface FileLockOptions {
  /** Longest wait for the lock, ms (default 5 000). */
  readonly waitMs?: number;
  /** A lock held longer than this is taken over whoever holds it, ms (default 30 000). */
  readonly staleMs?: number;
}

export const DEFAULT_LOCK_WAIT_MS = 5_000;
export const DEFAULT_LOCK_STALE_MS = 30_000;

/** What a lock file says about its owner. */
interface LockOwner {
  readonly pid: number;
  readonly thread: number;
  readonly boot: string | null;
  readonly mono: number;
  readonly token: string;
}

/** A lock file as one read saw it. */
interface SeenLock {
  readonly ino: number;
  readonly mtimeMs: number;
  readonly raw: string;
  readonly owner: LockOwner | null;
}

/** This boot's id (Linux), null elsewhere: the monotonic clock alone then tells earlier boots. */
const BOOT_ID: string | null = (() => {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
})();

/** Lock files this process holds (a nested update of the same file is a bug, not a wait). */
const held = new Set<string>();
const sleeper = new Int32Array(new SharedArrayBuffer(4));

const monoMs = (): number => Number(process.hrtime.bigint() / 1_000_000n);
const errCode = (err: unknown): unknown => (err as NodeJS.ErrnoException | null)?.code;

/** Run `fn` holding the lock `lockPath`; the lock is released whatever `fn` does. */
export function withFileLock<T>(lockPath: string, fn: () => T, options: FileLockOptions = {}): T {
  if (held.has(lockPath)) throw new Error(`${lockPath} is already held by this process: nested update`);
  const token = acquire(lockPath, options.waitMs ?? DEFAULT_LOCK_WAIT_MS, options.staleMs ?? DEFAULT_LOCK_STALE_MS);
  held.add(lockPath);
  try {
    return fn();
  } finally {
    held.delete(lockPath);
    // Removed only if still ours: after an overrun past staleMs it may be another process's now.
    const seen = readLock(lockPath);
    if (seen?.owner?.token === token) unlinkQuietly(lockPath);
  }
}

function acquire(lockPath: string, waitMs: number, staleMs: number): string {
  const deadline = performance.now() + waitMs;
  let step = 1;
  for (;;) {
    const token = tryCreate(lockPath);
    if (token !== null) return token;
    const seen = readLock(lockPath);
    // Released meanwhile, or a stale lock just removed: try again at once.
    const again = seen === null || (staleReason(seen, staleMs) !== null && breakStale(lockPath, seen, staleMs));
    const left = deadline - performance.now();
    if (left <= 0) {
      throw provisioningErrors.create('PROVISION_FILE_LOCKED', {
        message: `Another process holds ${lockPath} (pid ${seen?.owner?.pid ?? 'unknown'}); gave up after ${waitMs} ms`,
        details: { lockPath, waitedMs: waitMs, ownerPid: seen?.owner?.pid ?? null, heldMs: seen?.owner ? monoMs() - seen.owner.mono : null },
      });
    }
    if (again) continue;
    // Jitter keeps two waiters from retrying in lockstep.
    Atomics.wait(sleeper, 0, 0, Math.min(left, step * (0.5 + Math.random())));
    step = Math.min(step * 2, 20);
  }
}

/** Create `path` exclusively with this process's owner record; null when it already exists. */
function tryCreate(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644); // no secret in it: any user's waiter may read its owner
  } catch (err) {
    if (errCode(err) === 'EEXIST') return null;
    throw err;
  }
  const token = randomBytes(8).toString('hex');
  const owner: LockOwner & { at: string } = { pid: process.pid, thread: threadId, boot: BOOT_ID, mono: monoMs(), token, at: new Date().toISOString() };
  try {
    writeSync(fd, JSON.stringify(owner));
  } catch (err) {
    // A full card: leave no empty lock behind for others to wait on.
    closeSync(fd);
    unlinkQuietly(path);
    throw err;
  }
  closeSync(fd);
  return token;
}

/** The lock file as it is now (inode, content and owner from one open file), null when absent. */
function readLock(path: string): SeenLock | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if (errCode(err) === 'ENOENT') return null;
    throw err;
  }
  try {
    const st = fstatSync(fd);
    const raw = readFileSync(fd, 'utf8');
    return { ino: st.ino, mtimeMs: st.mtimeMs, raw, owner: parseOwner(raw) };
  } finally {
    closeSync(fd);
  }
}

function parseOwner(raw: string): LockOwner | null {
  try {
    const o = JSON.parse(raw) as Partial<LockOwner>;
    // pid > 0: kill(0 or negative) would probe process groups.
    if (!Number.isInteger(o.pid) || o.pid! <= 0 || typeof o.mono !== 'number' || typeof o.token !== 'string') return null;
    return { pid: o.pid!, thread: typeof o.thread === 'number' ? o.thread : 0, boot: typeof o.boot === 'string' ? o.boot : null, mono: o.mono, token: o.token };
  } catch {
    return null; // empty or half-written
  }
}

/** Why this lock is abandoned, or null while its owner may still be at work. */
function staleReason(seen: SeenLock, staleMs: number): string | null {
  const o = seen.owner;
  if (o === null) return Math.abs(Date.now() - seen.mtimeMs) > staleMs ? 'unreadable_and_old' : null;
  if (o.boot !== null && BOOT_ID !== null && o.boot !== BOOT_ID) return 'earlier_boot';
  const age = monoMs() - o.mono;
  if (age < 0) return 'earlier_boot';
  // Were it ours, it would be in `held` (checked before waiting); another thread of ours is alive.
  if (o.pid === process.pid && o.thread === threadId) return 'earlier_process';
  try {
    process.kill(o.pid, 0);
  } catch (err) {
    if (errCode(err) === 'ESRCH') return 'owner_dead';
  }
  return age > staleMs ? 'held_too_long' : null;
}

/**
 * Remove the stale lock `seen` if it is still there, under `<lock>.break`. True when the caller
 * may try to create the lock again at once; false when another process is breaking it.
 */
function breakStale(lockPath: string, seen: SeenLock, staleMs: number): boolean {
  const guard = `${lockPath}.break`;
  if (tryCreate(guard) === null) {
    // A breaker that died inside its section: its guard is stale by the same rules.
    const g = readLock(guard);
    if (g !== null && staleReason(g, staleMs) !== null) unlinkQuietly(guard);
    return false;
  }
  try {
    const now = readLock(lockPath);
    if (now !== null && now.ino === seen.ino && now.raw === seen.raw) unlinkQuietly(lockPath);
  } finally {
    unlinkQuietly(guard);
  }
  return true;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if (errCode(err) !== 'ENOENT') throw err;
  }
}
