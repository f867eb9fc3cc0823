/**
 * The Db port's contract, run against every adapter available: PGlite always, PostgreSQL too
 * when DATABASE_URL is set.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb, testsUsePostgres, type TestDb } from '../testing.ts';
import { openPgliteDb } from './pglite-adapter.ts';
import type { Db } from './types.ts';

const adapters: Array<[string, () => Promise<Db>]> = [['pglite', () => openPgliteDb()]];
if (testsUsePostgres) adapters.push(['postgres', () => openTestDb({ fresh: true }) as Promise<TestDb>]);

for (const [name, open] of adapters) {
  describe(`Db adapter ${name}`, () => {
    let db: Db;
    before(async () => {
      db = await open();
      await db.exec('CREATE TABLE t (id int8 PRIMARY KEY, at timestamptz, doc jsonb, v float8); CREATE TABLE u (x int)');
    });
    after(() => db.close());

    test('returns int8 as a number, timestamptz as a Date and jsonb parsed', async () => {
      await db.query('INSERT INTO t VALUES ($1, $2, $3::jsonb, $4)', [1, '2026-01-02T03:04:05.678Z', JSON.stringify({ a: [1] }), 1.5]);
      const { rows, rowCount } = await db.query<{ id: number; at: Date; doc: unknown; v: number; n: number }>(
        'SELECT id, at, doc, v, (SELECT count(*) FROM t) AS n FROM t',
      );
      assert.equal(rowCount, 1);
      assert.deepEqual(rows[0], { id: 1, at: new Date('2026-01-02T03:04:05.678Z'), doc: { a: [1] }, v: 1.5, n: 1 });
    });

    test('counts the rows a statement changed', async () => {
      const result = await db.query('INSERT INTO u SELECT * FROM unnest($1::int[])', [[1, 2, 3]]);
      assert.equal(result.rowCount, 3);
      assert.equal((await db.query('DELETE FROM u WHERE x > 1')).rowCount, 2);
    });

    test('commits a transaction that resolves and rolls back one that throws', async () => {
      await db.transaction((tx) => tx.query('INSERT INTO u VALUES (10)'));
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO u VALUES (11)');
          throw new Error('abort');
        }),
        /abort/,
      );
      const { rows } = await db.query<{ x: number }>('SELECT x FROM u WHERE x >= 10 ORDER BY x');
      assert.deepEqual(rows.map((r) => r.x), [10]);
    });

    test('delivers a notification sent in a transaction at commit, and none after rollback', async () => {
      const got: string[] = [];
      let resolve!: () => void;
      const arrived = new Promise<void>((r) => (resolve = r));
      const unlisten = await db.listen('vigie_contract', (p) => {
        got.push(p);
        if (p === 'done') resolve();
      });
      await db.transaction((tx) => tx.query(`SELECT pg_notify('vigie_contract', 'committed')`)).then(() => undefined);
      await db
        .transaction(async (tx) => {
          await tx.query(`SELECT pg_notify('vigie_contract', 'rolled-back')`);
          throw new Error('no');
        })
        .catch(() => undefined);
      await db.notify('vigie_contract', 'done');
      await arrived;
      await unlisten();
      assert.deepEqual(got, ['committed', 'done']);
    });

    test('stops calling a handler once it is unlistened', async () => {
      const got: string[] = [];
      const unlisten = await db.listen('vigie_contract2', (p) => got.push(p));
      await unlisten();
      let resolve!: () => void;
      const arrived = new Promise<void>((r) => (resolve = r));
      const other = await db.listen('vigie_contract2b', () => resolve());
      await db.notify('vigie_contract2', 'late');
      await db.notify('vigie_contract2b', 'marker');
      await arrived;
      await other();
      assert.deepEqual(got, []);
    });

    test('runs a multi-statement script with exec', async () => {
      await db.exec('CREATE TABLE v (x int); INSERT INTO v VALUES (1); INSERT INTO v VALUES (2);');
      assert.equal((await db.query('SELECT * FROM v')).rowCount, 2);
    });
  });
}
