-- Issue 16: the box's metrics of its latest heartbeat (protocol BOX_METRICS samples), which the
-- ingest re-exposes per box to Prometheus. Replaced by each newer heartbeat; NULL for a box whose
-- software sends none. No patient data: catalogued names, closed label values, numbers.
ALTER TABLE box_status ADD COLUMN metrics jsonb;
