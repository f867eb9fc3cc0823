import type { Queryable } from '@vigie/cloud-store';
import type { AccountRole, Locale, PortalUser } from '../api-types.ts';
import { hashPassword } from './passwords.ts';

/** What is needed to create an account. */
export interface NewAccount {
  readonly email: string;
  readonly displayName: string;
  readonly role: AccountRole;
  readonly password: string;
  readonly locale?: Locale;
}

/** Emails are compared lower-case and trimmed (the column is constrained lower-case). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Create an account unless one with this email exists; returns its id either way and whether it
 * was created. The password is hashed only when the account is new.
 */
export async function ensureAccount(q: Queryable, account: NewAccount): Promise<{ id: string; created: boolean }> {
  const email = normaliseEmail(account.email);
  const existing = await q.query<{ id: string }>('SELECT id FROM accounts WHERE email = $1', [email]);
  if (existing.rows[0]) return { id: existing.rows[0].id, created: false };
  const passwordHash = await hashPassword(account.password);
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO accounts (email, display_name, role, password_hash, locale) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (email) DO NOTHING RETURNING id`,
    [email, account.displayName, account.role, passwordHash, account.locale ?? 'fr'],
  );
  if (rows[0]) return { id: rows[0].id, created: true };
  // Created by someone else between our SELECT and INSERT.
  const again = await q.query<{ id: string }>('SELECT id FROM accounts WHERE email = $1', [email]);
  return { id: again.rows[0]!.id, created: false };
}

/** Link an account to a patient (idempotent). */
export async function linkCare(q: Queryable, patientId: string, accountId: string, relation: 'patient' | 'doctor' | 'nurse' | 'relative'): Promise<void> {
  await q.query(
    'INSERT INTO care_links (patient_id, account_id, relation) VALUES ($1, $2, $3) ON CONFLICT (patient_id, account_id) DO NOTHING',
    [patientId, accountId, relation],
  );
}

/** The public view of an account row. */
export function toUser(row: { id: string; email: string; display_name: string; role: AccountRole; locale: Locale }): PortalUser {
  return { id: row.id, email: row.email, displayName: row.display_name, role: row.role, locale: row.locale };
}
