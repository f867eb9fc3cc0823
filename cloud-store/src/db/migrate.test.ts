import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, writeFileSync, appendFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@vigie/common/testing';
import { openTestDb } from '../testing.ts';
import { storeErrors } from '../errors.ts';
import { migrate, MIGRATIONS_DIR, readMigrations } from './migrate.ts';

test('applies every migration once and records its checksum', async (t) => {
  const db = await openTestDb({ fresh: true });
  t.after(() => db.close());
  const files = readMigrations();
  assert.deepEqual(await migrate(db), files.map((f) => f.name));
  assert.deepEqual(await migrate(db), []);
  const { rows } = await db.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations ORDER BY name');
  assert.deepEqual(rows, files.map((f) => ({ name: f.name, checksum: f.checksum })));
});

test('two migrators starting together apply each file once', async (t) => {
  const db = await openTestDb({ fresh: true });
  t.after(() => db.close());
  const [a, b] = await Promise.all([migrate(db), migrate(db)]);
  assert.equal(a.length + b.length, readMigrations().length);
});

test('refuses to start when an applied migration file changed', async (t) => {
  const dir = tempDir();
  const db = await openTestDb({ fresh: true });
  t.after(async () => {
    await db.close();
    dir.cleanup();
  });
  cpSync(MIGRATIONS_DIR, dir.path, { recursive: true });
  await migrate(db, { dir: dir.path });
  appendFileSync(join(dir.path, '0001_initial.sql'), '\n-- edited\n');
  await assert.rejects(migrate(db, { dir: dir.path }), (err) => storeErrors.is(err, 'CLOUD_DB_MIGRATION_CHANGED'));
});

test('refuses a database migrated by a newer version', async (t) => {
  const dir = tempDir();
  const db = await openTestDb({ fresh: true });
  t.after(async () => {
    await db.close();
    dir.cleanup();
  });
  writeFileSync(join(dir.path, '0001_a.sql'), 'CREATE TABLE a (x int);');
  writeFileSync(join(dir.path, '0002_b.sql'), 'CREATE TABLE b (x int);');
  await migrate(db, { dir: dir.path });
  unlinkSync(join(dir.path, '0002_b.sql'));
  await assert.rejects(migrate(db, { dir: dir.path }), (err) => storeErrors.is(err, 'CLOUD_DB_MIGRATION_UNKNOWN'));
});

test('rolls back a failing migration whole and applies nothing after it', async (t) => {
  const dir = tempDir();
  const db = await openTestDb({ fresh: true });
  t.after(async () => {
    await db.close();
    dir.cleanup();
  });
  writeFileSync(join(dir.path, '0001_a.sql'), 'CREATE TABLE a (x int);');
  writeFileSync(join(dir.path, '0002_b.sql'), 'CREATE TABLE b (x int); SELECT no_such_function();');
  writeFileSync(join(dir.path, '0003_c.sql'), 'CREATE TABLE c (x int);');
  await assert.rejects(migrate(db, { dir: dir.path }), (err) => storeErrors.is(err, 'CLOUD_DB_MIGRATION_FAILED'));
  const { rows } = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_name IN ('a', 'b', 'c') ORDER BY 1`,
  );
  assert.deepEqual(rows.map((r) => r.name), ['a']);
});
