import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { sha256Hex, type Queryable } from '@vigie/cloud-store';

type IncrCallback = Parameters<FastifyRateLimitStore['incr']>[1];

/**
 * The counters of @fastify/rate-limit in the database (`rate_limit_hits`, migration 0021) instead
 * of the plugin's in-process LRU, so a client spreading its attempts over several portal
 * instances meets one limit. One statement per hit: an upsert that restarts the window when it
 * has ended, with the database's clock (the same for every instance). The key (route and client
 * address) is stored as its SHA-256: no address in clear. Expired rows are swept by
 * {@link sweepRateLimitHits}.
 */
export function databaseRateLimitStore(db: Queryable): FastifyRateLimitStoreCtor {
  class DatabaseRateLimitStore implements FastifyRateLimitStore {
    readonly #prefix: string;
    constructor(_options: unknown, prefix = '') {
      this.#prefix = prefix;
    }

    incr(key: string, callback: IncrCallback, timeWindow: number): void {
      db.query<{ hits: number; ttl: number }>(
        `INSERT INTO rate_limit_hits AS h (key, hits, window_ends_at)
              VALUES ($1, 1, now() + $2::int8 * interval '1 millisecond')
         ON CONFLICT (key) DO UPDATE SET
              hits = CASE WHEN h.window_ends_at <= now() THEN 1 ELSE h.hits + 1 END,
              window_ends_at = CASE WHEN h.window_ends_at <= now() THEN excluded.window_ends_at ELSE h.window_ends_at END
         RETURNING hits, GREATEST(0, ceil(extract(epoch FROM window_ends_at - now()) * 1000))::int8 AS ttl`,
        [sha256Hex(this.#prefix + key), timeWindow],
      ).then(
        ({ rows }) => callback(null, { current: Number(rows[0]!.hits), ttl: Number(rows[0]!.ttl) }),
        (err: unknown) => callback(err as Error),
      );
    }

    /**
     * One counter space per route, as the plugin's own stores keep. The plugin passes its merged
     * limit options, the route's own options under `routeInfo` (its typings say route options).
     */
    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      const route = (routeOptions as { routeInfo?: { method?: unknown; url?: unknown } }).routeInfo;
      return new DatabaseRateLimitStore(undefined, `${String(route?.method)} ${String(route?.url)}|`);
    }
  }
  return DatabaseRateLimitStore;
}

/** Delete the counters whose window ended (run by the scheduled-jobs leader). Returns how many. */
export async function sweepRateLimitHits(q: Queryable): Promise<number> {
  return (await q.query('DELETE FROM rate_limit_hits WHERE window_ends_at < now()')).rowCount;
}
