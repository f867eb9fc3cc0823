/**
 * Web Push subscriptions, per account (`push_subscriptions`). An endpoint belongs to one account:
 * subscribing again from another account (a shared tablet) moves it. SQL on the `Queryable` port.
 */
import type { Queryable } from '@vigie/cloud-store';

export async function saveSubscription(q: Queryable, input: { accountId: string; endpoint: string; p256dh: string; auth: string; now: number }): Promise<void> {
  await q.query(
    `INSERT INTO push_subscriptions (endpoint, account_id, p256dh, auth, created_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (endpoint) DO UPDATE SET account_id = EXCLUDED.account_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, created_at = EXCLUDED.created_at`,
    [input.endpoint, input.accountId, input.p256dh, input.auth, new Date(input.now).toISOString()],
  );
}

/** Remove an account's subscription (the browser unsubscribed). Idempotent. */
export async function deleteSubscription(q: Queryable, accountId: string, endpoint: string): Promise<void> {
  await q.query('DELETE FROM push_subscriptions WHERE account_id = $1 AND endpoint = $2', [accountId, endpoint]);
}

/** Remove subscriptions the push service reported gone (404/410). */
export async function deleteGoneSubscriptions(q: Queryable, endpoints: readonly string[]): Promise<void> {
  if (endpoints.length > 0) await q.query('DELETE FROM push_subscriptions WHERE endpoint = ANY($1::text[])', [endpoints]);
}
