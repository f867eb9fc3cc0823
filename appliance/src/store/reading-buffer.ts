import type { Reading } from '@vigie/protocol';
import type { BoxDatabase } from './database.ts';

/** A frozen batch: resent identically (same seq, same readings) until the cloud confirms it. */
export interface PendingBatch {
  readonly seq: number;
  readonly braceletId: string;
  readonly readings: Reading[];
  readonly firstId: number;
  readonly lastId: number;
}

interface ReadingRow {
  id: number;
  bracelet_id: string;
  metric: Reading['metric'];
  ts: number;
  value: number;
  period_s: number | null;
}

/**
 * The box's telemetry buffer: every reading is kept until the cloud confirms the batch that
 * carries it. Batches are frozen (their id range recorded) before they are sent, so a retry after a
 * crash or a timeout resends exactly the same content under the same sequence number.
 */
export class ReadingBuffer {
  readonly #db: BoxDatabase;
  readonly #insert;
  readonly #pending;
  readonly #rowsAfter;
  readonly #rowsBetween;
  readonly #lastFrozenId;
  readonly #nextSeq;
  readonly #bumpSeq;
  readonly #freeze;
  readonly #confirmBatch;
  readonly #deleteRange;
  readonly #setFrozen;
  readonly #reject;
  readonly #depth;

  constructor(db: BoxDatabase) {
    this.#db = db;
    this.#insert = db.prepare(
      'INSERT INTO readings (bracelet_id, metric, ts, value, period_s) VALUES (?, ?, ?, ?, ?)',
    );
    this.#pending = db.prepare<[], { seq: number; first_id: number; last_id: number }>(
      "SELECT seq, first_id, last_id FROM outgoing_batches WHERE state = 'pending' ORDER BY seq LIMIT 1",
    );
    this.#rowsAfter = db.prepare<[number, number], ReadingRow>('SELECT * FROM readings WHERE id > ? ORDER BY id LIMIT ?');
    this.#rowsBetween = db.prepare<[number, number], ReadingRow>('SELECT * FROM readings WHERE id BETWEEN ? AND ? ORDER BY id');
    this.#lastFrozenId = db.prepare<[], { last: number }>("SELECT value AS last FROM sync_state WHERE name = 'last_frozen_id'");
    this.#nextSeq = db.prepare<[], { value: number }>("SELECT value FROM sync_state WHERE name = 'next_batch_seq'");
    this.#bumpSeq = db.prepare("UPDATE sync_state SET value = value + 1 WHERE name = 'next_batch_seq'");
    this.#freeze = db.prepare(
      "INSERT INTO outgoing_batches (seq, first_id, last_id, created_at, state) VALUES (?, ?, ?, ?, 'pending')",
    );
    this.#confirmBatch = db.prepare<[number], { first_id: number; last_id: number }>(
      "DELETE FROM outgoing_batches WHERE seq = ? AND state = 'pending' RETURNING first_id, last_id",
    );
    this.#deleteRange = db.prepare('DELETE FROM readings WHERE id BETWEEN ? AND ?');
    this.#setFrozen = db.prepare("UPDATE sync_state SET value = ? WHERE name = 'last_frozen_id'");
    this.#reject = db.prepare("UPDATE outgoing_batches SET state = 'rejected' WHERE seq = ? AND state = 'pending'");
    this.#depth = db.prepare<[], { depth: number; oldest: number | null }>(
      'SELECT count(*) AS depth, min(ts) AS oldest FROM readings',
    );
  }

  /** Store one reading (durable once this returns, against a process crash). */
  append(braceletId: string, reading: Reading): void {
    this.#insert.run(braceletId, reading.metric, reading.ts, reading.value, reading.periodS ?? null);
  }

  /** Store many readings in one transaction. */
  appendMany(braceletId: string, readings: readonly Reading[]): void {
    this.#db.transaction(() => {
      for (const r of readings) this.#insert.run(braceletId, r.metric, r.ts, r.value, r.periodS ?? null);
    })();
  }

  /**
   * The next batch to send: the oldest frozen one not yet confirmed, or a new one frozen now from
   * the readings that follow (one bracelet per batch, at most `maxReadings`). Null when all is sent.
   */
  nextBatch(maxReadings: number, now: number): PendingBatch | null {
    return this.#db.transaction((): PendingBatch | null => {
      const pending = this.#pending.get();
      if (pending) {
        const rows = this.#rowsBetween.all(pending.first_id, pending.last_id);
        return toBatch(pending.seq, rows);
      }
      const after = this.#lastFrozenId.get()!.last;
      const candidates = this.#rowsAfter.all(after, maxReadings);
      if (candidates.length === 0) return null;
      const braceletId = candidates[0]!.bracelet_id;
      const rows: ReadingRow[] = [];
      for (const row of candidates) {
        if (row.bracelet_id !== braceletId) break;
        rows.push(row);
      }
      const seq = this.#nextSeq.get()!.value;
      this.#bumpSeq.run();
      this.#freeze.run(seq, rows[0]!.id, rows.at(-1)!.id, now);
      this.#setFrozen.run(rows.at(-1)!.id);
      return toBatch(seq, rows);
    })();
  }

  /** The cloud has the batch: drop it and its readings. Idempotent. */
  confirm(seq: number): void {
    this.#db.transaction(() => {
      const batch = this.#confirmBatch.get(seq);
      if (batch) this.#deleteRange.run(batch.first_id, batch.last_id);
    })();
  }

  /**
   * The cloud refused the batch as malformed (a bug, not a network fault): set it aside with its
   * readings kept, so it does not block every batch after it. Kept rows stay visible in the depth.
   */
  reject(seq: number): void {
    this.#reject.run(seq);
  }

  /** Readings the cloud does not have yet (including set-aside batches), and the time of the oldest. */
  depth(): { depth: number; oldestTs: number | null } {
    const row = this.#depth.get()!;
    return { depth: row.depth, oldestTs: row.oldest };
  }
}

function toBatch(seq: number, rows: ReadingRow[]): PendingBatch {
  return {
    seq,
    braceletId: rows[0]!.bracelet_id,
    firstId: rows[0]!.id,
    lastId: rows.at(-1)!.id,
    readings: rows.map((r) => ({
      metric: r.metric,
      ts: r.ts,
      value: r.value,
      ...(r.period_s === null ? {} : { periodS: r.period_s }),
    })),
  };
}
