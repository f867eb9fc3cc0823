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

    test('bulk-loads rows with copyIn, every value intact however awkward, NULLs as NULL', async () => {
      await db.exec('CREATE TABLE c (id int, label text, at timestamptz, v float8, ok boolean)');
      const awkward = 'tab\there, new\nline, back\\slash \\N, cr\r, é ✓, "quoted", comma,';
      const rows = [
        [1, awkward, '2026-01-02T03:04:05.678Z', 1.25, true],
        [2, '\\N', null, -0.5e-7, false],
        [3, null, '2026-12-31T23:59:59.999Z', 1e21, null],
        [4, '', '2026-06-01T00:00:00.000Z', 72, true],
      ] as const;
      assert.equal(await db.copyIn('c', ['id', 'label', 'at', 'v', 'ok'], rows), 4);
      const { rows: back } = await db.query<{ id: number; label: string | null; at: Date | null; v: number; ok: boolean | null }>('SELECT * FROM c ORDER BY id');
      assert.deepEqual(
        back.map((r) => [r.id, r.label, r.at?.toISOString() ?? null, r.v, r.ok]),
        rows.map((r) => [...r]),
      );
    });

    test('loads many rows through copyIn in pieces, and a rolled-back transaction keeps none of them', async () => {
      await db.exec('CREATE TABLE big (n int PRIMARY KEY)');
      const many = Array.from({ length: 25_000 }, (_, n) => [n]);
      assert.equal(await db.transaction((tx) => tx.copyIn('big', ['n'], many)), 25_000);
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.copyIn('big', ['n'], [[100_000], [100_001]]);
          throw new Error('abort');
        }),
        /abort/,
      );
      // A row that breaks a constraint fails the whole COPY: nothing of it stays.
      await assert.rejects(db.copyIn('big', ['n'], [[200_000], [5]]));
      const { rows } = await db.query<{ n: number; top: number }>('SELECT count(*)::int AS n, max(n) AS top FROM big');
      assert.deepEqual(rows[0], { n: 25_000, top: 24_999 });
      // The connection is still good after a failed COPY.
      assert.equal((await db.query('SELECT 1 AS one')).rows.length, 1);
    });

    test('refuses a copyIn naming anything but plain identifiers, or with a row of the wrong width', async () => {
      await assert.rejects(db.copyIn('big; DROP TABLE big', ['n'], [[1]]), /not a plain identifier/);
      await assert.rejects(db.copyIn('big', ['n) FROM PROGRAM (x'], [[1]]), /not a plain identifier/);
      await assert.rejects(db.copyIn('big', ['n'], [[1, 2]]), /2 values for 1 columns/);
      await assert.rejects(db.copyIn('big', ['n'], [[Number.NaN]]), /not a finite number/);
      assert.equal((await db.query('SELECT count(*)::int AS n FROM big')).rows[0]!.n, 25_000);
    });
  });
}
