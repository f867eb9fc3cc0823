import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Db } from '@vigie/cloud-store';

/** Why a Kafka message's sender could not be authenticated (dead-letter `field`). */
export type AuthFailure = 'missing_box_id' | 'key_mismatch' | 'missing_signature' | 'unknown_box' | 'no_signing_key' | 'bad_signature';

/**
 * Authenticates box messages on Kafka. A message names its box (`vigie-box-id`, equal to the
 * message key) and signs its value with the box's own ed25519 key (protocol `KAFKA_HEADERS`).
 * The cloud holds only public keys (`boxes.signing_public_key`): neither the Kafka log nor a copy
 * of the database lets anyone sign as a box. A box that has not registered its key yet cannot
 * be heard on Kafka (`no_signing_key`).
 *
 * Keys are cached per box for `ttlMs` (a revocation takes effect within it), unknown and revoked
 * boxes too, so a flood of junk does not become a flood of queries.
 */
export class BoxKeyring {
  readonly #db: Db;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, { key: KeyObject | null; known: boolean; until: number }>();

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
    const { rows } = await this.#db.query<{ id: string; signing_public_key: string | null }>(
      'SELECT id, signing_public_key FROM boxes WHERE id = ANY($1::text[]) AND revoked_at IS NULL',
      [missing],
    );
    const found = new Map(rows.map((r) => [r.id, r.signing_public_key]));
    for (const id of missing) {
      const text = found.get(id);
      this.#cache.set(id, { key: text ? publicKeyOf(text) : null, known: found.has(id), until: now + this.#ttlMs });
    }
    if (this.#cache.size > 200_000) this.#evict(now);
  }

  /**
   * The authenticated box id, or why not. Call {@link prefetch} for the box first. The signature
   * is checked on libuv's thread pool (ed25519 verification costs ~50 µs of CPU per message):
   * the messages of a chunk are verified in parallel, off the consumer's event loop.
   */
  async verify(key: string | null, boxId: string | null, signature: string | null, value: Buffer): Promise<{ boxId: string } | { failure: AuthFailure }> {
    if (!boxId) return { failure: 'missing_box_id' };
    if (key !== boxId) return { failure: 'key_mismatch' };
    if (!signature || !/^[0-9a-f]{128}$/.test(signature)) return { failure: 'missing_signature' };
    await this.prefetch([boxId]);
    const entry = this.#cache.get(boxId);
    if (!entry?.known) return { failure: 'unknown_box' };
    if (!entry.key) return { failure: 'no_signing_key' };
    const ok = await new Promise<boolean>((resolve) =>
      verify(null, value, entry.key!, Buffer.from(signature, 'hex'), (err, result) => resolve(!err && result)),
    );
    return ok ? { boxId } : { failure: 'bad_signature' };
  }

  #evict(now: number): void {
    for (const [id, entry] of this.#cache) if (entry.until <= now) this.#cache.delete(id);
  }
}

/** A stored public key, or null when it is not a usable ed25519 key (the message is then refused). */
function publicKeyOf(text: string): KeyObject | null {
  try {
    const key = createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}
