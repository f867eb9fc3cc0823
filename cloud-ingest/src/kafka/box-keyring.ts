import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '@vigie/cloud-store';

/** Why a Kafka message's sender could not be authenticated (dead-letter `field`). */
export type AuthFailure = 'missing_box_id' | 'key_mismatch' | 'missing_signature' | 'unknown_box' | 'bad_signature';

/**
 * Authenticates box messages on Kafka. A message names its box (`vigie-box-id`, equal to the
 * message key) and signs its value: `hex(HMAC-SHA256(key = boxes.token_hash, value))` (protocol
 * `KAFKA_HEADERS`). The cloud holds only token hashes, the Kafka log never holds a token.
 *
 * Token hashes are cached per box for `ttlMs` (a revocation takes effect within it), unknown and
 * revoked boxes too, so a flood of junk does not become a flood of queries.
 */
export class BoxKeyring {
  readonly #db: Db;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, { hash: string | null; until: number }>();

  constructor(db: Db, options: { ttlMs?: number; now?: () => number } = {}) {
    this.#db = db;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /** Load the keys of `boxIds` not cached yet in one query (a chunk of messages). Throws on DB failure. */
  async prefetch(boxIds: Iterable<string>): Promise<void> {
    const now = this.#now();
    const missing = [...new Set(boxIds)].filter((id) => (this.#cache.get(id)?.until ?? 0) <= now);
    if (missing.length === 0) return;
    const { rows } = await this.#db.query<{ id: string; token_hash: string }>(
      'SELECT id, token_hash FROM boxes WHERE id = ANY($1::text[]) AND revoked_at IS NULL',
      [missing],
    );
    const found = new Map(rows.map((r) => [r.id, r.token_hash]));
    for (const id of missing) this.#cache.set(id, { hash: found.get(id) ?? null, until: now + this.#ttlMs });
    if (this.#cache.size > 200_000) this.#evict(now);
  }

  /** The authenticated box id, or why not. Call {@link prefetch} for the box first. */
  async verify(key: string | null, boxId: string | null, signature: string | null, value: Buffer): Promise<{ boxId: string } | { failure: AuthFailure }> {
    if (!boxId) return { failure: 'missing_box_id' };
    if (key !== boxId) return { failure: 'key_mismatch' };
    if (!signature || !/^[0-9a-f]{64}$/.test(signature)) return { failure: 'missing_signature' };
    await this.prefetch([boxId]);
    const hash = this.#cache.get(boxId)?.hash ?? null;
    if (!hash) return { failure: 'unknown_box' };
    const expected = createHmac('sha256', hash).update(value).digest();
    return timingSafeEqual(expected, Buffer.from(signature, 'hex')) ? { boxId } : { failure: 'bad_signature' };
  }

  #evict(now: number): void {
    for (const [id, entry] of this.#cache) if (entry.until <= now) this.#cache.delete(id);
  }
}
