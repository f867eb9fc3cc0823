-- Ingest hardening (issue 10, findings 5 and 7).
--
-- 1. A reading that fails the wire schema is refused on its own, not with its whole batch: it is
--    kept in rejected_readings with reason 'invalid_reading', the JSON pointer of its failing
--    field, and only those of its fields that were valid (the others NULL).
-- 2. A box message refused whole over HTTPS (bad envelope, unstorable) is dead-lettered like a
--    Kafka one, answered 4xx so the box sets it aside: it has no partition nor offset, its
--    `topic` is the HTTPS path (`https:/ingest/v1/telemetry`).
-- 3. Kafka messages are signed with the box's own ed25519 key. The cloud holds only the public
--    key (SubjectPublicKeyInfo DER, base64): a copy of the database cannot forge a message, as it
--    could when the signing key was derived from boxes.token_hash.
--
-- Runs on PostgreSQL 15 and PGlite (18): nothing newer than 15 here.

ALTER TABLE rejected_readings
  ALTER COLUMN metric DROP NOT NULL,
  ALTER COLUMN ts DROP NOT NULL,
  ALTER COLUMN value DROP NOT NULL,
  ADD COLUMN field text;

ALTER TABLE dead_letters
  ALTER COLUMN kafka_partition DROP NOT NULL,
  ALTER COLUMN kafka_offset DROP NOT NULL;

ALTER TABLE boxes
  ADD COLUMN signing_public_key text,
  ADD CONSTRAINT boxes_signing_public_key_check CHECK (signing_public_key ~ '^[A-Za-z0-9+/]{40,200}={0,2}$');
