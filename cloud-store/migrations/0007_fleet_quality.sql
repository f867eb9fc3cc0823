-- Fleet data quality.
--
-- A box whose bracelet sends an abnormal share of implausible values is flagged for maintenance
-- (the FMEA's faulty-sensor row): a fleet event of its own kind, for support and the care team.
-- The detector sums a window of recent batches and refusals per box: both by time of receipt.
-- Refused readings and dead letters hold medical values: they expire with the measurements
-- (retention job), which reads them by time of receipt (dead_letters has its index since 0004).
--
-- Runs on PostgreSQL 15 and PGlite (18): nothing newer than 15 here.

ALTER TABLE fleet_events DROP CONSTRAINT fleet_events_kind_check;
ALTER TABLE fleet_events ADD CONSTRAINT fleet_events_kind_check CHECK (kind IN ('box_silent', 'bracelet_silent', 'implausible_values'));

CREATE INDEX telemetry_batches_received_idx ON telemetry_batches (received_at);
CREATE INDEX rejected_readings_received_idx ON rejected_readings (received_at);

-- A heartbeat is kept once per box and time: a redelivered one (Kafka after a restart, a box
-- resending after a lost answer) must not be stored twice nor refresh box_status. Earlier
-- duplicates are removed first (the oldest copy stays).
DELETE FROM heartbeats a USING heartbeats b
 WHERE a.box_id = b.box_id AND a.at = b.at AND (a.received_at, a.ctid) > (b.received_at, b.ctid);
DROP INDEX heartbeats_box_at_idx;
CREATE UNIQUE INDEX heartbeats_box_at_key ON heartbeats (box_id, at);
