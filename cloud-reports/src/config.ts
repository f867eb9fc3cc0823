import { envBoolean, loadConfig, z } from '@vigie/common';

const absentIfEmpty = (v: unknown) => (v === '' ? undefined : v);

/**
 * The reports' variables (cloud-reports/README.md). Unset VIGIE_S3_ENDPOINT: the embedded s3rver
 * (development, `npm start`); set: any S3-compatible store, with credentials required.
 */
export const reportsEnvSchema = z
  .object({
    VIGIE_S3_ENDPOINT: z.preprocess(absentIfEmpty, z.string().url().optional()),
    VIGIE_S3_BUCKET: z.preprocess(absentIfEmpty, z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name').default('vigie-reports')),
    VIGIE_S3_REGION: z.preprocess(absentIfEmpty, z.string().default('us-east-1')),
    VIGIE_S3_ACCESS_KEY_ID: z.preprocess(absentIfEmpty, z.string().optional()),
    VIGIE_S3_SECRET_ACCESS_KEY: z.preprocess(absentIfEmpty, z.string().optional()),
    /** Path-style URLs: MinIO and Garage need it; AWS S3 prefers virtual-host style (false). */
    VIGIE_S3_FORCE_PATH_STYLE: z.preprocess(absentIfEmpty, envBoolean.default(true)),
    /** Days a report object is kept (the bucket's lifecycle expiration): 20 years by default, the French medical-record term. */
    VIGIE_REPORT_RETENTION_DAYS: z.preprocess(absentIfEmpty, z.coerce.number().int().min(1).max(36_600).default(7_305)),
    /** Attempts before a request is dead-lettered. */
    VIGIE_REPORT_MAX_ATTEMPTS: z.preprocess(absentIfEmpty, z.coerce.number().int().min(1).max(20).default(5)),
    /** Reports rendered at once by one process (database queue). */
    VIGIE_REPORT_WORKERS: z.preprocess(absentIfEmpty, z.coerce.number().int().min(1).max(16).default(1)),
  })
  .superRefine((c, ctx) => {
    if (c.VIGIE_S3_ENDPOINT && (!c.VIGIE_S3_ACCESS_KEY_ID || !c.VIGIE_S3_SECRET_ACCESS_KEY)) {
      ctx.addIssue({ code: 'custom', path: ['VIGIE_S3_ACCESS_KEY_ID'], message: 'VIGIE_S3_ACCESS_KEY_ID and VIGIE_S3_SECRET_ACCESS_KEY are required with VIGIE_S3_ENDPOINT' });
    }
  });

export type ReportsConfig = z.output<typeof reportsEnvSchema>;

/** The reports' configuration from the environment (CONFIG_INVALID naming every wrong variable). */
export function loadReportsConfig(env: Record<string, string | undefined> = process.env): Readonly<ReportsConfig> {
  return loadConfig(reportsEnvSchema, env, 'Reports configuration');
}
