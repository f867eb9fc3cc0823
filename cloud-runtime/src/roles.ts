import type { Db } from '@vigie/cloud-store';
import type { CloudConfig, CloudRoles } from '@vigie/cloud-portal';
import type { Logger, Module } from '@vigie/common';

/** What a role's background services are built from. */
export interface RoleContext {
  readonly db: Db;
  readonly config: CloudConfig;
  readonly log: Logger;
}

/**
 * A background service of a role (a scheduler, a report builder…): built after the listeners,
 * started in table order, stopped in reverse before the database closes. A service that runs
 * periodic jobs on several instances makes each run single-leader with cloud-store's
 * `runAsLeader` / `runExclusive` (cloud-store/README.md, "Scheduled jobs").
 */
export type ServiceFactory = (context: RoleContext) => Module;

/** One `vigie-cloud <role>`. */
export interface CloudRole {
  /** One line for `vigie-cloud --help`. */
  readonly summary: string;
  /** Routes the role's HTTP listener serves (a listener always runs, for the health probes). */
  readonly http: CloudRoles;
  /** The Kafka consumer group: `when-configured` runs it when KAFKA_BROKERS is set, `required` refuses to start without. */
  readonly kafka: 'no' | 'when-configured' | 'required';
  /** The fleet watch (silence, implausible values), single-leader across instances. */
  readonly fleetWatch: boolean;
  /**
   * Who brings the schema up to date: `apply` (the single-process `all`, e.g. `npm start` on the
   * embedded database), else `wait` for the `vigie-cloud migrate` job (never race it).
   */
  readonly migrations: 'apply' | 'wait';
  /** Further services, e.g. a scheduler: add a factory here (or a new role below). */
  readonly services: readonly ServiceFactory[];
  /**
   * The periodic reports (issue 13, `src/reports.ts`): the reports service (a consumer of
   * `vigie.report-requests`, or of the database queue) and the nightly scheduler that requests them.
   * A process that serves the portal always gets the report store, for downloads.
   */
  readonly reports: { readonly service: boolean; readonly scheduler: boolean };
}

/**
 * Every long-running role of `vigie-cloud`, each runnable alone and in any number of instances on
 * one PostgreSQL (issue 17): nothing an instance serves lives only in its memory (sessions, login
 * delays and rate limits are rows; live events go through LISTEN/NOTIFY; periodic jobs take an
 * advisory lock). A new service adds a row here, and a Deployment in deploy/k8s/base/.
 */
export const CLOUD_ROLES = {
  all: {
    summary: 'ingest + portal + updates + reports + scheduler (+ Kafka consumer when KAFKA_BROKERS is set) in one process (default)',
    http: { ingest: true, portal: true, updates: true },
    kafka: 'when-configured',
    fleetWatch: true,
    migrations: 'apply',
    services: [],
    reports: { service: true, scheduler: true },
  },
  ingest: {
    summary: 'the box-facing HTTPS ingest (+ Kafka consumer when KAFKA_BROKERS is set; needs DATABASE_URL)',
    http: { ingest: true, portal: false },
    kafka: 'when-configured',
    fleetWatch: true,
    migrations: 'wait',
    services: [],
    reports: { service: false, scheduler: false },
  },
  consumer: {
    summary: 'the Kafka consumer of the box topics only (needs DATABASE_URL and KAFKA_BROKERS)',
    http: { ingest: false, portal: false },
    kafka: 'required',
    fleetWatch: false,
    migrations: 'wait',
    services: [],
    reports: { service: false, scheduler: false },
  },
  portal: {
    summary: 'the portal API and web front end (needs DATABASE_URL)',
    http: { ingest: false, portal: true },
    kafka: 'no',
    fleetWatch: false,
    migrations: 'wait',
    services: [],
    reports: { service: false, scheduler: false },
  },
  reports: {
    summary: 'the reports service: renders and stores the PDF reports (needs DATABASE_URL and VIGIE_S3_ENDPOINT)',
    http: { ingest: false, portal: false },
    kafka: 'no',
    fleetWatch: false,
    migrations: 'wait',
    services: [],
    reports: { service: true, scheduler: false },
  },
  scheduler: {
    summary: 'the nightly pass that requests the periodic reports (needs DATABASE_URL and VIGIE_S3_ENDPOINT)',
    http: { ingest: false, portal: false },
    kafka: 'no',
    fleetWatch: false,
    migrations: 'wait',
    services: [],
    reports: { service: false, scheduler: true },
  },
  updates: {
    summary: "the update service: the boxes' release downloads and the staged rollout (needs DATABASE_URL)",
    http: { ingest: false, portal: false, updates: true },
    kafka: 'no',
    fleetWatch: false,
    migrations: 'wait',
    services: [],
    reports: { service: false, scheduler: false },
  },
} as const satisfies Record<string, CloudRole>;

export type CloudRoleName = keyof typeof CLOUD_ROLES;

/** Whether `name` is a long-running role. */
export function isCloudRole(name: string): name is CloudRoleName {
  return Object.hasOwn(CLOUD_ROLES, name);
}
