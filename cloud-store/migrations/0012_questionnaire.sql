-- The daily questionnaire (issue 12): a question bank, per-patient plans (questions + schedule),
-- responses, relatives allowed to answer for a patient, Web Push subscriptions and the reminders
-- the scheduler sent. Shaped after FHIR Questionnaire / QuestionnaireResponse (items by linkId,
-- three answer options) so that a FHIR export is a mapping.
--
-- Runs on PostgreSQL 15 and PGlite (18): nothing newer than 15 here. Every per-patient table has a
-- `patient_id` column: the erasure (cloud-portal/src/privacy/) purges them by it.

-- Questions, one row per version: editing a question adds a row with the same link_id and the next
-- version, so an answer (which names the row) always refers to the exact text the patient saw.
-- origin 'bank': built in (seeded below, no author); 'own': a doctor's, private unless shared.
CREATE TABLE questionnaire_questions (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  link_id     text NOT NULL,
  version     integer NOT NULL,
  origin      text NOT NULL,
  author_id   uuid REFERENCES accounts (id),
  shared      boolean NOT NULL DEFAULT false,
  text_fr     text NOT NULL,
  text_en     text NOT NULL,
  -- { positive: {fr, en}, neutral: {fr, en}, negative: {fr, en} }
  options     jsonb NOT NULL,
  symbol      text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- Set when a newer version replaces this one: the bank lists current versions only.
  superseded_at timestamptz,
  CONSTRAINT questionnaire_questions_version_key UNIQUE (link_id, version),
  CONSTRAINT questionnaire_questions_version_check CHECK (version >= 1),
  CONSTRAINT questionnaire_questions_origin_check CHECK (origin IN ('bank', 'own')),
  CONSTRAINT questionnaire_questions_author_check CHECK ((origin = 'bank') = (author_id IS NULL)),
  CONSTRAINT questionnaire_questions_link_id_check CHECK (link_id ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  CONSTRAINT questionnaire_questions_text_check CHECK (length(text_fr) BETWEEN 1 AND 300 AND length(text_en) BETWEEN 1 AND 300)
);
CREATE INDEX questionnaire_questions_current_idx ON questionnaire_questions (origin, author_id) WHERE superseded_at IS NULL;

-- A patient's questionnaire, one row per version (a change is a new row). question_ids name
-- question versions, in the order asked. Schedule: daily, every N days from anchor_date, or ISO
-- weekdays (1 = Monday); the reminder at reminder_time, local time in time_zone. A slot is a local
-- date on which the questionnaire is due.
CREATE TABLE questionnaire_plans (
  patient_id    uuid NOT NULL REFERENCES patients (id),
  version       integer NOT NULL,
  question_ids  uuid[] NOT NULL,
  kind          text NOT NULL,
  every_n_days  integer,
  weekdays      integer[],
  anchor_date   date NOT NULL,
  reminder_time text NOT NULL,
  time_zone     text NOT NULL DEFAULT 'Europe/Paris',
  created_by    uuid REFERENCES accounts (id),
  created_at    timestamptz NOT NULL,
  CONSTRAINT questionnaire_plans_pkey PRIMARY KEY (patient_id, version),
  CONSTRAINT questionnaire_plans_version_check CHECK (version >= 1),
  CONSTRAINT questionnaire_plans_questions_check CHECK (cardinality(question_ids) BETWEEN 1 AND 10),
  CONSTRAINT questionnaire_plans_kind_check CHECK (kind IN ('daily', 'every_n_days', 'weekdays')),
  CONSTRAINT questionnaire_plans_every_check CHECK ((kind = 'every_n_days') = (every_n_days IS NOT NULL) AND (every_n_days IS NULL OR every_n_days BETWEEN 2 AND 14)),
  CONSTRAINT questionnaire_plans_weekdays_check CHECK ((kind = 'weekdays') = (weekdays IS NOT NULL) AND (weekdays IS NULL OR (cardinality(weekdays) BETWEEN 1 AND 7 AND weekdays <@ ARRAY[1, 2, 3, 4, 5, 6, 7]))),
  CONSTRAINT questionnaire_plans_time_check CHECK (reminder_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$')
);

-- The current plan of every patient, one row each: what the scheduler scans (a pass reads this
-- table, not the history). Kept by the portal in the transaction that adds a plan version.
CREATE TABLE questionnaire_current_plans (
  patient_id uuid PRIMARY KEY REFERENCES patients (id),
  version    integer NOT NULL,
  CONSTRAINT questionnaire_current_plans_version_fkey FOREIGN KEY (patient_id, version) REFERENCES questionnaire_plans (patient_id, version)
);

-- One response per patient and slot, whoever gives it; client_id is the device's idempotency key
-- (an offline answer replayed is recognised, not stored twice). answered_as: the patient, or a
-- relative the patient allowed (answered_by names the account).
CREATE TABLE questionnaire_responses (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id   uuid NOT NULL REFERENCES patients (id),
  slot_date    date NOT NULL,
  plan_version integer NOT NULL,
  client_id    uuid NOT NULL,
  answered_by  uuid,
  answered_as  text NOT NULL,
  answered_at  timestamptz NOT NULL,
  received_at  timestamptz NOT NULL,
  CONSTRAINT questionnaire_responses_slot_key UNIQUE (patient_id, slot_date),
  CONSTRAINT questionnaire_responses_client_key UNIQUE (client_id),
  CONSTRAINT questionnaire_responses_as_check CHECK (answered_as IN ('patient', 'relative'))
);

-- The answers of a response, one per question (FHIR QuestionnaireResponse.item), naming the exact
-- question version asked.
CREATE TABLE questionnaire_answers (
  response_id uuid NOT NULL REFERENCES questionnaire_responses (id) ON DELETE CASCADE,
  patient_id  uuid NOT NULL,
  slot_date   date NOT NULL,
  question_id uuid NOT NULL REFERENCES questionnaire_questions (id),
  link_id     text NOT NULL,
  answer      text NOT NULL,
  CONSTRAINT questionnaire_answers_pkey PRIMARY KEY (response_id, link_id),
  CONSTRAINT questionnaire_answers_answer_check CHECK (answer IN ('positive', 'neutral', 'negative'))
);
CREATE INDEX questionnaire_answers_patient_idx ON questionnaire_answers (patient_id, slot_date);

-- Relatives a patient allows to answer on their behalf (they must also be linked as relatives).
CREATE TABLE questionnaire_proxies (
  patient_id uuid NOT NULL REFERENCES patients (id),
  account_id uuid NOT NULL REFERENCES accounts (id),
  allowed_at timestamptz NOT NULL,
  CONSTRAINT questionnaire_proxies_pkey PRIMARY KEY (patient_id, account_id)
);

-- Web Push subscriptions, per account (a patient's phone, tablet, computer). Removed when the push
-- service answers 404/410 (gone), or when the browser unsubscribes.
CREATE TABLE push_subscriptions (
  endpoint   text PRIMARY KEY,
  account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  p256dh     text NOT NULL,
  auth       text NOT NULL,
  created_at timestamptz NOT NULL,
  CONSTRAINT push_subscriptions_endpoint_check CHECK (endpoint ~ '^https?://' AND length(endpoint) <= 1000)
);
CREATE INDEX push_subscriptions_account_idx ON push_subscriptions (account_id);

-- Reminders, one row per patient, slot and channel: the row is claimed (INSERT … ON CONFLICT DO
-- NOTHING) before anything is sent, so two scheduler instances or a restart never send twice.
-- channel 'push' (every subscription of the patient and of relatives allowed to answer), 'email'
-- (fallback, no medical content), 'box' (« Questionnaire du jour » on the e-paper screen, cleared
-- once answered). state: claimed (being sent; a claim older than the lease is taken over),
-- sent, failed (nothing reached anyone), skipped (nothing to send to), cleared (box only: the
-- slot was answered). A box row in state 'sent' is what the box's downlink serves as its screen
-- notice (cloud-store/src/downlink/screen-notice.ts).
CREATE TABLE questionnaire_reminders (
  patient_id uuid NOT NULL REFERENCES patients (id),
  slot_date  date NOT NULL,
  channel    text NOT NULL,
  state      text NOT NULL,
  claimed_by text NOT NULL,
  claimed_at timestamptz NOT NULL,
  done_at    timestamptz,
  -- Counts only (devices reached, gone): never an address or a medical value.
  detail     jsonb,
  CONSTRAINT questionnaire_reminders_pkey PRIMARY KEY (patient_id, slot_date, channel),
  CONSTRAINT questionnaire_reminders_channel_check CHECK (channel IN ('push', 'email', 'box')),
  CONSTRAINT questionnaire_reminders_state_check CHECK (state IN ('claimed', 'sent', 'failed', 'skipped', 'cleared'))
);
CREATE INDEX questionnaire_reminders_claimed_idx ON questionnaire_reminders (claimed_at) WHERE state = 'claimed';
CREATE INDEX questionnaire_reminders_box_idx ON questionnaire_reminders (patient_id) WHERE channel = 'box' AND state = 'sent';

-- The built-in bank, in French and English. Options are the same three words for most questions.
INSERT INTO questionnaire_questions (link_id, version, origin, text_fr, text_en, options, symbol) VALUES
  ('pain', 1, 'bank', 'Avez-vous mal aujourd’hui ?', 'Are you in pain today?',
   '{"positive":{"fr":"Pas de douleur","en":"No pain"},"neutral":{"fr":"Un peu","en":"A little"},"negative":{"fr":"Beaucoup","en":"A lot"}}', 'pain'),
  ('appetite', 1, 'bank', 'Comment est votre appétit ?', 'How is your appetite?',
   '{"positive":{"fr":"Bon","en":"Good"},"neutral":{"fr":"Moyen","en":"Fair"},"negative":{"fr":"Mauvais","en":"Poor"}}', 'appetite'),
  ('fatigue', 1, 'bank', 'Êtes-vous fatigué(e) ?', 'Do you feel tired?',
   '{"positive":{"fr":"En forme","en":"Rested"},"neutral":{"fr":"Un peu fatigué(e)","en":"A little tired"},"negative":{"fr":"Très fatigué(e)","en":"Very tired"}}', 'fatigue'),
  ('sleep', 1, 'bank', 'Avez-vous bien dormi ?', 'Did you sleep well?',
   '{"positive":{"fr":"Bien","en":"Well"},"neutral":{"fr":"Moyennement","en":"So-so"},"negative":{"fr":"Mal","en":"Badly"}}', 'sleep'),
  ('morale', 1, 'bank', 'Comment va votre moral ?', 'How are your spirits?',
   '{"positive":{"fr":"Bon","en":"Good"},"neutral":{"fr":"Moyen","en":"Fair"},"negative":{"fr":"Mauvais","en":"Low"}}', 'morale'),
  ('breathing', 1, 'bank', 'Êtes-vous essoufflé(e) ?', 'Are you short of breath?',
   '{"positive":{"fr":"Non","en":"No"},"neutral":{"fr":"Un peu","en":"A little"},"negative":{"fr":"Beaucoup","en":"A lot"}}', 'breathing'),
  ('dizziness', 1, 'bank', 'Avez-vous eu des vertiges ou une chute ?', 'Did you feel dizzy or fall?',
   '{"positive":{"fr":"Non","en":"No"},"neutral":{"fr":"Des vertiges","en":"Dizzy"},"negative":{"fr":"Une chute","en":"A fall"}}', 'dizziness'),
  ('mood', 1, 'bank', 'Comment vous sentez-vous aujourd’hui ?', 'How do you feel today?',
   '{"positive":{"fr":"Bien","en":"Well"},"neutral":{"fr":"Comme d’habitude","en":"As usual"},"negative":{"fr":"Pas bien","en":"Unwell"}}', 'mood'),
  ('mobility', 1, 'bank', 'Vous déplacez-vous facilement ?', 'Do you move about easily?',
   '{"positive":{"fr":"Facilement","en":"Easily"},"neutral":{"fr":"Avec peine","en":"With effort"},"negative":{"fr":"Difficilement","en":"Hardly"}}', 'mobility'),
  ('drinking', 1, 'bank', 'Avez-vous assez bu aujourd’hui ?', 'Have you drunk enough today?',
   '{"positive":{"fr":"Oui","en":"Yes"},"neutral":{"fr":"Un peu","en":"A little"},"negative":{"fr":"Non","en":"No"}}', 'drinking');
