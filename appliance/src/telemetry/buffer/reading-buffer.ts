import { silentLogger, type Logger } from '@vigie/common';
import type { Reading } from '@vigie/protocol';
import type { BoxDatabase } from '../../store/database.ts';
import type { SendCadences } from './send-cadence.ts';
import { DEFAULT_BUFFER_LIMITS, type BufferLimits } from './buffer-limits.ts';

/** A frozen batch: resent identically (same seq, same readings) until the cloud confirms it. */
export interface PendingBatch {
  readonly seq: number;
  readonly braceletId: string;
  readonly readings: Reading[];
  readonly firstId: number;
  readonly lastId: number;
}

export { DEFAULT_BUFFER_LIMITS, type BufferLimits } from './buffer-limits.ts';

/**
 * Estimated SQLite bytes of one reading beyond its two strings: record header, rowid, ts, value
 * and period, cell pointer, B-tree and page slack. Calibrated on this store: 100,000 heart-rate
 * and SpO2 readings of a 12-character bracelet grow the file by 45.1 bytes each; the estimate
 * gives 44.7. An estimate on purpose: it costs no query.
 */
const ROW_OVERHEAD_BYTES = 24;

/** The estimated bytes a reading takes in the buffer (ids and metrics are ASCII by schema). */
export function readingBytes(braceletId: string, metric: string): number {
  return ROW_OVERHEAD_BYTES + braceletId.length + metric.length;
}

/** The same estimate in SQL, over rows of `readings`. */
const ROW_BYTES_SQL = `${ROW_OVERHEAD_BYTES} + length(bracelet_id) + length(metric)`;

/**
 * Most unbatched readings one eviction step deletes. Eviction shares SQLite's single write lock
 * with the safety core's alert writes (same file): a step must stay short (~1 ms), so a full
 * buffer never delays storing an alert. A set-aside or in-flight batch goes whole (at most
 * MAX_READINGS_PER_BATCH rows).
 */
export const EVICTION_STEP_MAX_ROWS = 1_000;

interface ReadingRow {
  id: number;
  bracelet_id: string;
  metric: Reading['metric'];
  ts: number;
  value: number;
  period_s: number | null;
}

/** Rows and estimated bytes; what one eviction step freed. */
interface Usage {
  rows: number;
  bytes: number;
}

/**
 * The box's telemetry buffer, a bounded ring: every reading is kept until the cloud confirms the
 * batch that carries it, or until the buffer is full and it is among the oldest unsent (evicted,
 * counted). Batches are frozen (their id range recorded) before they are sent, so a retry after a
 * crash or a timeout resends exactly the same content under the same sequence number; the
 * cursor (`last_frozen_id`) only ever moves forward, and readings leave only on confirmation.
 *
 * Alerts and acknowledgements are not here: they live in the safety core's own tables
 * (`alerts`, `sms_outbox`) and nothing in this class touches them.
 *
 * Every transaction here begins IMMEDIATE (takes the write lock first): the safety core writes
 * to the same file from another process, and a deferred transaction that reads and then writes
 * fails at once with SQLITE_BUSY while it holds the lock (SQLite does not call the busy handler
 * for that upgrade), which would lose a reading or a batch freeze. IMMEDIATE waits instead
 * (busy_timeout, store/database.ts); the safety core's are as short, so neither waits long.
 *
 * This class is the only writer of `readings`. Its usage (rows, estimated bytes) is held in memory,
 * derived from the table when opened — so a crash can never leave it wrong — and updated after
 * each commit; the limits are checked without any query.
 */
export class ReadingBuffer {
  readonly #db: BoxDatabase;
  readonly #limits: BufferLimits;
  readonly #log: Logger;
  readonly #usage: Usage;
  #evictedTotal: number;
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
  readonly #oldest;
  readonly #tail;
  readonly #usageBetween;
  readonly #oldestRejected;
  readonly #deleteBatch;
  readonly #unbatched;
  readonly #addEvicted;
  readonly #evictedCount;

  constructor(db: BoxDatabase, options: { limits?: BufferLimits; log?: Logger } = {}) {
    this.#db = db;
    this.#limits = options.limits ?? DEFAULT_BUFFER_LIMITS;
    this.#log = options.log ?? silentLogger();
    // The id: one past both the highest present and the cursor, so a new reading always sorts
    // after every batched one even when confirmation emptied the table (no AUTOINCREMENT: it cost
    // an extra page write per reading). Two index look-ups, no write besides the row itself.
    this.#insert = db.prepare(
      `INSERT INTO readings (id, bracelet_id, metric, ts, value, period_s)
       VALUES (max(coalesce((SELECT max(id) FROM readings), 0), (SELECT value FROM sync_state WHERE name = 'last_frozen_id')) + 1, ?, ?, ?, ?, ?)`,
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
    this.#oldest = db.prepare<[], { oldest: number | null }>('SELECT min(ts) AS oldest FROM readings');
    // The unbatched tail, bounded to one batch: enough to decide whether it is due.
    this.#tail = db.prepare<[number, number], { metric: Reading['metric']; n: number; oldest: number }>(
      'SELECT metric, count(*) AS n, min(ts) AS oldest FROM (SELECT metric, ts FROM readings WHERE id > ? ORDER BY id LIMIT ?) GROUP BY metric',
    );
    this.#usageBetween = db.prepare<[number, number], Usage>(
      `SELECT count(*) AS rows, coalesce(sum(${ROW_BYTES_SQL}), 0) AS bytes FROM readings WHERE id BETWEEN ? AND ?`,
    );
    this.#oldestRejected = db.prepare<[], { seq: number; first_id: number; last_id: number }>(
      "SELECT seq, first_id, last_id FROM outgoing_batches WHERE state = 'rejected' ORDER BY seq LIMIT 1",
    );
    this.#deleteBatch = db.prepare('DELETE FROM outgoing_batches WHERE seq = ?');
    this.#unbatched = db.prepare<[number, number], { id: number; bytes: number }>(
      `SELECT id, ${ROW_BYTES_SQL} AS bytes FROM readings WHERE id > ? ORDER BY id LIMIT ?`,
    );
    this.#addEvicted = db.prepare("UPDATE sync_state SET value = value + ? WHERE name = 'evicted_total'");
    this.#evictedCount = db.prepare<[], { value: number }>("SELECT value FROM sync_state WHERE name = 'evicted_total'");

    const usage = db.prepare<[], Usage>(`SELECT count(*) AS rows, coalesce(sum(${ROW_BYTES_SQL}), 0) AS bytes FROM readings`).get()!;
    this.#usage = { rows: usage.rows, bytes: usage.bytes };
    this.#evictedTotal = this.#evictedCount.get()!.value;
    // Limits lowered since the last run: come back under them now, a bounded step at a time.
    while (this.#over(this.#usage)) {
      const freed = this.#db.transaction(() => this.#evictStep(this.#usage)).immediate();
      this.#apply(0, 0, freed);
      if (freed.rows === 0) break;
    }
  }

  /** The limits this buffer enforces. */
  get limits(): BufferLimits {
    return this.#limits;
  }

  /**
   * Store one reading: committed (durable against a process crash) when this returns. One
   * autocommit INSERT in the common case; when the buffer is full, the insert and the eviction
   * it causes commit together, so the buffer is never seen above its limits.
   */
  append(braceletId: string, reading: Reading): void {
    const bytes = readingBytes(braceletId, reading.metric);
    if (!this.#over({ rows: this.#usage.rows + 1, bytes: this.#usage.bytes + bytes })) {
      this.#insert.run(braceletId, reading.metric, reading.ts, reading.value, reading.periodS ?? null);
      this.#apply(1, bytes, null);
      return;
    }
    const freed = this.#db.transaction(() => {
      this.#insert.run(braceletId, reading.metric, reading.ts, reading.value, reading.periodS ?? null);
      return this.#evictStep({ rows: this.#usage.rows + 1, bytes: this.#usage.bytes + bytes });
    }).immediate();
    this.#apply(1, bytes, freed);
  }

  /** Store many readings in one transaction (evicting as needed, in the same transaction). */
  appendMany(braceletId: string, readings: readonly Reading[]): void {
    const { rows, bytes, freed } = this.#db.transaction(() => {
      const added = { rows: 0, bytes: 0 };
      const freed = { rows: 0, bytes: 0 };
      const now = () => ({ rows: this.#usage.rows + added.rows - freed.rows, bytes: this.#usage.bytes + added.bytes - freed.bytes });
      for (const r of readings) {
        this.#insert.run(braceletId, r.metric, r.ts, r.value, r.periodS ?? null);
        added.rows++;
        added.bytes += readingBytes(braceletId, r.metric);
        if (this.#over(now())) {
          const step = this.#evictStep(now());
          freed.rows += step.rows;
          freed.bytes += step.bytes;
        }
      }
      return { ...added, freed };
    }).immediate();
    this.#apply(rows, bytes, freed);
  }

  /**
   * The next batch to send, or null. The rule, in order:
   * 1. a frozen batch the cloud has not confirmed is resent as it is (same seq, same readings);
   * 2. otherwise, when the unbatched tail is due (below), a new batch is frozen from its oldest
   *    readings: at most `maxReadings`, one bracelet per batch, in arrival order.
   * The tail is due when it fills a whole batch (backlog, replay after an outage: full batches,
   * back to back), or when any metric in it is due by its cadence (count reached, or its oldest
   * reading older than its maximum age). Everything waiting then goes along: a transmission costs
   * the radio wake-up, not the bytes, so no metric waits past its cadence and the box talks to the
   * cloud at most as often as the most frequent one. After an outage, every old reading is past
   * its age, so the backlog drains at full speed without any special mode. No `cadences`: the tail
   * is always due.
   */
  nextBatch(maxReadings: number, now: number, cadences?: SendCadences): PendingBatch | null {
    return this.#db.transaction((): PendingBatch | null => {
      const pending = this.#pending.get();
      if (pending) {
        const rows = this.#rowsBetween.all(pending.first_id, pending.last_id);
        if (rows.length > 0) return toBatch(pending.seq, rows);
        // Every reading of it was evicted (see #evictStep): nothing left to send under this seq.
        this.#deleteBatch.run(pending.seq);
      }
      const after = this.#lastFrozenId.get()!.last;
      if (cadences && !this.#tailDue(after, maxReadings, now, cadences)) return null;
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
    }).immediate();
  }

  /** The cloud has the batch: drop it and its readings. Idempotent. */
  confirm(seq: number): void {
    const freed = this.#db.transaction((): Usage | null => {
      const batch = this.#confirmBatch.get(seq);
      if (!batch) return null;
      const usage = this.#usageBetween.get(batch.first_id, batch.last_id)!;
      this.#deleteRange.run(batch.first_id, batch.last_id);
      return usage;
    }).immediate();
    this.#apply(0, 0, freed);
  }

  /**
   * The cloud refused the batch as malformed (a bug, not a network fault): set it aside with its
   * readings kept, so it does not block every batch after it. Kept rows stay visible in the depth
   * and are the first evicted when the buffer is full.
   */
  reject(seq: number): void {
    this.#reject.run(seq);
  }

  /** Readings the cloud does not have yet (including set-aside batches), and the time of the oldest. */
  depth(): { depth: number; oldestTs: number | null } {
    // min(ts) scans at most maxRows rows (~10 ms at 100,000): called once per heartbeat.
    return { depth: this.#usage.rows, oldestTs: this.#usage.rows === 0 ? null : this.#oldest.get()!.oldest };
  }

  /** Rows and estimated bytes held now, and readings ever evicted because the buffer was full. */
  usage(): { rows: number; bytes: number; evictedTotal: number } {
    return { rows: this.#usage.rows, bytes: this.#usage.bytes, evictedTotal: this.#evictedTotal };
  }

  #over(u: Usage): boolean {
    return u.rows > this.#limits.maxRows || u.bytes > this.#limits.maxBytes;
  }

  /** After a commit: the usage it changed (memory follows the database, never leads it). */
  #apply(addedRows: number, addedBytes: number, freed: Usage | null): void {
    this.#usage.rows += addedRows - (freed?.rows ?? 0);
    this.#usage.bytes += addedBytes - (freed?.bytes ?? 0);
    if (freed && freed.rows > 0) this.#evictedTotal = this.#evictedCount.get()!.value;
  }

  #tailDue(after: number, maxReadings: number, now: number, cadences: SendCadences): boolean {
    const groups = this.#tail.all(after, maxReadings);
    let total = 0;
    for (const g of groups) {
      total += g.n;
      const cadence = cadences[g.metric];
      // A metric this software has no cadence for goes at once rather than never.
      if (!cadence || (cadence.count !== null && g.n >= cadence.count) || now - g.oldest >= cadence.maxAgeMs) return true;
    }
    return total >= maxReadings;
  }

  /**
   * One eviction step, inside the caller's transaction, from usage `u` down to a low-water mark
   * 1 % (at most 1,000 rows) under the limits, so a full buffer evicts once per hundreds of
   * readings rather than at each one. Oldest unsent first, in this order:
   * 1. set-aside (refused) batches, whole: the cloud will not take them anyway;
   * 2. unbatched readings, oldest first, at most EVICTION_STEP_MAX_ROWS;
   * 3. only when nothing else is left (limits smaller than one batch, or lowered at restart), the
   *    batch in flight, whole. Its seq is never reused; if the cloud did get it, the data is there,
   *    else it is lost like any evicted reading. Never partly: a frozen batch is resent identically
   *    or not at all.
   * Counts the evicted rows in `evicted_total` (durable, same transaction) and logs why, no values.
   */
  #evictStep(u: Usage): Usage {
    const slackRows = Math.min(1_000, Math.max(1, Math.floor(this.#limits.maxRows / 100)));
    const slackBytes = Math.max(1, Math.floor(this.#limits.maxBytes / 100));
    const reason = u.rows > this.#limits.maxRows ? 'rows_limit' : 'bytes_limit';
    const needRows = Math.max(0, u.rows - (this.#limits.maxRows - slackRows));
    const needBytes = Math.max(0, u.bytes - (this.#limits.maxBytes - slackBytes));
    const freed: Usage = { rows: 0, bytes: 0 };
    const satisfied = () => freed.rows >= needRows && freed.bytes >= needBytes;
    const dropBatch = (b: { seq: number; first_id: number; last_id: number }) => {
      const usage = this.#usageBetween.get(b.first_id, b.last_id)!;
      this.#deleteRange.run(b.first_id, b.last_id);
      this.#deleteBatch.run(b.seq);
      freed.rows += usage.rows;
      freed.bytes += usage.bytes;
    };
    let setAside = 0;
    while (!satisfied() && freed.rows < EVICTION_STEP_MAX_ROWS) {
      const b = this.#oldestRejected.get();
      if (!b) break;
      dropBatch(b);
      setAside++;
    }
    let unbatched = 0;
    if (!satisfied() && freed.rows < EVICTION_STEP_MAX_ROWS) {
      const after = this.#lastFrozenId.get()!.last;
      const rows = this.#unbatched.all(after, EVICTION_STEP_MAX_ROWS - freed.rows);
      let cut = after;
      for (const row of rows) {
        if (satisfied()) break;
        cut = row.id;
        freed.rows++;
        freed.bytes += row.bytes;
        unbatched++;
      }
      if (cut > after) this.#deleteRange.run(after + 1, cut);
    }
    let inFlight = false;
    if (!satisfied() && freed.rows === 0) {
      const pending = this.#pending.get();
      if (pending) {
        dropBatch(pending);
        inFlight = true;
      }
    }
    if (freed.rows > 0) {
      this.#addEvicted.run(freed.rows);
      const fields = { reason, evicted: freed.rows, setAsideBatches: setAside, unbatched, inFlightBatch: inFlight, depth: u.rows - freed.rows };
      if (inFlight) this.#log.error(fields, 'telemetry buffer full: evicted the batch in flight (limits below one batch)');
      else this.#log.warn(fields, 'telemetry buffer full: evicted the oldest unsent readings');
    }
    return freed;
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
