import Database from 'better-sqlite3';
import { touchPrivateFile } from '@vigie/common';
import { boxErrors } from '../errors.ts';

export type BoxDatabase = Database.Database;

/**
 * Schema migrations of the box store, applied in order; `user_version` records how many ran.
 * Never edit a shipped entry: append a new one.
 */
const MIGRATIONS: readonly string[] = [
  `
  -- Readings waiting for the cloud. id is the order of arrival; the sync cursor is an id.
  CREATE TABLE readings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    bracelet_id TEXT    NOT NULL,
    metric      TEXT    NOT NULL,
    ts          INTEGER NOT NULL,          -- epoch ms
    value       REAL    NOT NULL,
    period_s    INTEGER
  );
  -- Batches are frozen before they are sent, so a retry after a crash resends the same seq with
  -- the same readings (the cloud's idempotency key is box id + seq).
  CREATE TABLE outgoing_batches (
    seq        INTEGER PRIMARY KEY,
    first_id   INTEGER NOT NULL,
    last_id    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    state      TEXT    NOT NULL CHECK (state IN ('pending', 'rejected'))  -- confirmed batches are deleted with their readings
  );
  CREATE TABLE sync_state (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) WITHOUT ROWID;
  -- last_frozen_id: highest reading id already put in a batch; next_batch_seq: the next batch number.
  INSERT INTO sync_state (name, value) VALUES ('last_frozen_id', 0), ('next_batch_seq', 0);

  -- Alerts: stored before anything is sent (design: persist an alert before acting on it).
  CREATE TABLE alerts (
    alert_id          TEXT PRIMARY KEY,
    number            INTEGER NOT NULL,
    kind              TEXT    NOT NULL,
    severity          TEXT    NOT NULL,
    state             TEXT    NOT NULL CHECK (state IN ('raised','notifying','notified','acknowledged','escalated','closed')),
    revision          INTEGER NOT NULL DEFAULT 0,
    uploaded_revision INTEGER NOT NULL DEFAULT -1,
    source_key        TEXT,                -- what raised it (bracelet event); repeats within a window are de-duplicated
    raised_at         INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    ack_by            TEXT,
    ack_via           TEXT,
    ack_at            INTEGER
  );
  CREATE INDEX alerts_upload ON alerts (uploaded_revision, revision);
  CREATE INDEX alerts_source ON alerts (source_key, raised_at);

  -- One row per SMS to send. States: pending → sending → sent | failed (retried while attempts remain).
  CREATE TABLE sms_outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id      TEXT    NOT NULL REFERENCES alerts (alert_id),
    contact_name  TEXT    NOT NULL,
    phone         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    state         TEXT    NOT NULL CHECK (state IN ('pending','sending','sent','failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    references_json TEXT,                  -- +CMGS message references, stored with the 'sent' state
    last_error    TEXT,
    next_attempt_at INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
  );
  CREATE INDEX sms_outbox_due ON sms_outbox (state, next_attempt_at);
  `,
  `
  -- Acknowledgement and escalation. An alert is notified in rounds: round 0 texts the first tier of
  -- contacts; each round without acknowledgement texts the next tiers too, up to a limit.
  ALTER TABLE alerts ADD COLUMN escalation_round INTEGER NOT NULL DEFAULT 0;
  -- A fall's cancel window: its SMS wait until then; a press of the box's button closes it.
  ALTER TABLE alerts ADD COLUMN cancel_until INTEGER;
  ALTER TABLE alerts ADD COLUMN next_escalation_at INTEGER;
  CREATE INDEX alerts_escalation ON alerts (state, next_escalation_at);

  -- purpose: 'alert' (the alert itself), 'ack_confirm' (to the contact who acknowledged),
  -- 'ack_notice' (to the others: someone is on it). 'cancelled' rows are never sent.
  CREATE TABLE sms_outbox_v2 (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id        TEXT    NOT NULL REFERENCES alerts (alert_id),
    round           INTEGER NOT NULL DEFAULT 0,
    purpose         TEXT    NOT NULL DEFAULT 'alert' CHECK (purpose IN ('alert','ack_confirm','ack_notice')),
    contact_name    TEXT    NOT NULL,
    phone           TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending','sending','sent','failed','cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    references_json TEXT,
    -- Store-then-send (TS 27.005 AT+CMGW / AT+CMSS): the modem storage index of each part, and the
    -- message reference of each part once sent (null until then). A restart asks the modem whether
    -- an unconfirmed part went out (stat STO SENT) instead of sending it again.
    stored_indexes_json TEXT,
    part_refs_json      TEXT,
    last_error      TEXT,
    next_attempt_at INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
  );
  INSERT INTO sms_outbox_v2 (id, alert_id, contact_name, phone, body, state, attempts, references_json, last_error, next_attempt_at, updated_at)
    SELECT id, alert_id, contact_name, phone, body, state, attempts, references_json, last_error, next_attempt_at, updated_at FROM sms_outbox;
  DROP TABLE sms_outbox;
  ALTER TABLE sms_outbox_v2 RENAME TO sms_outbox;
  CREATE INDEX sms_outbox_due ON sms_outbox (state, next_attempt_at);
  CREATE INDEX sms_outbox_alert ON sms_outbox (alert_id);

  -- Replies received from contacts, kept for the audit of who acknowledged what.
  CREATE TABLE incoming_sms (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    sender      TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    outcome     TEXT    NOT NULL,          -- acknowledged | already_acknowledged | no_open_alert | unknown_sender | not_an_ack | ambiguous
    alert_id    TEXT
  );
  `,
  `
  -- The bounded telemetry buffer (appliance/README.md, "Telemetry buffer").
  -- readings loses AUTOINCREMENT: it rewrote sqlite_sequence on every insert, one more page per
  -- commit, a third of the cost of storing one reading. Ids stay monotonic without it: the insert
  -- takes max(highest id present, last_frozen_id) + 1, so a new reading always sorts after every
  -- batched one (an id freed by eviction may be reused; nothing refers to it any more).
  CREATE TABLE readings_v2 (
    id          INTEGER PRIMARY KEY,
    bracelet_id TEXT    NOT NULL,
    metric      TEXT    NOT NULL,
    ts          INTEGER NOT NULL,          -- epoch ms
    value       REAL    NOT NULL,
    period_s    INTEGER
  );
  INSERT INTO readings_v2 (id, bracelet_id, metric, ts, value, period_s)
    SELECT id, bracelet_id, metric, ts, value, period_s FROM readings;
  -- Keep the old high-water mark: ids handed out by AUTOINCREMENT are never handed out again.
  UPDATE sync_state SET value = max(value, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'readings'), 0))
    WHERE name = 'last_frozen_id' AND NOT EXISTS (SELECT 1 FROM readings WHERE id > sync_state.value);
  DROP TABLE readings;
  ALTER TABLE readings_v2 RENAME TO readings;
  -- evicted_total: unsent readings dropped because the buffer was full, ever (reported in heartbeats).
  INSERT INTO sync_state (name, value) VALUES ('evicted_total', 0);
  `,
  `
  -- The SMS reply grammar (issue 10; appliance/src/safety-core/REPLIES.md): purpose 'help' is the short
  -- reply to a contact whose answer the box did not understand, rate-limited per number. Same
  -- table otherwise (SQLite cannot change a CHECK in place).
  CREATE TABLE sms_outbox_v3 (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id        TEXT    NOT NULL REFERENCES alerts (alert_id),
    round           INTEGER NOT NULL DEFAULT 0,
    purpose         TEXT    NOT NULL DEFAULT 'alert' CHECK (purpose IN ('alert','ack_confirm','ack_notice','help')),
    contact_name    TEXT    NOT NULL,
    phone           TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending','sending','sent','failed','cancelled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    references_json TEXT,
    stored_indexes_json TEXT,
    part_refs_json      TEXT,
    last_error      TEXT,
    next_attempt_at INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
  );
  INSERT INTO sms_outbox_v3 SELECT id, alert_id, round, purpose, contact_name, phone, body, state, attempts, references_json,
    stored_indexes_json, part_refs_json, last_error, next_attempt_at, updated_at FROM sms_outbox;
  DROP TABLE sms_outbox;
  ALTER TABLE sms_outbox_v3 RENAME TO sms_outbox;
  CREATE INDEX sms_outbox_due ON sms_outbox (state, next_attempt_at);
  CREATE INDEX sms_outbox_alert ON sms_outbox (alert_id);
  CREATE INDEX sms_outbox_help ON sms_outbox (purpose, phone);
  -- incoming_sms.outcome may now also be: refused | not_notified | not_understood (safety-core/alert-follow-up-store.ts).
  `,
  `
  -- Alert latency per stage (issue 16): when the bracelet's event was stamped and when the safety
  -- core received it (raised_at is when the rules stored the alert); when each SMS was first stored
  -- in the modem's memory (AT+CMGW), before it was sent.
  ALTER TABLE alerts ADD COLUMN detected_at INTEGER;
  ALTER TABLE alerts ADD COLUMN received_at INTEGER;
  ALTER TABLE sms_outbox ADD COLUMN stored_at INTEGER;
  -- Starts of each box process (vigie_box_process_starts_total: restarts are its increase).
  CREATE TABLE process_starts (
    process       TEXT PRIMARY KEY,
    starts        INTEGER NOT NULL,
    last_start_at INTEGER NOT NULL
  );
  `,
];

/**
 * Open (creating if needed) the box's SQLite store and bring its schema up to date.
 */
export function openBoxDatabase(path: string, options: { synchronous?: 'NORMAL' | 'FULL' } = {}): BoxDatabase {
  // 0600 in a 0700 folder before SQLite opens it: SQLite gives its -wal and -shm files the
  // database file's mode, so the readings never sit in a world-readable file.
  if (path !== ':memory:') touchPrivateFile(path);
  const db = new Database(path);
  // WAL: readers (sync, screen) never block the writer (the BLE path); a crash loses nothing committed.
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode is durable against process crashes (the commonest failure) and is what the
  // telemetry path uses; FULL adds an fsync per commit so a power cut cannot lose the last
  // transactions, at ~10x the cost per commit: the safety path (alerts, SMS outbox) opens its own
  // connection with FULL.
  db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  // The safety core and the telemetry service write this file from two processes: each write
  // transaction begins IMMEDIATE and waits here for the other's write lock instead of failing.
  // Both keep their transactions to milliseconds (eviction steps are bounded), so 5 s is reached
  // only when the other process hangs mid-transaction: then fail loudly rather than wait forever.
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: BoxDatabase): void {
  // The safety core and the telemetry service open the same file at start, often together: each
  // step reads the version and applies the next migration under the write lock (BEGIN IMMEDIATE),
  // so the second process waits (busy_timeout) and then finds the work done instead of redoing it.
  const step = db.transaction((): boolean => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw boxErrors.create('BOX_STORE_SCHEMA_NEWER', { details: { found: current, known: MIGRATIONS.length } });
    }
    if (current === MIGRATIONS.length) return false;
    db.exec(MIGRATIONS[current]!);
    db.pragma(`user_version = ${current + 1}`);
    return true;
  });
  while (step.immediate()) {
    // one migration applied; look again
  }
}
