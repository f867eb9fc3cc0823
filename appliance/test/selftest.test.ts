/**
 * `vigie-box selftest` as the technician runs it, against real parts: the running (then killed)
 * safety core as its own process, the modem emulator behind a real pty, the data directory on a
 * real loop-mounted ext4 file system filled to the last block.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { dataPaths } from '@vigie/common';
import { freePort, inCI, skipUnlessTool, tempDir } from '@vigie/common/testing';
import { openBoxDatabase } from '../src/store/database.ts';
import { provisionTestBox, ptyModem } from './fixtures.ts';
import { ROOT, startChild, type Child } from '../../scripts/lib/processes.ts';

/** Run `vigie-box selftest`; its exit code and checklist. */
function selftest(env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'appliance/src/cli.ts'), 'selftest'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

/** The checklist line of one check, and the fix line under it when there is one. */
function line(out: string, check: string): string {
  const lines = out.split('\n');
  const i = lines.findIndex((l) => new RegExp(`^\\[[ A-Z-]{4}\\] ${check} `).test(l));
  assert.ok(i >= 0, `no "${check}" line in:\n${out}`);
  return [lines[i], lines[i + 1]?.startsWith('       fix:') ? lines[i + 1] : ''].join('\n');
}

const notRoot = process.getuid?.() !== 0 && !inCI ? 'a loop mount needs root' : false;

test('vigie-box selftest finds a missing SIM, a full disk and a stopped safety core, each with its fix', { skip: skipUnlessTool('socat') || notRoot, timeout: 120_000 }, async (t) => {
  const dir = tempDir('vigie-selftest-');
  // The box's data on its own small ext4 file system, as the data partition of the image.
  const image = join(dir.path, 'data.img');
  const mnt = join(dir.path, 'data');
  mkdirSync(mnt);
  execFileSync('truncate', ['-s', '80M', image]);
  execFileSync('mkfs.ext4', ['-q', '-m', '0', image]);
  execFileSync('mount', ['-o', 'loop', image, mnt]);
  const modem = await ptyModem(dir.path);
  let core: Child | undefined;
  t.after(async () => {
    await core?.stop();
    await modem.close();
    execFileSync('umount', [mnt]);
    dir.cleanup();
  });
  provisionTestBox(mnt, { boxId: 'VB-TEST-0015' });
  openBoxDatabase(dataPaths(mnt).boxDb).close();
  const env = { ...process.env, VIGIE_DATA_DIR: mnt, VIGIE_MODEM_DEVICE: modem.device, VIGIE_MQTT_PORT: String(await freePort()), LOG_LEVEL: 'error' };

  // A healthy box: the safety core running, the SIM in, space left.
  core = startChild('safety', 'appliance/src/cli.ts', ['safety'], env);
  await core.waitFor(/vigie-box safety running/, 60_000);
  const healthy = await selftest(env);
  assert.equal(healthy.code, 0, healthy.out);
  assert.match(line(healthy.out, 'safety-core'), /^\[ OK \]/);
  assert.match(line(healthy.out, 'storage-space'), /^\[ OK \] storage-space\s+\d+ MiB free/);
  assert.match(line(healthy.out, 'storage-integrity'), /quick_check: ok/);

  // The safety core stops; the SIM is pulled; the data partition fills up.
  core.process.kill('SIGKILL');
  await new Promise((r) => core!.process.once('exit', r));
  core = undefined;
  modem.emulator.setSim('missing');
  const fd = openSync(join(mnt, 'filler'), 'w');
  try {
    const block = Buffer.alloc(64 * 1024, 1);
    for (;;) writeSync(fd, block);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }

  const broken = await selftest(env);
  assert.equal(broken.code, 1, broken.out);
  assert.match(line(broken.out, 'safety-core'), /^\[FAIL\] safety-core .*not running[^]*fix: Start it: `systemctl restart vigie-safety`/);
  // With the safety core stopped, the self-test opens the modem itself.
  assert.match(line(broken.out, 'modem'), /^\[ OK \] modem\s+answers AT commands/);
  assert.match(line(broken.out, 'sim'), /^\[FAIL\] sim\s+no SIM card\n\s+fix: Power the box off, insert the SIM card/);
  assert.match(line(broken.out, 'storage-space'), /^\[FAIL\] storage-space\s+0 MiB free \(minimum 64 MiB\)\n\s+fix: Free the data partition/);
  assert.match(broken.out, /Self-test: 3 check\(s\) failed\./);
});
