import { statfs } from 'node:fs/promises';
import type { Heartbeat } from '@vigie/protocol';
import type { BoxDatabase } from '../store/database.ts';

/**
 * Bytes free for the box's own files on the file system holding `path` (what an unprivileged
 * process may still write: `bavail`, not `bfree`). Null when it cannot be read.
 */
export async function diskFreeBytes(path: string): Promise<number | null> {
  try {
    const s = await statfs(path);
    return Math.max(0, Math.floor(Number(s.bavail) * Number(s.bsize)));
  } catch {
    return null;
  }
}

/** The software versions a heartbeat reports: the box's, Node's and the store's SQLite. */
export function softwareVersions(boxVersion: string, db: BoxDatabase): Heartbeat['software'] {
  const sqlite = db.prepare<[], { v: string }>('SELECT sqlite_version() AS v').get()?.v;
  return { box: boxVersion, node: process.versions.node, ...(sqlite ? { sqlite } : {}) };
}
