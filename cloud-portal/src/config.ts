import { envBoolean, loadConfig, portSchema, z } from '@vigie/common';

/** An unset variable and an empty one (`DATABASE_URL=`) mean the same: absent. */
const absentIfEmpty = (v: unknown) => (v === '' ? undefined : v);

/**
 * `VIGIE_TRUST_PROXY`: whose `X-Forwarded-*` headers to believe (Fastify's `trustProxy`):
 * `false`, `true`, `loopback` (a reverse proxy on this host, the default) or a comma-separated list
 * of addresses/CIDRs. Decides whether the request came over HTTPS, hence the cookie's `Secure`.
 */
const trustProxy = z
  .string()
  .default('loopback')
  .transform((v): boolean | string | string[] => {
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0' || v === '') return false;
    return v.includes(',') ? v.split(',').map((s) => s.trim()) : v;
  });

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
    VIGIE_TRUST_PROXY: trustProxy,
    /** Months of measurements kept; older monthly partitions are dropped whole (GDPR: bounded retention). */
    VIGIE_RETENTION_MONTHS: z.preprocess(absentIfEmpty, z.coerce.number().int().min(1).max(240).default(12)),
    /**
     * PEM certificate chain and private key: when both are set, vigie-cloud serves HTTPS itself
     * (otherwise TLS ends at a reverse proxy in front of it). `npm start` sets them to its development CA.
     */
    VIGIE_TLS_CERT_FILE: z.preprocess(absentIfEmpty, z.string().optional()),
    VIGIE_TLS_KEY_FILE: z.preprocess(absentIfEmpty, z.string().optional()),
    /** Serve the admin API (`/admin/api/*`) only on its own listener on this port (company network). */
    VIGIE_ADMIN_PORT: z.preprocess(absentIfEmpty, portSchema.optional()),
    /**
     * Second factor for staff (doctor, nurse, support, admin): `required` (a staff session without
     * TOTP can only enrol) or `optional`. Default: required, optional in demo mode.
     */
    VIGIE_STAFF_TOTP: z.preprocess(absentIfEmpty, z.enum(['required', 'optional']).optional()),
    /** `smtp://` or `smtps://` URL of the mail relay. Unset: e-mails are captured in the data directory. */
    VIGIE_SMTP_URL: z.preprocess(absentIfEmpty, z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional()),
    /** Sender of the portal's e-mails. */
    VIGIE_MAIL_FROM: z.preprocess(absentIfEmpty, z.string().default('Vigie <no-reply@vigie.invalid>')),
    /** The portal's address as users reach it, for links in e-mails (reset, invitation). */
    VIGIE_PUBLIC_URL: z.preprocess(absentIfEmpty, z.string().url().optional()),
    LOG_LEVEL: z.preprocess(absentIfEmpty, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  })
  .superRefine(
    (c, ctx) => {
      if (c.VIGIE_DEMO === true && !c.VIGIE_DEMO_BOX_TOKEN) {
        ctx.addIssue({ code: 'custom', path: ['VIGIE_DEMO_BOX_TOKEN'], message: 'required when VIGIE_DEMO=1' });
      }
      if (!c.VIGIE_TLS_CERT_FILE !== !c.VIGIE_TLS_KEY_FILE) {
        const missing = c.VIGIE_TLS_CERT_FILE ? 'VIGIE_TLS_KEY_FILE' : 'VIGIE_TLS_CERT_FILE';
        ctx.addIssue({ code: 'custom', path: [missing], message: 'set both VIGIE_TLS_CERT_FILE and VIGIE_TLS_KEY_FILE, or neither' });
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
