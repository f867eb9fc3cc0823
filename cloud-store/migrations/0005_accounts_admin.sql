-- Accounts, second factor, e-mailed links, admin, device registry, registrations (issue 5).
--
-- Runs unchanged on PostgreSQL 15 and PGlite. Soft deletes everywhere an admin can destroy
-- something: a timestamp column, restorable for 30 days by the portal (the FMEA's admin-error row).

-- Care links are removed softly (restorable); only live links grant access.
ALTER TABLE care_links ADD COLUMN removed_at timestamptz;

-- Second factor (TOTP, RFC 6238) for staff. totp_secret is set at enrolment and confirmed by a
-- first valid code (totp_enabled_at); totp_last_step refuses a code replayed within its window.
ALTER TABLE accounts ADD COLUMN totp_secret text;
ALTER TABLE accounts ADD COLUMN totp_enabled_at timestamptz;
ALTER TABLE accounts ADD COLUMN totp_last_step bigint;
ALTER TABLE accounts ADD COLUMN password_changed_at timestamptz;
ALTER TABLE accounts ADD COLUMN phone text;

-- One-time recovery codes (sha256 of the code; the code is shown once).
CREATE TABLE recovery_codes (
  account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  code_hash  text NOT NULL,
  used_at    timestamptz,
  CONSTRAINT recovery_codes_pkey PRIMARY KEY (account_id, code_hash)
);

-- Password-reset and invitation links: the token is e-mailed, only its sha256 is kept; single use.
CREATE TABLE account_tokens (
  id         text PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  purpose    text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at    timestamptz,
  CONSTRAINT account_tokens_purpose_check CHECK (purpose IN ('reset', 'invite'))
);
CREATE INDEX account_tokens_account_idx ON account_tokens (account_id);

-- Password step passed, second factor awaited (sha256 of the challenge token).
CREATE TABLE login_challenges (
  id         text PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  attempts   integer NOT NULL DEFAULT 0
);

-- Failed logins per account key (sha256 of the normalised e-mail, known or not, so that a lock
-- behaves the same for unknown e-mails and does not reveal which exist).
CREATE TABLE login_failures (
  key          text PRIMARY KEY,
  failures     integer NOT NULL,
  window_start timestamptz NOT NULL
);

-- Every admin change: who, what, before, after. No foreign keys: the trail outlives what it names.
CREATE TABLE admin_audit (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  actor_id  uuid,
  action    text NOT NULL,
  entity    text NOT NULL,
  entity_id text NOT NULL,
  before    jsonb,
  after     jsonb
);
CREATE INDEX admin_audit_entity_idx ON admin_audit (entity, entity_id, at);
CREATE INDEX admin_audit_at_idx ON admin_audit (at);

-- Device registry: boxes exist (0001); they can be retired softly. Bracelets by serial, assigned
-- to a patient over time like boxes.
ALTER TABLE boxes ADD COLUMN deleted_at timestamptz;
CREATE TABLE bracelets (
  id         text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CONSTRAINT bracelets_id_check CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$')
);
CREATE TABLE bracelet_assignments (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bracelet_id text NOT NULL REFERENCES bracelets (id),
  patient_id  uuid NOT NULL REFERENCES patients (id),
  valid_from  timestamptz NOT NULL,
  valid_to    timestamptz,
  CONSTRAINT bracelet_assignments_period_check CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX bracelet_assignments_current_key ON bracelet_assignments (bracelet_id) WHERE valid_to IS NULL;
CREATE INDEX bracelet_assignments_patient_idx ON bracelet_assignments (patient_id);

-- Registration requests from patients or relatives, reviewed by an admin. details = the form
-- (names, contacts, phones). The prescription itself is kept here, in the database: outside any
-- web root, shared by every portal instance, gone with its row. At most 5 MiB, checked by content.
CREATE TABLE registrations (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  submitted_at      timestamptz NOT NULL DEFAULT now(),
  status            text NOT NULL DEFAULT 'pending',
  details           jsonb NOT NULL,
  prescription_type text NOT NULL,
  prescription_size integer NOT NULL,
  prescription      bytea NOT NULL,
  reviewed_by       uuid,
  reviewed_at       timestamptz,
  reject_reason     text,
  patient_id        uuid,
  CONSTRAINT registrations_status_check CHECK (status IN ('pending', 'approved', 'rejected')),
  CONSTRAINT registrations_type_check CHECK (prescription_type IN ('application/pdf', 'image/png', 'image/jpeg'))
);
CREATE INDEX registrations_status_idx ON registrations (status, submitted_at);
