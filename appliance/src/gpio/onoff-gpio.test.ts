import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { silentLogger } from '@vigie/common';
import { inCI } from '@vigie/common/testing';
import { gpioErrors } from './errors.ts';
import { FAKE_SYSFS_SOURCE } from './fake-sysfs.ts';
import { OnoffGpio } from './onoff-gpio.ts';

const root = resolve(import.meta.dirname, '../../..');
const suite = relative(root, join(import.meta.dirname, 'onoff-gpio.namespaced-test.ts'));

/** `unshare --mount`, then a tmpfs named FAKE_SYSFS_SOURCE on /sys/class, then `command`. */
const inFakeSysfs = (command: string[]) => ['--mount', '--propagation', 'private', '--', 'sh', '-c', `mount -t tmpfs ${FAKE_SYSFS_SOURCE} /sys/class && exec "$@"`, 'sh', ...command];

/** Skip reason when this machine cannot make a private mount namespace (needs CAP_SYS_ADMIN). */
function skipUnlessMountNamespace(): string | false {
  if (inCI) return false;
  const probe = spawnSync('unshare', inFakeSysfs(['true']), { stdio: 'ignore' });
  return probe.status === 0 ? false : 'needs unshare --mount and mount (util-linux, root or CAP_SYS_ADMIN)';
}

test('refuses with BOX_GPIO_UNAVAILABLE on a machine without GPIO', { skip: existsSync('/sys/class/gpio/export') && 'this machine has sysfs GPIO' }, () => {
  assert.throws(() => OnoffGpio.open({ log: silentLogger() }), (err: unknown) => {
    assert.ok(gpioErrors.is(err, 'BOX_GPIO_UNAVAILABLE'));
    assert.match(err.message, /simulated GPIO/);
    return true;
  });
});

test('passes the port suite and its own tests over a fake sysfs in a private mount namespace', { skip: skipUnlessMountNamespace() }, async (t) => {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // the child is a test run of its own, not a file of this one
  const child = spawn('unshare', inFakeSysfs([process.execPath, '--import', 'tsx', '--test', '--test-reporter=tap', suite]), { cwd: root, env });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const status = await new Promise<number | null>((done) => child.on('close', done));
  // One subtest per test of the suite, from its top-level TAP lines.
  for (const [, not, name, skip] of out.matchAll(/^(not )?ok \d+ - (.*?)(?: # SKIP (.*))?$/gm)) {
    await t.test(name!, { skip: skip ?? false }, () => assert.ok(!not, `failed in the namespace:\n${out}`));
  }
  assert.equal(status, 0, out);
});
