import { createPublicKey } from 'node:crypto';
import type { Queryable } from '@vigie/cloud-store';
import { cloudErrors } from '../errors.ts';

/**
 * Keep a box's Kafka signing public key (ed25519, SubjectPublicKeyInfo DER in base64). The first
 * key a box registers stays: the same key again is a no-op, another key is refused
 * (INGEST_SIGNING_KEY_CONFLICT) so that someone holding a box token cannot silently swap the key of
 * a box already talking on Kafka. Re-provisioning a box clears it (`clearBoxSigningKey`).
 */
export async function registerBoxSigningKey(q: Queryable, boxId: string, publicKey: string): Promise<void> {
  let usable = false;
  try {
    usable = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' }).asymmetricKeyType === 'ed25519';
  } catch {
    usable = false;
  }
  if (!usable) throw cloudErrors.create('INGEST_INVALID_BODY', { message: '/publicKey: not an ed25519 public key', details: { field: '/publicKey' } });
  // One statement: two registrations racing cannot both win.
  const { rows } = await q.query<{ signing_public_key: string | null }>(
    'UPDATE boxes SET signing_public_key = coalesce(signing_public_key, $2) WHERE id = $1 RETURNING signing_public_key',
    [boxId, publicKey],
  );
  if (rows[0]?.signing_public_key !== publicKey) throw cloudErrors.create('INGEST_SIGNING_KEY_CONFLICT', { details: { field: '/publicKey' } });
}

/** Forget a box's signing key (re-provisioning): its next registration is accepted. */
export async function clearBoxSigningKey(q: Queryable, boxId: string): Promise<void> {
  await q.query('UPDATE boxes SET signing_public_key = NULL WHERE id = $1', [boxId]);
}
