-- The box's last daily self-test (issue 15 item 5), from its heartbeats: when it ran and which
-- checks failed (check names of protocol SELFTEST_CHECKS; empty: all passed). Box health, not
-- patient data: no medical value, nothing to erase with a patient.
ALTER TABLE box_status ADD COLUMN selftest_at timestamptz;
ALTER TABLE box_status ADD COLUMN selftest_failed text[];
