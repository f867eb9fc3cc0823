-- Dead letters of the Kafka ingest: messages the consumer could not use (not JSON, wrong schema,
-- unknown or unauthenticated box, a batch refused whole, a row the database refuses). Each is kept
-- here with its reason and also produced to the `vigie.deadletter.v1` topic, then its offset is
-- committed: a poison message never blocks its partition. Plausibility refusals of single readings
-- stay in rejected_readings (migration 0001); this table holds whole messages.
--
-- No foreign key on box_id: a message from an unknown box is exactly what must be kept. The
-- payload is capped (64 KiB, payload_bytes keeps the real size) so a flood of huge junk cannot
-- fill the disk. A redelivered poison message (consumer died before committing) is recorded once:
-- unique on its source coordinates and content.
CREATE TABLE dead_letters (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic           text NOT NULL,
  kafka_partition integer NOT NULL,
  kafka_offset    bigint NOT NULL,
  message_key     text,
  box_id          text,
  reason          text NOT NULL,
  field           text,
  received_at     timestamptz NOT NULL DEFAULT now(),
  payload         bytea NOT NULL,
  payload_bytes   integer NOT NULL,
  payload_sha256  text NOT NULL,
  CONSTRAINT dead_letters_source_key UNIQUE (topic, kafka_partition, kafka_offset, payload_sha256),
  CONSTRAINT dead_letters_reason_check CHECK (reason ~ '^[A-Z][A-Z0-9_]{2,63}$')
);
CREATE INDEX dead_letters_received_idx ON dead_letters (received_at);
CREATE INDEX dead_letters_box_idx ON dead_letters (box_id, received_at) WHERE box_id IS NOT NULL;
