-- Configuration downlink, commands to boxes, the fleet's health (box_status, silence events), and
-- the provisioning time that bounds the timestamps a box may send.
--
-- Runs on PostgreSQL 15 and PGlite (18): nothing newer than 15 here.

-- When the box entered service. Readings and alerts dated before it (less a tolerance for clock
-- skew) are refused. Existing boxes: their creation, or an earlier first assignment (a box
-- registered after it was installed).
ALTER TABLE boxes ADD COLUMN provisioned_at timestamptz;
UPDATE boxes b SET provisioned_at = least(b.created_at, (SELECT min(a.valid_from) FROM box_assignments a WHERE a.box_id = b.id));
ALTER TABLE boxes ALTER COLUMN provisioned_at SET DEFAULT now();
ALTER TABLE boxes ALTER COLUMN provisioned_at SET NOT NULL;

-- Every version of a box's cloud-managed configuration (contacts, escalation, thresholds,
-- cadences), whole. A change is a new row, never an update: who changed what and when stays
-- readable. The current version is the highest. Kept per box: a box follows its patient's
-- configuration because the portal saves it for the patient's current box.
CREATE TABLE box_config_versions (
  box_id     text NOT NULL REFERENCES boxes (id),
  version    integer NOT NULL,
  -- The patient the box served when this version was saved (NULL: unassigned box).
  patient_id uuid REFERENCES patients (id),
  config     jsonb NOT NULL,
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT box_config_versions_pkey PRIMARY KEY (box_id, version),
  CONSTRAINT box_config_versions_version_check CHECK (version >= 1),
  CONSTRAINT box_config_versions_changed_by_check CHECK (length(changed_by) BETWEEN 1 AND 200)
);
CREATE INDEX box_config_versions_patient_idx ON box_config_versions (patient_id, changed_at DESC);

-- Commands waiting for a box to fetch them (GET /ingest/v1/commands), e.g. an alert acknowledged
-- in the portal. done_at is set when the box reports what it did, or when the alert it concerns
-- is reported no longer open.
CREATE TABLE box_commands (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  box_id       text NOT NULL REFERENCES boxes (id),
  kind         text NOT NULL,
  alert_id     uuid REFERENCES alerts (alert_id),
  account_id   uuid,
  display_name text NOT NULL,
  requested_at timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  done_at      timestamptz,
  outcome      text,
  CONSTRAINT box_commands_kind_check CHECK (kind IN ('acknowledge_alert')),
  CONSTRAINT box_commands_outcome_check CHECK (outcome IS NULL OR outcome IN ('acknowledged', 'already_acknowledged', 'not_open', 'unknown_alert'))
);
-- One acknowledgement command per alert, whoever asks and however often: idempotent per alert.
CREATE UNIQUE INDEX box_commands_ack_alert_key ON box_commands (alert_id) WHERE kind = 'acknowledge_alert';
CREATE INDEX box_commands_pending_idx ON box_commands (box_id, created_at) WHERE done_at IS NULL;

-- Each box's latest health, one row per box, updated by every heartbeat (the fleet view reads
-- this, never the raw history).
CREATE TABLE box_status (
  box_id                   text PRIMARY KEY REFERENCES boxes (id),
  first_heartbeat_at       timestamptz NOT NULL,
  last_heartbeat_at        timestamptz NOT NULL,
  received_at              timestamptz NOT NULL,
  buffer_depth             integer NOT NULL,
  oldest_unsent_at         timestamptz,
  last_bracelet_contact_at timestamptz,
  bracelet_battery         integer,
  modem_registered         boolean NOT NULL,
  modem_signal             integer,
  disk_free_bytes          bigint,
  software                 jsonb NOT NULL,
  config_version           integer,
  -- From the box's configuration fetches: the version it holds, and whether the technician
  -- changed its contacts or policy locally since (vigie-box contacts / alerting).
  config_fetched_at        timestamptz,
  config_local_changes     boolean NOT NULL DEFAULT false
);

-- "No data" events for support and the nurse: a box silent (no heartbeat) or a bracelet silent
-- (no contact reported) for too long. Distinct from the box's own alerts (not worn, no data),
-- which the box raises and texts. At most one open event per box and kind: raised once.
CREATE TABLE fleet_events (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind        text NOT NULL,
  box_id      text NOT NULL REFERENCES boxes (id),
  patient_id  uuid REFERENCES patients (id),
  -- Last sign of life: the last heartbeat (box_silent) or the last bracelet contact (bracelet_silent).
  since       timestamptz NOT NULL,
  raised_at   timestamptz NOT NULL,
  resolved_at timestamptz,
  CONSTRAINT fleet_events_kind_check CHECK (kind IN ('box_silent', 'bracelet_silent'))
);
CREATE UNIQUE INDEX fleet_events_open_key ON fleet_events (box_id, kind) WHERE resolved_at IS NULL;
CREATE INDEX fleet_events_patient_idx ON fleet_events (patient_id, raised_at DESC);
CREATE INDEX fleet_events_raised_idx ON fleet_events (raised_at DESC);

-- Heartbeat retention deletes by age across every box.
CREATE INDEX heartbeats_at_idx ON heartbeats (at);
