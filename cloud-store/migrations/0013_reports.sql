-- Periodic PDF reports (issue 13): the doctor's schedule per patient, the requests (one per
-- patient + period + kind, whoever asks and however often), the durable queue that carries them
-- when no Kafka is configured, the reports stored in the object store, their notifications and
-- shares, the requests that could not be served (dead letters, shown to support), and the object
-- keys left to delete after an erasure.
--
-- Periods are calendar dates in Europe/Paris, [period_from, period_to): a weekly report of the
-- week starting Monday 2026-11-30 is (2026-11-30, 2026-12-07).

-- How often a patient's report is made: weekly (7 days), biweekly (14), monthly (calendar month)
-- or custom (custom_days). Periods start at anchor_date and follow each other.
CREATE TABLE report_schedules (
  patient_id  uuid PRIMARY KEY REFERENCES patients (id),
  frequency   text NOT NULL,
  custom_days integer,
  anchor_date date NOT NULL,
  set_by      uuid REFERENCES accounts (id),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT report_schedules_frequency_check CHECK (frequency IN ('weekly', 'biweekly', 'monthly', 'custom')),
  CONSTRAINT report_schedules_custom_check CHECK ((frequency = 'custom') = (custom_days IS NOT NULL) AND (custom_days IS NULL OR custom_days BETWEEN 1 AND 366))
);

-- A report asked for: by the nightly scheduler (kind 'scheduled') or by a doctor (kind
-- 'on_demand'). The unique key is the idempotency key of the whole chain: two scheduler
-- instances, a rerun, a redelivered message all land on the same row, hence on one report.
-- state: pending (not rendered yet), done (its report is stored), dead (given up: see
-- report_dead_letters). published_at: when it was handed to the transport (Kafka or the queue
-- below); NULL rows are published again by the next pass (an outbox).
CREATE TABLE report_requests (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id   uuid NOT NULL REFERENCES patients (id),
  period_from  date NOT NULL,
  period_to    date NOT NULL,
  kind         text NOT NULL,
  requested_by uuid REFERENCES accounts (id),
  requested_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  state        text NOT NULL DEFAULT 'pending',
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text,
  CONSTRAINT report_requests_key UNIQUE (patient_id, period_from, period_to, kind),
  CONSTRAINT report_requests_kind_check CHECK (kind IN ('scheduled', 'on_demand')),
  CONSTRAINT report_requests_state_check CHECK (state IN ('pending', 'done', 'dead')),
  CONSTRAINT report_requests_period_check CHECK (period_to > period_from AND period_to - period_from <= 366)
);
CREATE INDEX report_requests_unpublished_idx ON report_requests (requested_at) WHERE published_at IS NULL;

-- The database transport of report requests (no KAFKA_BROKERS): one row per request to serve.
-- A worker claims the oldest available row (FOR UPDATE SKIP LOCKED, so several workers share
-- the queue), sets locked_until, and deletes the row when the request is served or
-- dead-lettered. A worker that dies leaves its row locked until locked_until: then another
-- takes it (the recovery sweep is the claim itself).
CREATE TABLE report_queue (
  request_id   uuid PRIMARY KEY REFERENCES report_requests (id) ON DELETE CASCADE,
  patient_id   uuid NOT NULL,
  enqueued_at  timestamptz NOT NULL DEFAULT now(),
  available_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  deliveries   integer NOT NULL DEFAULT 0
);
CREATE INDEX report_queue_available_idx ON report_queue (available_at);

-- A stored report: one per request (request_id unique), at a deterministic object key, so a
-- request served twice (redelivered after a crash) overwrites the same object and finds its row.
CREATE TABLE reports (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  request_id  uuid NOT NULL REFERENCES report_requests (id),
  patient_id  uuid NOT NULL REFERENCES patients (id),
  period_from date NOT NULL,
  period_to   date NOT NULL,
  kind        text NOT NULL,
  locale      text NOT NULL,
  object_key  text NOT NULL,
  sha256      text NOT NULL,
  size_bytes  integer NOT NULL,
  pages       integer NOT NULL,
  status      text NOT NULL DEFAULT 'stored',
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT reports_request_key UNIQUE (request_id),
  CONSTRAINT reports_object_key UNIQUE (object_key),
  CONSTRAINT reports_status_check CHECK (status IN ('stored')),
  CONSTRAINT reports_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  CONSTRAINT reports_locale_check CHECK (locale IN ('fr', 'en'))
);
CREATE INDEX reports_patient_idx ON reports (patient_id, period_from DESC);

-- A report the doctor shared with a relative or the patient (the only way they see one).
CREATE TABLE report_shares (
  report_id  uuid NOT NULL REFERENCES reports (id),
  patient_id uuid NOT NULL REFERENCES patients (id),
  account_id uuid NOT NULL REFERENCES accounts (id),
  shared_by  uuid NOT NULL REFERENCES accounts (id),
  shared_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT report_shares_pkey PRIMARY KEY (report_id, account_id)
);

-- "A new report is ready" in the doctor's portal inbox; emailed_at once the e-mail (no medical
-- content: a link to the portal) went.
CREATE TABLE report_notifications (
  report_id  uuid NOT NULL REFERENCES reports (id),
  patient_id uuid NOT NULL REFERENCES patients (id),
  account_id uuid NOT NULL REFERENCES accounts (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  read_at    timestamptz,
  emailed_at timestamptz,
  CONSTRAINT report_notifications_pkey PRIMARY KEY (report_id, account_id)
);

-- Requests the reports service could not serve: malformed messages, unknown or erased patients,
-- periods refused, or N failed attempts (object store down). Shown to support. patient_id is
-- set only when the message named an existing patient (no foreign key: the patient may be
-- erased; the erasure purges these rows by patient_id). The payload is capped at 16 KiB.
CREATE TABLE report_dead_letters (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source      text NOT NULL,
  source_ref  text NOT NULL,
  request_id  uuid,
  patient_id  uuid,
  reason      text NOT NULL,
  detail      text,
  payload     text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT report_dead_letters_source_key UNIQUE (source, source_ref),
  CONSTRAINT report_dead_letters_source_check CHECK (source IN ('kafka', 'queue', 'portal', 'scheduler')),
  CONSTRAINT report_dead_letters_reason_check CHECK (reason ~ '^[A-Z][A-Z0-9_]{2,63}$')
);
CREATE INDEX report_dead_letters_created_idx ON report_dead_letters (created_at);

-- Objects whose rows the erasure deleted: the reports service deletes them from the object
-- store and then the row. No patient_id on purpose: the key (a random patient UUID and dates)
-- is all that is left.
CREATE TABLE report_object_deletions (
  object_key   text PRIMARY KEY,
  requested_at timestamptz NOT NULL DEFAULT now()
);
