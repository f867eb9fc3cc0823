-- Issue 16: alert latency per stage. The box's stage times (protocol AlertTimeline: detected by the
-- bracelet, received by the box, first SMS stored in the modem) on the BOX's clock; the box clock's
-- offset to the cloud's (cloud reception − box send time of a revision, the smallest seen: the one
-- with the least transit in it); when the cloud first received the alert; when the care team's
-- portal first showed it. Erased with the alert (the erasure deletes alerts by patient).
ALTER TABLE alerts
  ADD COLUMN box_timeline jsonb,
  ADD COLUMN clock_offset_ms integer,
  ADD COLUMN first_received_at timestamptz,
  ADD COLUMN shown_at timestamptz;
UPDATE alerts SET first_received_at = received_at WHERE first_received_at IS NULL;
