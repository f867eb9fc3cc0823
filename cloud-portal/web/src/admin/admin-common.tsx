/** What the admin tabs share: loading a list, the table frame, running a change, the restore window. */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { adminGet } from '../api/accounts.ts';
import type { ConfirmRequest } from './confirm-dialog.tsx';

/**
 * How long a soft-deleted item can be restored: the server's RESTORE_WINDOW_MS
 * (cloud-portal/src/admin/audit.ts). Only decides whether « Restaurer » is offered; the server
 * decides whether it happens.
 */
export const RESTORE_WINDOW_MS = 30 * 86_400_000;

/** Whether an item removed at `removedAt` (ms) can still be restored. */
export const restorable = (removedAt: number | null, now = Date.now()): boolean => removedAt !== null && now - removedAt <= RESTORE_WINDOW_MS;

/** Run an admin change (`okText` announced on success, else "done"), say how it went, reload. */
export type Act = (reload: () => void) => (run: () => Promise<unknown>, okText?: string) => Promise<void>;

/** Ask the second confirmation (or a reason): the typed text, or null when cancelled. */
export type Ask = (request: ConfirmRequest) => Promise<string | null>;

/**
 * Load `path` and reload on demand. While `path` is null nothing is loaded, and what was is
 * forgotten: coming back to a path does not show its old answer while asking again.
 */
export function useAdmin<T>(path: string | null): { data: T | null; error: unknown; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    if (path === null) {
      setData(null);
      return;
    }
    let live = true;
    adminGet<T>(path).then((d) => live && setData(d), (e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [path, n]);
  return { data: path === null ? null : data, error, reload: useCallback(() => setN((x) => x + 1), []) };
}

export function Table({ head, children }: { head: string[]; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table className="admin-table">
        <thead><tr>{head.map((h) => <th key={h} scope="col">{h}</th>)}</tr></thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
