-- measurements becomes range-partitioned on ts, one partition per calendar month (UTC), so that
-- retention drops whole partitions (instant, no vacuum debt) instead of deleting rows.
--
-- Runs on PostgreSQL 15 and PGlite (18). Partitions are named measurements_YYYY_MM and cover
-- [YYYY-MM-01 00:00 UTC, next month 00:00 UTC). ensurePartitions() (src/db/partitions.ts) creates
-- the months ahead at start; dropExpiredPartitions() drops the expired ones. measurements_default
-- is only a safety net so that a write never fails for want of a partition: the maintenance job
-- moves what lands there into a real monthly partition and reports it.

ALTER TABLE measurements RENAME TO measurements_unpartitioned;

-- Same columns as 0001. No primary key: a unique key on a partitioned table must include ts and
-- nothing needs one (idempotency is per batch, in telemetry_batches).
CREATE TABLE measurements (
  patient_id uuid NOT NULL,
  box_id     text NOT NULL,
  metric     text NOT NULL,
  ts         timestamptz NOT NULL,
  value      double precision NOT NULL,
  period_s   integer
) PARTITION BY RANGE (ts);

CREATE TABLE measurements_default PARTITION OF measurements DEFAULT;

-- One partition for every month holding rows, plus the previous month, the current one and the
-- next two (ensurePartitions' defaults), so a freshly migrated database writes into real
-- partitions, late readings of last month included. Month arithmetic is done on UTC timestamps,
-- whatever the session's TimeZone.
DO $$
DECLARE
  month_utc timestamp;
BEGIN
  FOR month_utc IN
    SELECT DISTINCT date_trunc('month', ts AT TIME ZONE 'UTC') FROM measurements_unpartitioned
    UNION
    SELECT date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i) FROM generate_series(-1, 2) AS i
    ORDER BY 1
  LOOP
    EXECUTE format(
      'CREATE TABLE %I PARTITION OF measurements FOR VALUES FROM (%L) TO (%L)',
      'measurements_' || to_char(month_utc, 'YYYY_MM'),
      to_char(month_utc, 'YYYY-MM-DD') || ' 00:00:00+00',
      to_char(month_utc + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00'
    );
  END LOOP;
END
$$;

INSERT INTO measurements (patient_id, box_id, metric, ts, value, period_s)
SELECT patient_id, box_id, metric, ts, value, period_s FROM measurements_unpartitioned;

DROP TABLE measurements_unpartitioned;

-- Indexes on the parent (PostgreSQL 11+): each partition gets its own, and partitions created or
-- attached later get them automatically. Built after the copy, which is faster than maintaining
-- them row by row.
-- One patient's metric over a time range (charts, latest value).
CREATE INDEX measurements_patient_metric_ts_idx ON measurements (patient_id, metric, ts);
-- Readings arrive roughly in time order, so a BRIN index on ts stays tiny and serves range scans
-- across patients (fleet statistics).
CREATE INDEX measurements_ts_brin ON measurements USING brin (ts);

-- PGlite has no autovacuum: give the planner statistics for the copied rows.
ANALYZE measurements;
