import { Type } from '@sinclair/typebox';
import type { Queryable } from '@vigie/cloud-store';
import { portalErrors } from '../errors.ts';

/** Soft-deleted items can be restored for this long (the FMEA's admin-error row). */
export const RESTORE_WINDOW_MS = 30 * 86_400_000;

/** Path parameter of an account, patient or registration id. */
export const Uuid = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' });
/** Body of a destructive action: `confirm` repeats the item's name (e-mail, patient name, serial). */
export const ConfirmBody = Type.Object({ confirm: Type.String({ minLength: 1, maxLength: 254 }) }, { additionalProperties: false });

/** What an admin change is about. */
export type AuditEntity = 'account' | 'patient' | 'care_link' | 'box' | 'bracelet' | 'registration' | 'release' | 'campaign';

/**
 * Write one admin change to `admin_audit`: who, what, the item before and after (null for a
 * creation / a removal). In the same transaction as the change: no change without its trail.
 */
export async function audit(
  q: Queryable,
  entry: { actorId: string; action: string; entity: AuditEntity; entityId: string; before: unknown; after: unknown; at: number },
): Promise<void> {
  await q.query('INSERT INTO admin_audit (at, actor_id, action, entity, entity_id, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    new Date(entry.at).toISOString(),
    entry.actorId,
    entry.action,
    entry.entity,
    entry.entityId,
    entry.before === null ? null : JSON.stringify(entry.before),
    entry.after === null ? null : JSON.stringify(entry.after),
  ]);
}

/** Refuse a destructive action whose confirmation does not repeat `expected` (case and spaces forgiven). */
export function checkConfirmation(confirm: string, expected: string): void {
  if (confirm.trim().toLowerCase() !== expected.trim().toLowerCase()) {
    throw portalErrors.create('PORTAL_CONFIRMATION_MISMATCH', { message: 'confirm must repeat the name of the item', details: { field: '/confirm' } });
  }
}

/** Refuse to restore an item deleted more than {@link RESTORE_WINDOW_MS} ago (or not deleted). */
export function checkRestorable(deletedAt: Date | null, now: number): void {
  if (deletedAt === null) throw portalErrors.create('PORTAL_CONFLICT', { message: 'Not deleted' });
  if (now - deletedAt.getTime() > RESTORE_WINDOW_MS) throw portalErrors.create('PORTAL_RESTORE_EXPIRED');
}
