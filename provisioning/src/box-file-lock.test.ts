import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@vigie/common/testing';
import { VigieError } from '@vigie/common';
import { boxFileLockPath, provision, readBoxFile, updateBoxFile } from './index.ts';

const BOX_FILE_TS = new URL('./box-file.ts', import.meta.url).href;
const valid = { boxId: 'VB-LOCK-0001', cloudUrl: 'https://cloud.example', token: 'x'.repeat(32), patientName: 'count 0' };

function provisioned(): { path: string; lock: string; dir: string; cleanup(): void } {
  const dir = tempDir('vigie-lock-');
  const path = join(dir.path, 'box', 'box.json');
  provision(path, valid);
  return { path, lock: boxFileLockPath(path), dir: dir.path, cleanup: dir.cleanup };
}

/** A Node child running `script` (ES module, TypeScript imports through tsx). */
function spawnScript(script: string): ChildProcess & { output: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const output = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return Object.assign(child, { output });
}

/** Resolves once the child has printed `line` (rejects if it exits first). */
function printed(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(line)) resolve();
    });
    child.on('close', (code) => reject(new Error(`child exited (${code}) before printing ${line}`)));
  });
}

/** A pid no process has any more. */
function deadPid(): number {
  const gone = spawnSync(process.execPath, ['-e', '']);
  return gone.pid!;
}

const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const monoMs = () => Number(process.hrtime.bigint() / 1_000_000n);
const lockRecord = (o: { pid: number; boot?: string; mono?: number }) =>
  JSON.stringify({ pid: o.pid, boot: o.boot ?? bootId, mono: o.mono ?? monoMs(), token: 'feedfacefeedface', at: new Date().toISOString() });

test('two processes updating different fields 200 times each at once, from a stale lock, lose no update', async () => {
  const f = provisioned();
  try {
    const go = join(f.dir, 'go');
    // Each child counts in its own field by read → +1 → write: a lost update leaves a count short.
    const worker = (name: string, field: 'patient' | 'bracelet') => `
      import { existsSync, writeFileSync } from 'node:fs';
      import { updateBoxFile } from ${JSON.stringify(BOX_FILE_TS)};
      writeFileSync(${JSON.stringify(join(f.dir, `ready-${name}`))}, '');
      const pause = new Int32Array(new SharedArrayBuffer(4));
      while (!existsSync(${JSON.stringify(go)})) Atomics.wait(pause, 0, 0, 1);
      for (let i = 0; i < 200; i++) {
        updateBoxFile(${JSON.stringify(f.path)}, (file) => ${
          field === 'patient'
            ? `({ ...file, patient: { displayName: 'count ' + (Number(file.patient.displayName.split(' ')[1]) + 1) } })`
            : `({ ...file, braceletId: 'BR-' + (Number((file.braceletId ?? 'BR-0').slice(3)) + 1) })`
        });
      }
      console.log('done');
    `;
    const a = spawnScript(worker('a', 'patient'));
    const b = spawnScript(worker('b', 'bracelet'));
    // Both start together once both are loaded, so their updates interleave.
    const started = Date.now();
    while (!(existsSync(join(f.dir, 'ready-a')) && existsSync(join(f.dir, 'ready-b')))) {
      assert.ok(Date.now() - started < 30_000, 'workers ready');
      await new Promise((r) => setTimeout(r, 10));
    }
    // A lock left by a killed process: both take it over at once, only one may get it.
    writeFileSync(f.lock, lockRecord({ pid: deadPid() }));
    writeFileSync(go, '');
    const [ra, rb] = await Promise.all([a.output, b.output]);
    assert.equal(ra.code, 0, ra.stderr);
    assert.equal(rb.code, 0, rb.stderr);
    const file = readBoxFile(f.path);
    assert.equal(file.patient.displayName, 'count 200', 'every update of the first process is kept');
    assert.equal(file.braceletId, 'BR-200', 'every update of the second process is kept');
    assert.equal(existsSync(f.lock), false, 'the lock is released');
  } finally {
    f.cleanup();
  }
});

test('takes over a stale lock: dead owner, earlier boot, an earlier process with our pid, held too long, unreadable and old', () => {
  const f = provisioned();
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  try {
    const old = new Date(Date.now() - 60_000);
    const stale: Array<[string, () => void]> = [
      ['owner dead (killed process)', () => writeFileSync(f.lock, lockRecord({ pid: deadPid() }))],
      ['earlier boot', () => writeFileSync(f.lock, lockRecord({ pid: sleeper.pid!, boot: '00000000-0000-0000-0000-000000000000' }))],
      ['monotonic time ahead of ours (earlier boot)', () => writeFileSync(f.lock, lockRecord({ pid: sleeper.pid!, mono: monoMs() + 3_600_000 }))],
      ['an earlier process with our pid', () => writeFileSync(f.lock, lockRecord({ pid: process.pid }))],
      ['live owner, held over 30 s', () => writeFileSync(f.lock, lockRecord({ pid: sleeper.pid!, mono: monoMs() - 31_000 }))],
      [
        'empty and a minute old',
        () => {
          writeFileSync(f.lock, '');
          utimesSync(f.lock, old, old);
        },
      ],
      [
        'dead owner, and a breaker that died in its section',
        () => {
          writeFileSync(f.lock, lockRecord({ pid: deadPid() }));
          writeFileSync(`${f.lock}.break`, lockRecord({ pid: deadPid() }));
        },
      ],
    ];
    let n = 0;
    for (const [why, leave] of stale) {
      leave();
      n += 1;
      const file = updateBoxFile(f.path, (current) => ({ ...current, braceletId: `BR-${n}` }), { waitMs: 2_000 });
      assert.equal(file.braceletId, `BR-${n}`, why);
      assert.equal(readBoxFile(f.path).braceletId, `BR-${n}`, why);
      assert.equal(existsSync(f.lock), false, `${why}: lock released`);
      assert.equal(existsSync(`${f.lock}.break`), false, `${why}: break file removed`);
    }
  } finally {
    sleeper.kill('SIGKILL');
    f.cleanup();
  }
});

test('a lock held by a live process makes a waiter give up after its bound with PROVISION_FILE_LOCKED, writing nothing', async () => {
  const f = provisioned();
  // A real holder: inside updateBoxFile, blocked in its change until killed.
  const holder = spawnScript(`
    import { updateBoxFile } from ${JSON.stringify(BOX_FILE_TS)};
    updateBoxFile(${JSON.stringify(f.path)}, (file) => {
      console.log('holding');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
      return { ...file, braceletId: 'BR-HOLDER' };
    });
  `);
  try {
    await printed(holder, 'holding');
    const before = readFileSync(f.path, 'utf8');
    const mtime = statSync(f.path).mtimeMs;
    const started = performance.now();
    assert.throws(
      () => updateBoxFile(f.path, (current) => ({ ...current, braceletId: 'BR-WAITER' }), { waitMs: 300 }),
      (err: unknown) =>
        err instanceof VigieError &&
        err.code === 'PROVISION_FILE_LOCKED' &&
        err.details.ownerPid === holder.pid &&
        err.message.includes(`pid ${holder.pid}`),
    );
    const waited = performance.now() - started;
    assert.ok(waited >= 290 && waited < 2_000, `waited ${Math.round(waited)} ms for a 300 ms bound`);
    assert.equal(readFileSync(f.path, 'utf8'), before, 'the file is unchanged');
    assert.equal(statSync(f.path).mtimeMs, mtime);
    // Once the holder is killed its lock is stale: the next update goes through.
    holder.kill('SIGKILL');
    await holder.output;
    assert.equal(updateBoxFile(f.path, (current) => ({ ...current, braceletId: 'BR-WAITER' }), { waitMs: 300 }).braceletId, 'BR-WAITER');
  } finally {
    holder.kill('SIGKILL');
    f.cleanup();
  }
});

test('a change that writes nothing or throws releases the lock; a nested update of the same file is refused', () => {
  const f = provisioned();
  try {
    const before = readFileSync(f.path, 'utf8');
    const current = updateBoxFile(f.path, () => null);
    assert.equal(current.boxId, valid.boxId);
    assert.equal(readFileSync(f.path, 'utf8'), before);
    assert.equal(existsSync(f.lock), false);
    assert.throws(() => updateBoxFile(f.path, () => { throw new Error('boom'); }), /boom/);
    assert.equal(existsSync(f.lock), false);
    assert.throws(() => updateBoxFile(f.path, (file) => (updateBoxFile(f.path, () => null), file), { waitMs: 100 }), /nested update/);
    assert.equal(existsSync(f.lock), false);
    assert.throws(
      () => updateBoxFile(join(f.dir, 'none', 'box.json'), () => null),
      (err: unknown) => err instanceof VigieError && err.code === 'PROVISION_NOT_PROVISIONED',
    );
  } finally {
    f.cleanup();
  }
});
