/**
 * `vigie-cloud` as a process: started through the bin shim, as `npx vigie-cloud` would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openTestDb, testsUsePostgres } from '@vigie/cloud-store/testing';
import { dataPaths } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';

const BIN = resolve(import.meta.dirname, '../bin/vigie-cloud.js');
const ROOT = resolve(import.meta.dirname, '../..');

interface Run {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the URL once the process prints its listening line. */
  listening(): Promise<string>;
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string | undefined>): Run {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...base, PORT: '0', LOG_LEVEL: 'warn', ...env } });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    listening: () =>
      new Promise((resolveUrl, reject) => {
        const check = () => {
          const m = /vigie-cloud listening on (http:\/\/\S+)/.exec(out);
          if (m) {
            child.stdout!.off('data', check);
            resolveUrl(m[1]!);
          }
        };
        child.stdout!.on('data', check);
        check();
        void exited.then((code) => reject(new Error(`exited ${code} before listening:\n${err}`)));
      }),
  };
}

test('runs ingest and portal in one process, refuses a second one on the same directory, and stops on SIGTERM', async (t) => {
  const dir = tempDir('vigie-cli-');
  t.after(dir.cleanup);
  const env = { VIGIE_DATA_DIR: dir.path, VIGIE_DEMO: '1', VIGIE_DEMO_BOX_TOKEN: 'cli-test-token-0123456789' };
  const first = run([], env);
  t.after(() => first.child.kill('SIGKILL'));
  const url = await first.listening();
  const out = first.stdout();
  assert.ok(out.indexOf('docteur@vigie.demo') >= 0 && out.indexOf('docteur@vigie.demo') < out.indexOf('listening'), out);
  assert.match(out, /demo-docteur/);
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-vigie-csrf': '1' },
    body: JSON.stringify({ email: 'docteur@vigie.demo', password: 'demo-docteur' }),
  });
  assert.equal(login.status, 200);

  const second = run(['all'], env);
  assert.equal(await second.exited, 1);
  assert.match(second.stderr(), /CLOUD_DB_LOCKED/);
  assert.match(second.stderr(), new RegExp(`process ${first.child.pid}`));

  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0);
  assert.equal(existsSync(`${dataPaths(dir.path).cloudPgData}.lock`), false);
});

test('refuses to run the portal alone on the embedded database', async () => {
  const portal = run(['portal'], {});
  assert.equal(await portal.exited, 1);
  assert.match(portal.stderr(), /DATABASE_URL.*\[PORTAL_ROLE_NEEDS_DATABASE\]/s);
});

test('reports every configuration problem at once and exits 2', async () => {
  const bad = run(['all'], { PORT: 'eighty', VIGIE_DEMO: '1' });
  assert.equal(await bad.exited, 2);
  assert.match(bad.stderr(), /PORT/);
  assert.match(bad.stderr(), /VIGIE_DEMO_BOX_TOKEN/);
});

test('prints usage for an unknown command and exits 2', async () => {
  const bad = run(['serve'], {});
  assert.equal(await bad.exited, 2);
  assert.match(bad.stderr(), /usage: vigie-cloud/);
});

test('migrates and exits', async (t) => {
  const dir = tempDir('vigie-cli-');
  t.after(dir.cleanup);
  const migrate = run(['migrate'], { VIGIE_DATA_DIR: dir.path });
  assert.equal(await migrate.exited, 0, migrate.stderr());
  assert.match(migrate.stdout(), /up to date/);
  assert.ok(existsSync(join(dataPaths(dir.path).cloudPgData, 'PG_VERSION')));
});

// Separate processes exist only on PostgreSQL (two processes cannot share a PGlite directory; the
// refusal is tested above), so this case is registered in the PostgreSQL pass only — CI runs both
// passes, so it always runs there, and is never reported as skipped.
if (testsUsePostgres) test(
  'runs ingest and portal as separate processes on PostgreSQL',
  async (t) => {
    const db = await openTestDb({ fresh: true });
    t.after(() => db.close());
    const env = { DATABASE_URL: db.databaseUrl!, VIGIE_SCHEMA_WAIT_S: '60' };
    // The instances start first and wait for the migration job, which runs once.
    const ingest = run(['ingest'], env);
    const portal = run(['portal'], env);
    const migrate = run(['migrate'], env);
    assert.equal(await migrate.exited, 0, migrate.stderr());
    t.after(() => {
      ingest.child.kill('SIGKILL');
      portal.child.kill('SIGKILL');
    });
    const [ingestUrl, portalUrl] = await Promise.all([ingest.listening(), portal.listening()]);
    assert.equal((await fetch(`${ingestUrl}/api/me`)).status, 404, 'no portal in the ingest process');
    assert.equal((await fetch(`${portalUrl}/api/me`)).status, 401);
    assert.equal((await fetch(`${portalUrl}/ingest/v1/heartbeats`, { method: 'POST' })).status, 404, 'no ingest in the portal process');
    ingest.child.kill('SIGTERM');
    portal.child.kill('SIGTERM');
    assert.deepEqual(await Promise.all([ingest.exited, portal.exited]), [0, 0]);
  },
);

if (testsUsePostgres) test('an instance refuses a database the migration job has not brought to its version', async (t) => {
  const db = await openTestDb({ fresh: true });
  t.after(() => db.close());
  const portal = run(['portal'], { DATABASE_URL: db.databaseUrl!, VIGIE_SCHEMA_WAIT_S: '1' });
  assert.equal(await portal.exited, 1);
  assert.match(portal.stderr(), /run `vigie-cloud migrate`.*\[CLOUD_DB_SCHEMA_BEHIND\]/);
  const { rows } = await db.query<{ exists: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS exists");
  assert.equal(rows[0]!.exists, false, 'the instance did not migrate');
});

test('the consumer role refuses to start without KAFKA_BROKERS', async () => {
  const consumer = run(['consumer'], { DATABASE_URL: 'postgres://127.0.0.1:1/none' });
  assert.equal(await consumer.exited, 2);
  assert.match(consumer.stderr(), /needs KAFKA_BROKERS/);
});

test('anonymise names what it needs when its databases are missing or the same', async () => {
  const none = run(['anonymise'], {});
  assert.equal(await none.exited, 2);
  assert.match(none.stderr(), /--from <postgres:\/\/ URL of production> and --to/);
  const same = run(['anonymise', '--from', 'postgres://h/prod', '--to', 'postgres://h/prod'], {});
  assert.equal(await same.exited, 2);
  assert.match(same.stderr(), /same database/);
});
