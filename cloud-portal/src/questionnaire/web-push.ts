/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and payload encryption (RFC 8291), through the
 * `web-push` package: it builds and encrypts the request (`generateRequestDetails`), we send it
 * with `fetch` (web-push itself only speaks HTTPS; a local push service in tests and the bench
 * speaks HTTP). The VAPID JWT is signed once per push service origin and reused for an hour.
 * Requests go through keep-alive agents with a bounded number of sockets per push service, so a
 * pass of thousands of reminders reuses a few connections instead of opening one per message.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { dirname } from 'node:path';
import webpush from 'web-push';

/** The server's VAPID identity. */
export interface VapidKeys {
  readonly publicKey: string;
  readonly privateKey: string;
  /** `mailto:` or `https:` contact of the operator (RFC 8292 §2.1). */
  readonly subject: string;
}

/** A browser's push subscription (PushSubscriptionJSON). */
export interface PushTarget {
  readonly endpoint: string;
  readonly p256dh: string;
  readonly auth: string;
}

/** What became of one push: delivered, gone (404/410: the subscription is dead), or failed. */
export type PushResult = { readonly ok: true } | { readonly ok: false; readonly gone: boolean; readonly status: number | null };

/** Sends one encrypted message to one subscription. */
export interface PushSender {
  readonly publicKey: string;
  send(target: PushTarget, payload: string): Promise<PushResult>;
}

/** How long a reminder waits in the push service for a device that is off (a day: tomorrow's replaces it). */
const TTL_SECONDS = 24 * 3600;
/** A VAPID JWT is valid 12 h at most; we sign a new one every hour. */
const JWT_REUSE_MS = 3_600_000;

/** A sender over node:http(s) keep-alive agents (`maxSockets` per push service). `timeoutMs` bounds each request. */
export function createWebPushSender(vapid: VapidKeys, options: { timeoutMs?: number; now?: () => number; maxSockets?: number } = {}): PushSender {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 32 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 32 }),
  };
  const jwt = new Map<string, { header: string; until: number }>();
  const authorization = (endpoint: string): string => {
    const audience = new URL(endpoint).origin;
    const cached = jwt.get(audience);
    if (cached && cached.until > now()) return cached.header;
    const expiration = Math.floor(now() / 1000) + 12 * 3600;
    const headers = webpush.getVapidHeaders(audience, vapid.subject, vapid.publicKey, vapid.privateKey, 'aes128gcm', expiration);
    const header = String(headers.Authorization);
    jwt.set(audience, { header, until: now() + JWT_REUSE_MS });
    return header;
  };
  return {
    publicKey: vapid.publicKey,
    async send(target, payload) {
      const details = webpush.generateRequestDetails({ endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } }, payload, {
        vapidDetails: null as unknown as undefined,
        TTL: TTL_SECONDS,
        contentEncoding: 'aes128gcm',
        urgency: 'normal',
        headers: { Authorization: authorization(target.endpoint) },
      });
      const status = await post(details.endpoint, details.headers, details.body, agents, timeoutMs);
      if (status !== null && status >= 200 && status < 300) return { ok: true };
      return { ok: false, gone: status === 404 || status === 410, status };
    },
  };
}

/** POST one message; the status, or null when the push service could not be reached in time. */
function post(endpoint: string, headers: Record<string, unknown>, body: Buffer | null, agents: Record<'http:' | 'https:', http.Agent>, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const url = new URL(endpoint);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return resolve(null);
    const request = (url.protocol === 'https:' ? https.request : http.request)(
      url,
      { method: 'POST', headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])), agent: agents[url.protocol], timeout: timeoutMs },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? null));
        res.on('error', () => resolve(null));
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(null));
    request.end(body ?? undefined);
  });
}

/**
 * The VAPID keys: from the configuration when all three are set; otherwise generated once and
 * kept (0600) in `file` under the data directory, so that subscriptions survive a restart. Null
 * when neither is possible (no data directory: tests that do not use push).
 */
export function loadVapidKeys(config: { publicKey?: string; privateKey?: string; subject?: string }, file: string | null): VapidKeys | null {
  const subject = config.subject ?? 'mailto:vigie@localhost';
  if (config.publicKey && config.privateKey) return { publicKey: config.publicKey, privateKey: config.privateKey, subject };
  if (!file) return null;
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string; privateKey: string };
    return { publicKey: saved.publicKey, privateKey: saved.privateKey, subject };
  }
  if (!existsSync(dirname(dirname(file)))) return null;
  const keys = webpush.generateVAPIDKeys();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600, flag: 'wx' });
  return { publicKey: keys.publicKey, privateKey: keys.privateKey, subject };
}
