import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir } from '@vigie/common/testing';
import { openBoxDatabase } from '../../store/database.ts';
import { ReadingBuffer } from './reading-buffer.ts';
import { holdWriteLock } from '../../store/write-lock-holder.ts';

const hr = (ts: number, value = 70) => ({ metric: 'heart_rate' as const, ts, value, periodS: 120 });

test('resends the same batch under the same sequence until it is confirmed, even after a restart', () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'box.db');
    let db = openBoxDatabase(path);
    let buffer = new ReadingBuffer(db);
    buffer.appendMany('BR-1', [hr(1), hr(2), hr(3)]);
    const first = buffer.nextBatch(2, 100)!;
    assert.equal(first.seq, 0);
    assert.deepEqual(first.readings.map((r) => r.ts), [1, 2]);
    buffer.append('BR-1', hr(4));
    db.close();

    db = openBoxDatabase(path);
    buffer = new ReadingBuffer(db);
    const again = buffer.nextBatch(10, 200)!;
    assert.deepEqual(again, first, 'the frozen batch is resent identically');
    buffer.confirm(0);
    buffer.confirm(0);
    const second = buffer.nextBatch(10, 300)!;
    assert.equal(second.seq, 1);
    assert.deepEqual(second.readings.map((r) => r.ts), [3, 4]);
    buffer.confirm(1);
    assert.equal(buffer.nextBatch(10, 400), null);
    assert.deepEqual(buffer.depth(), { depth: 0, oldestTs: null });
    db.close();
  } finally {
    dir.cleanup();
  }
});

test('keeps one bracelet per batch and reports depth and the oldest unsent reading', () => {
  const db = openBoxDatabase(':memory:');
  const buffer = new ReadingBuffer(db);
  buffer.appendMany('BR-1', [hr(10), hr(11)]);
  buffer.appendMany('BR-2', [hr(12)]);
  assert.deepEqual(buffer.depth(), { depth: 3, oldestTs: 10 });
  const a = buffer.nextBatch(100, 0)!;
  assert.equal(a.braceletId, 'BR-1');
  assert.equal(a.readings.length, 2);
  buffer.confirm(a.seq);
  const b = buffer.nextBatch(100, 0)!;
  assert.equal(b.braceletId, 'BR-2');
  assert.deepEqual(buffer.depth(), { depth: 1, oldestTs: 12 });
});

test('sets a refused batch aside, keeping its readings, and moves on', () => {
  const db = openBoxDatabase(':memory:');
  const buffer = new ReadingBuffer(db);
  buffer.appendMany('BR-1', [hr(1), hr(2)]);
  const bad = buffer.nextBatch(1, 0)!;
  buffer.reject(bad.seq);
  const next = buffer.nextBatch(10, 0)!;
  assert.equal(next.seq, bad.seq + 1);
  assert.deepEqual(next.readings.map((r) => r.ts), [2]);
  buffer.confirm(next.seq);
  assert.equal(buffer.depth().depth, 1, 'the set-aside reading is still there');
});

// The telemetry process shares the store's file with the safety core, which writes alerts in
// IMMEDIATE transactions. A deferred transaction here that reads and then writes (freezing a
// batch reads the cursor, then moves it) would fail at once with SQLITE_BUSY while the safety
// core holds the write lock: SQLite does not call the busy handler for that upgrade.
test('stores, batches and confirms readings while another process holds the write lock for a moment, losing none', async () => {
  const dir = tempDir('vigie-buffer-lock-');
  const path = join(dir.path, 'box.db');
  const db = openBoxDatabase(path);
  const buffer = new ReadingBuffer(db);
  try {
    const underLock = async (what: string, operation: () => void) => {
      const { released } = await holdWriteLock(path, 300);
      try {
        assert.doesNotThrow(operation, `${what} under another process's write lock`);
      } finally {
        await released;
      }
    };
    await underLock('append', () => buffer.append('BR-1', hr(1)));
    await underLock('appendMany', () => buffer.appendMany('BR-1', [hr(2), hr(3)]));
    let batch: ReturnType<ReadingBuffer['nextBatch']> = null;
    await underLock('nextBatch', () => (batch = buffer.nextBatch(10, 100)));
    assert.deepEqual(batch!.readings.map((r) => r.ts), [1, 2, 3], 'every reading is in the frozen batch');
    await underLock('confirm', () => buffer.confirm(batch!.seq));
    assert.deepEqual(buffer.depth(), { depth: 0, oldestTs: null });
    assert.equal(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outgoing_batches').get()!.n, 0, 'the confirmed batch is gone');
  } finally {
    db.close();
    dir.cleanup();
  }
});
