-- Portal views: support tickets opened from the portal (the patient's "contact support" form,
-- or any signed-in account), seen and handled by support and admins.
--
-- Runs on PostgreSQL 15 and PGlite (18): nothing newer than 15 here.

CREATE TABLE support_tickets (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Short reference quoted to the person on the phone ("ticket 42").
  number      bigint GENERATED ALWAYS AS IDENTITY,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  -- Who opened it, and for which patient (the patient themself, or a relative's patient). No
  -- foreign keys: a ticket outlives a deleted account.
  account_id  uuid NOT NULL,
  patient_id  uuid,
  topic       text NOT NULL,
  message     text NOT NULL,
  -- How to call back, as the person typed it (free text, never logged).
  callback    text,
  status      text NOT NULL DEFAULT 'open',
  handled_by  uuid,
  CONSTRAINT support_tickets_number_key UNIQUE (number),
  CONSTRAINT support_tickets_topic_check CHECK (topic IN ('box', 'bracelet', 'account', 'other')),
  CONSTRAINT support_tickets_message_check CHECK (length(message) BETWEEN 1 AND 2000),
  CONSTRAINT support_tickets_callback_check CHECK (callback IS NULL OR length(callback) <= 200),
  CONSTRAINT support_tickets_status_check CHECK (status IN ('open', 'in_progress', 'closed'))
);
CREATE INDEX support_tickets_status_idx ON support_tickets (status, created_at DESC);
CREATE INDEX support_tickets_account_idx ON support_tickets (account_id, created_at DESC);
