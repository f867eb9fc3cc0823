import { X509Certificate } from 'node:crypto';
import type { Db } from '@vigie/cloud-store';
import { HealthChecks, processMetrics } from '@vigie/common/metrics';

/** A listener's certificate, as `vigie-cloud` read it at start. */
export interface ListenerCertificate {
  /** `ingest` (boxes), `portal` (browsers). */
  readonly listener: string;
  /** The PEM chain; its first certificate is the server's. */
  readonly pem: string;
}

/**
 * What every `vigie-cloud` process exposes beside its services' own metrics: Node's (memory, event
 * loop, start time → restarts), the database pool, and the expiry of the TLS certificates its
 * listeners serve (the operator's "certificate expiring" rule). A later role (scheduler, reports,
 * updates) declares its own instruments with `processMetrics()` and its readiness with
 * `health.add(…)`: nothing to change here.
 */
export function instrumentProcess(db: Db, certificates: readonly ListenerCertificate[]): () => void {
  const metrics = processMetrics();
  metrics.collectDefaults();
  databases.add(db);
  metrics.gauge<'state'>({
    name: 'vigie_db_pool_connections',
    help: 'Database connections of this process by state (PGlite: one in-process connection)',
    labelNames: ['state'],
    collect() {
      this.reset();
      let total = 0;
      let idle = 0;
      let waiting = 0;
      for (const d of databases) {
        const stats = d.poolStats?.();
        total += stats?.total ?? 0;
        idle += stats?.idle ?? 0;
        waiting += stats?.waiting ?? 0;
      }
      this.set({ state: 'total' }, total);
      this.set({ state: 'idle' }, idle);
      this.set({ state: 'waiting' }, waiting);
    },
  });
  const expiry = metrics.gauge<'listener'>({
    name: 'vigie_tls_certificate_expiry_timestamp_seconds',
    help: 'When the TLS certificate a listener serves expires (Unix seconds)',
    labelNames: ['listener'],
  });
  for (const c of certificates) expiry.set({ listener: c.listener }, Math.floor(Date.parse(new X509Certificate(c.pem).validTo) / 1_000));
  return () => {
    databases.delete(db);
  };
}

/** The databases of the clouds running in this process (one, except in tests). */
const databases = new Set<Db>();

/** Readiness of a cloud process: its database, then whatever the roles add. */
export function processHealth(db: Db): HealthChecks {
  const health = new HealthChecks();
  health.add('database', async () => void (await db.query('SELECT 1')));
  return health;
}
