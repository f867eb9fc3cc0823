import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateSelfTest, formatChecklist, MIN_FREE_BYTES, SELFTEST_CHECKS } from './checks.ts';
import { timedatectlClockSync } from './clock-sync.ts';

const healthyModem = { sim: 'ready', registered: true, roaming: false, signal: 20, operator: 'Orange F' } as const;
const healthy = { safetyCoreAlive: true, modem: healthyModem, braceletContactAgeMs: 30_000, quickCheck: ['ok'], freeBytes: 2 * MIN_FREE_BYTES, clockSynchronised: true };

test('a healthy box passes every check, in checklist order', () => {
  const results = evaluateSelfTest(healthy);
  assert.deepEqual(results.map((r) => r.check), [...SELFTEST_CHECKS]);
  assert.ok(results.every((r) => r.status === 'ok' && r.fix === undefined));
  assert.match(formatChecklist(results), /Self-test passed\.$/);
});

test('every failure carries its fix', () => {
  const results = evaluateSelfTest({ safetyCoreAlive: false, modem: { ...healthyModem, registered: false, signal: 4 }, braceletContactAgeMs: null, quickCheck: ['*** in database main ***', 'Page 7: btreeInitPage() returns error code 11'], freeBytes: 1024, clockSynchronised: false });
  const failed = results.filter((r) => r.status === 'failed');
  assert.deepEqual(failed.map((r) => r.check), ['safety-core', 'network', 'signal', 'bracelet-link', 'storage-integrity', 'storage-space', 'clock']);
  for (const r of failed) assert.ok(r.fix && r.fix.length > 20, r.check);
});

test('a silent modem fails the modem check and skips what depends on it', () => {
  const results = evaluateSelfTest({ ...healthy, safetyCoreAlive: false, modem: null });
  assert.deepEqual(results.filter((r) => r.status === 'skipped').map((r) => r.check), ['sim', 'network', 'signal']);
  assert.equal(results.find((r) => r.check === 'modem')?.status, 'failed');
});

test('the modem is not probed while the safety core holds its line', () => {
  const results = evaluateSelfTest({ ...healthy, modem: undefined });
  assert.deepEqual(results.filter((r) => r.status === 'skipped').map((r) => r.check), ['modem', 'sim', 'network', 'signal']);
});

test('timedatectl says yes, no, or something else (unknown)', async () => {
  const answer = (stdout: string) => timedatectlClockSync((async () => ({ stdout, stderr: '' })) as never);
  assert.equal(await answer('yes\n').synchronised(), true);
  assert.equal(await answer('no\n').synchronised(), false);
  assert.equal(await answer('\n').synchronised(), null);
  const failing = timedatectlClockSync((async () => Promise.reject(new Error('ENOENT'))) as never);
  assert.equal(await failing.synchronised(), null);
});
