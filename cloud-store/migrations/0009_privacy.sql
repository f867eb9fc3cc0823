-- Privacy (issue 10, build 8): who read what from where, and the erasure of a patient.
--
-- Runs on PostgreSQL 15 and PGlite (18): nothing newer than 15 here.

-- The access log names the reader's role (as it was at the read: a role can change later), the
-- client address (Fastify's request.ip, which honours VIGIE_TRUST_PROXY) and the user agent
-- (truncated to 300 characters). Rows written before this migration have them NULL.
ALTER TABLE access_log ADD COLUMN role text;
ALTER TABLE access_log ADD COLUMN ip text;
ALTER TABLE access_log ADD COLUMN user_agent text;

-- An erased patient: the row stays as a tombstone (other trails name its id) with no name and no
-- birth year; everything about the patient is purged (cloud-portal/src/privacy/erasure.ts).
ALTER TABLE patients ADD COLUMN erased_at timestamptz;

-- One row per erasure, started when the grace period after a soft delete ended or when an admin
-- asked for it (GDPR art. 17). The purge runs in chunks, each in its own transaction that also
-- adds what it deleted to `counts` (kind → rows), so an interrupted erasure resumes where it
-- stopped and the totals stay exact. completed_at is set once, with the admin_audit row. No
-- foreign keys: the record outlives what it names. Never a name, a phone number or a medical value.
CREATE TABLE patient_erasures (
  patient_id   uuid PRIMARY KEY,
  reason       text NOT NULL,
  requested_by uuid,
  requested_at timestamptz NOT NULL,
  deleted_by   uuid,
  deleted_at   timestamptz,
  completed_at timestamptz,
  counts       jsonb NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT patient_erasures_reason_check CHECK (reason IN ('grace_period_ended', 'admin_request'))
);

-- A box numbers its configuration versions 1, 2, 3… and applies only a version higher than the
-- one it holds. Erasing a patient deletes their versions; the next version saved for that box must
-- still outrank what the box holds, so the highest erased number is kept here.
ALTER TABLE boxes ADD COLUMN config_version_floor integer NOT NULL DEFAULT 0;
