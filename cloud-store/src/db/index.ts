export type { CopyValue, Db, Queryable, QueryResult, Unlisten } from './types.ts';
export { openDb, type DbLocation } from './open.ts';
export { openPgDb, type PgDbOptions } from './pg-adapter.ts';
export { openPgliteDb, type PgliteDb, type PgliteDbOptions } from './pglite-adapter.ts';
export { lockDirectory, type DirLock } from './dir-lock.ts';
export {
  migrate,
  readMigrations,
  schemaStatus,
  waitForSchema,
  MIGRATIONS_DIR,
  type MigrateOptions,
  type MigrationFile,
  type SchemaStatus,
  type WaitForSchemaOptions,
} from './migrate.ts';
export { runAsLeader, runExclusive, claimJobSlot, jobLockKey } from './leader.ts';
export { insertMeasurements, type MeasurementRow } from './measurements.ts';
export {
  EVENTS_CHANNEL,
  notifyEvent,
  parseDbEvent,
  type DbEvent,
  type ReadingsEvent,
  type AlertChangedEvent,
  type FleetChangedEvent,
  type FleetEventKind,
  FLEET_EVENT_KINDS,
} from './events.ts';
export { sha256Hex } from './tokens.ts';
export { deleteOlderThan } from './retention.ts';
export {
  ensurePartitions,
  dropExpiredPartitions,
  maintainPartitions,
  type EnsurePartitionsOptions,
  type EnsurePartitionsResult,
  type DropExpiredOptions,
  type MaintainPartitionsOptions,
} from './partitions.ts';
