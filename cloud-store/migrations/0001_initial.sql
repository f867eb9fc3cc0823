-- Vigie cloud, first schema.
--
-- Runs unchanged on PostgreSQL 15 and on PGlite (PostgreSQL 18): nothing newer than 15 here.
-- Later migrations extend these tables (new columns, new constraints); an applied file is never
-- edited (the migrator refuses a changed checksum). Enumerations are text + named CHECK
-- constraints rather than enum types, so a later migration can swap a constraint in one
-- transaction. Identifiers that reach browsers are random UUIDs: they reveal neither counts nor
-- order.

-- People who log in to the portal.
CREATE TABLE accounts (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL,
  display_name  text NOT NULL,
  role          text NOT NULL,
  password_hash text NOT NULL, -- argon2id, PHC string format
  locale        text NOT NULL DEFAULT 'fr',
  created_at    timestamptz NOT NULL DEFAULT now(),
  disabled_at   timestamptz,
  CONSTRAINT accounts_email_lower_check CHECK (email = lower(email) AND position('@' IN email) > 1),
  CONSTRAINT accounts_display_name_check CHECK (length(display_name) BETWEEN 1 AND 200),
  CONSTRAINT accounts_role_check CHECK (role IN ('patient', 'doctor', 'nurse', 'relative', 'support', 'admin')),
  CONSTRAINT accounts_locale_check CHECK (locale IN ('fr', 'en'))
);
CREATE UNIQUE INDEX accounts_email_key ON accounts (email);

-- Portal sessions. The id is the sha256 of the cookie token, so a copy of this table yields no
-- usable cookie. Idle timeout = last_seen_at + 30 min (checked by the portal); expires_at is the
-- absolute end.
CREATE TABLE sessions (
  id           text PRIMARY KEY,
  account_id   uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_account_idx ON sessions (account_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- The monitored people. Soft-deleted (deleted_at) so an admin's mistake can be undone.
CREATE TABLE patients (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  display_name text NOT NULL,
  birth_year   integer,
  created_at   timestamptz NOT NULL DEFAULT now(),
  deleted_at   timestamptz,
  CONSTRAINT patients_display_name_check CHECK (length(display_name) BETWEEN 1 AND 200),
  CONSTRAINT patients_birth_year_check CHECK (birth_year BETWEEN 1900 AND 2100)
);

-- Who may see which patient: the only source of access to medical data (admins and support
-- see none unless linked).
CREATE TABLE care_links (
  patient_id uuid NOT NULL REFERENCES patients (id),
  account_id uuid NOT NULL REFERENCES accounts (id),
  relation   text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT care_links_pkey PRIMARY KEY (patient_id, account_id),
  CONSTRAINT care_links_relation_check CHECK (relation IN ('patient', 'doctor', 'nurse', 'relative'))
);
CREATE INDEX care_links_account_idx ON care_links (account_id);

-- Boxes, by serial number. token_hash = sha256 (hex) of the box's bearer token.
CREATE TABLE boxes (
  id         text PRIMARY KEY,
  token_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  CONSTRAINT boxes_id_check CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$')
);
CREATE UNIQUE INDEX boxes_token_hash_key ON boxes (token_hash);

-- Which patient a box serves, over time: readings are attached to the patient of the assignment
-- valid at the reading's time, [valid_from, valid_to). valid_to NULL = current; at most one
-- current assignment per box.
CREATE TABLE box_assignments (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  box_id     text NOT NULL REFERENCES boxes (id),
  patient_id uuid NOT NULL REFERENCES patients (id),
  valid_from timestamptz NOT NULL,
  valid_to   timestamptz,
  CONSTRAINT box_assignments_period_check CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX box_assignments_current_key ON box_assignments (box_id) WHERE valid_to IS NULL;
CREATE INDEX box_assignments_box_idx ON box_assignments (box_id, valid_from);
CREATE INDEX box_assignments_patient_idx ON box_assignments (patient_id);

-- The idempotency guard: one row per (box, batch seq) ever written.
CREATE TABLE telemetry_batches (
  box_id         text NOT NULL REFERENCES boxes (id),
  seq            bigint NOT NULL,
  received_at    timestamptz NOT NULL DEFAULT now(),
  reading_count  integer NOT NULL,
  accepted_count integer NOT NULL,
  rejected_count integer NOT NULL,
  CONSTRAINT telemetry_batches_pkey PRIMARY KEY (box_id, seq),
  CONSTRAINT telemetry_batches_seq_check CHECK (seq >= 0)
);

-- Readings. Written only through insertMeasurements() (cloud-ingest/src/db/measurements.ts) so
-- that turning this into a table range-partitioned on ts is one migration and one function.
-- No foreign keys: the ingest resolves patient and box before writing, and a key check per row
-- would cost on the hottest table. No metric CHECK: the ingest validates against the protocol.
CREATE TABLE measurements (
  patient_id uuid NOT NULL,
  box_id     text NOT NULL,
  metric     text NOT NULL,
  ts         timestamptz NOT NULL,
  value      double precision NOT NULL,
  period_s   integer
);
CREATE INDEX measurements_patient_metric_ts_idx ON measurements (patient_id, metric, ts);
-- Readings arrive roughly in time order, so a BRIN index on ts stays tiny and serves range scans
-- across patients (retention, fleet statistics).
CREATE INDEX measurements_ts_brin ON measurements USING brin (ts);

-- Readings the ingest refused, with why (plausibility filter, no assignment at that time).
CREATE TABLE rejected_readings (
  box_id      text NOT NULL,
  seq         bigint NOT NULL,
  position    integer NOT NULL, -- index of the reading in its batch
  metric      text NOT NULL,
  ts          timestamptz NOT NULL,
  value       double precision NOT NULL,
  period_s    integer,
  reason      text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rejected_readings_box_idx ON rejected_readings (box_id, received_at);

-- Alerts as the box last reported them (the box owns their state). Idempotent by revision: the
-- highest revision wins. patient_id is NULL when the box had no assignment at raised_at.
CREATE TABLE alerts (
  alert_id        uuid PRIMARY KEY,
  box_id          text NOT NULL REFERENCES boxes (id),
  patient_id      uuid REFERENCES patients (id),
  number          integer NOT NULL,
  kind            text NOT NULL,
  severity        text NOT NULL,
  state           text NOT NULL,
  revision        integer NOT NULL,
  raised_at       timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now(),
  notifications   jsonb NOT NULL DEFAULT '[]'::jsonb,
  acknowledgement jsonb
);
CREATE INDEX alerts_patient_raised_idx ON alerts (patient_id, raised_at DESC);
CREATE INDEX alerts_box_idx ON alerts (box_id);

-- Box health reports (fleet view, silence detection).
CREATE TABLE heartbeats (
  box_id      text NOT NULL REFERENCES boxes (id),
  at          timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  payload     jsonb NOT NULL
);
CREATE INDEX heartbeats_box_at_idx ON heartbeats (box_id, at DESC);

-- Audit trail: every read of a patient's medical data, and every refused attempt. No foreign
-- keys: the trail must outlive the accounts and patients it names.
CREATE TABLE access_log (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  account_id uuid,
  patient_id uuid,
  action     text NOT NULL,
  detail     jsonb
);
CREATE INDEX access_log_patient_idx ON access_log (patient_id, at);
CREATE INDEX access_log_account_idx ON access_log (account_id, at);
