import { randomBytes } from 'node:crypto';
import { link, open, readFile, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { commonErrors, dataPaths, ensurePrivateDirAsync, envBoolean, loadConfig, portSchema, z } from '@vigie/common';
import { DEFAULT_ERASURE_GRACE_DAYS } from './privacy/erasure.ts';
import { isLoopbackHost } from './http/loopback.ts';

/** An unset variable and an empty one (`DATABASE_URL=`) mean the same: absent. */
const absentIfEmpty = (v: unknown) => (v === '' ? undefined : v);

/**
 * `VIGIE_TRUST_PROXY`: whose `X-Forwarded-*` headers to believe (Fastify's `trustProxy`):
 * `false` (the default: nobody), `loopback` (a reverse proxy on this host), a comma-separated
 * list of addresses/CIDRs, or `true` (anyone: only behind a proxy that overwrites the headers).
 * Decides the client address of the per-IP login limits and whether the request came over HTTPS
 * (the cookie's `Secure`, HSTS). Not trusting by default: with `loopback` trusted and no proxy,
 * a local client could forge X-Forwarded-For and slip past the per-IP limit (issue 10, finding 6).
 */
const trustProxy = z
  .string()
  .default('false')
  .transform((v): boolean | string | string[] => {
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0' || v === '') return false;
    return v.includes(',') ? v.split(',').map((s) => s.trim()) : v;
  });

/** Length of the key that encrypts secrets at rest (AES-256-GCM). */
export const SECRETS_KEY_BYTES = 32;
const SECRETS_KEY_RULE = 'must be the base64 of exactly 32 bytes (e.g. the output of `openssl rand -base64 32`)';

/**
 * The key bytes of a base64 text (surrounding whitespace ignored), or null unless it is the
 * canonical base64 of exactly {@link SECRETS_KEY_BYTES} bytes. Strict on purpose: a truncated or
 * mistyped key must stop the start, not silently become another key.
 */
export function decodeSecretsKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) return null;
  const key = Buffer.from(trimmed, 'base64');
  return key.length === SECRETS_KEY_BYTES && key.toString('base64') === trimmed ? key : null;
}

/** Every environment variable `vigie-cloud` reads (documented in cloud-portal/README.md). */
export const cloudConfigSchema = z
  .object({
    DATABASE_URL: z.preprocess(
      absentIfEmpty,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
        .optional(),
    ),
    PORT: portSchema.default(8080),
    /**
     * With both roles in one process: serve the box-facing ingest on its own listener on this port
     * (with the TLS certificate below), the portal staying on PORT. Unset: one listener for both.
     */
    VIGIE_INGEST_PORT: z.preprocess(absentIfEmpty, portSchema.optional()),
    HOST: z.string().min(1).default('127.0.0.1'),
    VIGIE_DATA_DIR: z.preprocess(absentIfEmpty, z.string().default('./data')),
    VIGIE_DEMO: z.preprocess(absentIfEmpty, envBoolean.default(false)),
    VIGIE_DEMO_BOX_ID: z.preprocess(
      absentIfEmpty,
      z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/, 'must be a box serial (letters, digits, - and _)')
        .default('VB-DEMO-0001'),
    ),
    VIGIE_DEMO_BOX_TOKEN: z.preprocess(absentIfEmpty, z.string().min(16, 'must be at least 16 characters').optional()),
    /**
     * Let demo mode (public passwords) start with `HOST` beyond loopback. Even then the demo
     * pages and APIs (SMS, captured e-mails, scenarios) stay off: they exist on loopback only.
     */
    VIGIE_DEMO_ALLOW_REMOTE: z.preprocess(absentIfEmpty, envBoolean.default(false)),
    VIGIE_TRUST_PROXY: trustProxy,
    /**
     * The bearer token Prometheus sends to `/metrics` (ops/prometheus/). Unset: `/metrics` answers
     * loopback clients only. At least 16 characters.
     */
    VIGIE_METRICS_TOKEN: z.preprocess(absentIfEmpty, z.string().min(16).optional()),
    /** Months of measurements kept; older monthly partitions are dropped whole (GDPR: bounded retention). */
    VIGIE_RETENTION_MONTHS: z.preprocess(absentIfEmpty, z.coerce.number().int().min(1).max(240).default(12)),
    /**
     * Days between a patient's soft delete and the erasure of everything about them (GDPR art. 17;
     * cloud-portal/src/privacy/erasure.ts). An admin can erase sooner, with a confirmation.
     */
    VIGIE_ERASURE_GRACE_DAYS: z.preprocess(absentIfEmpty, z.coerce.number().int().min(1).max(3650).default(DEFAULT_ERASURE_GRACE_DAYS)),
    /**
     * PEM certificate chain and private key: when both are set, vigie-cloud serves HTTPS itself
     * (otherwise TLS ends at a reverse proxy in front of it). `npm start` sets them to its development CA.
     */
    VIGIE_TLS_CERT_FILE: z.preprocess(absentIfEmpty, z.string().optional()),
    VIGIE_TLS_KEY_FILE: z.preprocess(absentIfEmpty, z.string().optional()),
    /**
     * PEM certificate chain and key of the portal's own listener (browsers): `PORT` when the
     * ingest has its own listener, the admin listener, a `portal`-only process. Unset: plain HTTP
     * there (TLS at a reverse proxy, see deploy/), except a single listener with VIGIE_TLS_*.
     * The development CA of `npm start` (data/tls/) works too.
     */
    VIGIE_PORTAL_TLS_CERT_FILE: z.preprocess(absentIfEmpty, z.string().optional()),
    VIGIE_PORTAL_TLS_KEY_FILE: z.preprocess(absentIfEmpty, z.string().optional()),
    /** Serve the admin API (`/admin/api/*`) only on its own listener on this port (company network). */
    VIGIE_ADMIN_PORT: z.preprocess(absentIfEmpty, portSchema.optional()),
    /**
     * Second factor for staff (doctor, nurse, support, admin): `required` (a staff session without
     * TOTP can only enrol) or `optional`. Default: required, optional in demo mode.
     */
    VIGIE_STAFF_TOTP: z.preprocess(absentIfEmpty, z.enum(['required', 'optional']).optional()),
    /**
     * Base64 of the 32-byte key that encrypts secrets at rest (staff TOTP secrets). Unset: the key
     * file `$VIGIE_DATA_DIR/cloud/secrets.key` ({@link loadSecretsKey}). Never logged, never echoed.
     */
    VIGIE_SECRETS_KEY: z.preprocess(absentIfEmpty, z.string().refine((v) => decodeSecretsKey(v) !== null, SECRETS_KEY_RULE).optional()),
    /** `smtp://` or `smtps://` URL of the mail relay. Unset: e-mails are captured in the data directory. */
    VIGIE_SMTP_URL: z.preprocess(absentIfEmpty, z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional()),
    /** Sender of the portal's e-mails. */
    VIGIE_MAIL_FROM: z.preprocess(absentIfEmpty, z.string().default('Vigie <no-reply@vigie.invalid>')),
    /** The portal's address as users reach it, for links in e-mails (reset, invitation). */
    VIGIE_PUBLIC_URL: z.preprocess(absentIfEmpty, z.string().url().optional()),
    /**
     * VAPID keys of Web Push (questionnaire reminders; base64url, as `web-push generate-vapid-keys`
     * prints them) and the operator's contact. Unset: generated once into
     * `$VIGIE_DATA_DIR/cloud/vapid.json` (0600) and kept.
     */
    VIGIE_VAPID_PUBLIC_KEY: z.preprocess(absentIfEmpty, z.string().regex(/^[A-Za-z0-9_-]{80,100}$/, 'base64url P-256 public key').optional()),
    VIGIE_VAPID_PRIVATE_KEY: z.preprocess(absentIfEmpty, z.string().regex(/^[A-Za-z0-9_-]{40,50}$/, 'base64url P-256 private key').optional()),
    VIGIE_VAPID_SUBJECT: z.preprocess(absentIfEmpty, z.string().regex(/^(mailto:|https:\/\/)/, 'a mailto: or https: URL').optional()),
    /** Run the questionnaire reminder scheduler in this process (portal role; default on). */
    VIGIE_QUESTIONNAIRE_REMINDERS: z.preprocess(absentIfEmpty, z.enum(['on', 'off']).default('on')),
    LOG_LEVEL: z.preprocess(absentIfEmpty, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  })
  .superRefine(
    (c, ctx) => {
      if (c.VIGIE_DEMO === true && !c.VIGIE_DEMO_BOX_TOKEN) {
        ctx.addIssue({ code: 'custom', path: ['VIGIE_DEMO_BOX_TOKEN'], message: 'required when VIGIE_DEMO=1' });
      }
      // Demo accounts have published passwords: a demo reachable from a network is an open door.
      if (c.VIGIE_DEMO === true && typeof c.HOST === 'string' && !isLoopbackHost(c.HOST) && c.VIGIE_DEMO_ALLOW_REMOTE !== true) {
        ctx.addIssue({
          code: 'custom',
          path: ['HOST'],
          message: `demo mode (VIGIE_DEMO=1, public passwords) listens on loopback only; got ${c.HOST}. Set VIGIE_DEMO_ALLOW_REMOTE=1 to accept it anyway`,
        });
      }
      if (!c.VIGIE_TLS_CERT_FILE !== !c.VIGIE_TLS_KEY_FILE) {
        const missing = c.VIGIE_TLS_CERT_FILE ? 'VIGIE_TLS_KEY_FILE' : 'VIGIE_TLS_CERT_FILE';
        ctx.addIssue({ code: 'custom', path: [missing], message: 'set both VIGIE_TLS_CERT_FILE and VIGIE_TLS_KEY_FILE, or neither' });
      }
      if (!c.VIGIE_PORTAL_TLS_CERT_FILE !== !c.VIGIE_PORTAL_TLS_KEY_FILE) {
        const missing = c.VIGIE_PORTAL_TLS_CERT_FILE ? 'VIGIE_PORTAL_TLS_KEY_FILE' : 'VIGIE_PORTAL_TLS_CERT_FILE';
        ctx.addIssue({ code: 'custom', path: [missing], message: 'set both VIGIE_PORTAL_TLS_CERT_FILE and VIGIE_PORTAL_TLS_KEY_FILE, or neither' });
      }
    },
    // Run even when another variable is invalid: every problem is reported at once.
    { when: () => true },
  );

/** The validated, frozen configuration of `vigie-cloud`. */
export type CloudConfig = Readonly<z.output<typeof cloudConfigSchema>>;

/** Validate `vigie-cloud`'s environment, reporting every problem at once (CONFIG_INVALID). */
export function loadCloudConfig(env: Record<string, string | undefined> = process.env): CloudConfig {
  return loadConfig(cloudConfigSchema, env, 'vigie-cloud configuration');
}

/** Where the secrets key is kept when `VIGIE_SECRETS_KEY` is unset. */
export function secretsKeyFile(config: CloudConfig): string {
  return join(dataPaths(config.VIGIE_DATA_DIR).root, 'cloud', 'secrets.key');
}

/**
 * The key that encrypts secrets at rest: `VIGIE_SECRETS_KEY` (validated with the rest of the
 * configuration), else the key file {@link secretsKeyFile}. A missing file is created when `create`
 * is true (32 random bytes, base64, mode 0600) and answered null otherwise; a file that is not a
 * valid key throws CONFIG_INVALID (the process refuses to start rather than use another key).
 *
 * Creation is atomic and never overwrites: the key is written to a temporary file, then hard-linked
 * to its name, so of two instances starting at once on one data directory one key wins and both
 * read it, and no reader ever sees a half-written file.
 */
export async function loadSecretsKey(config: CloudConfig, options: { readonly create: boolean }): Promise<Buffer | null> {
  if (config.VIGIE_SECRETS_KEY) return decodeSecretsKey(config.VIGIE_SECRETS_KEY);
  const file = secretsKeyFile(config);
  const existing = await readKeyFile(file);
  if (existing !== null || !options.create) return existing;
  await ensurePrivateDirAsync(dirname(file));
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(`${randomBytes(SECRETS_KEY_BYTES).toString('base64')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, file);
  } catch (err) {
    // Another instance created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(temporary);
  }
  return readKeyFile(file);
}

/** The key in `file`, null when there is no file; CONFIG_INVALID when its content is not a key. */
async function readKeyFile(file: string): Promise<Buffer | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw keyFileInvalid(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
  }
  const key = decodeSecretsKey(text);
  if (key === null) throw keyFileInvalid(file, SECRETS_KEY_RULE);
  return key;
}

function keyFileInvalid(file: string, rule: string, cause?: unknown) {
  const problem = `${file} (the secrets key, read because VIGIE_SECRETS_KEY is unset): ${rule}`;
  return commonErrors.create('CONFIG_INVALID', { message: `Invalid vigie-cloud configuration:\n  - ${problem}`, details: { problems: [problem] }, cause });
}
