import { sha256Hex, type Db } from '@vigie/cloud-store';
import { cloudErrors } from '../errors.ts';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{16,512})$/;

/**
 * The box a request comes from, from its `Authorization: Bearer <token>` header: the token's
 * sha256 must be a box's, and the box not revoked. Missing header, unknown token and revoked box
 * all fail with the same INGEST_UNAUTHORIZED, so the answer reveals nothing about which boxes exist.
 */
export async function authenticateBox(db: Db, authorization: string | undefined): Promise<string> {
  const token = BEARER.exec(authorization ?? '')?.[1];
  if (token) {
    const { rows } = await db.query<{ id: string }>('SELECT id FROM boxes WHERE token_hash = $1 AND revoked_at IS NULL', [
      sha256Hex(token),
    ]);
    if (rows[0]) return rows[0].id;
  }
  throw cloudErrors.create('INGEST_UNAUTHORIZED');
}
