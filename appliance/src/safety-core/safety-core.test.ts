import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { createLogger } from '@vigie/common';
import { tempDir, waitUntil } from '@vigie/common/testing';
import { provision, readBoxFile } from '@vigie/provisioning';
import { createPairedBraceletSaver } from './safety-core.ts';

/** A process holding the box file lock (blocked inside its change) until killed. */
async function lockHolder(boxFilePath: string) {
  const script = `
    import { updateBoxFile } from ${JSON.stringify(import.meta.resolve('@vigie/provisioning'))};
    updateBoxFile(${JSON.stringify(boxFilePath)}, (file) => {
      console.log('holding');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
      return file;
    });
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('holding') && resolve());
    child.on('close', (code) => reject(new Error(`lock holder exited (${code})`)));
  });
  return {
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

function setup() {
  const dir = tempDir('vigie-pairing-');
  const path = join(dir.path, 'box', 'box.json');
  provision(path, { boxId: 'VB-PAIR-0001', cloudUrl: 'http://127.0.0.1:9', token: 't'.repeat(32), patientName: 'Jeanne Dupont', braceletId: 'BR-OLD' });
  const logs: Array<{ level: number; msg: string; err?: { code?: string }; attempt?: number }> = [];
  const log = createLogger('test', { level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(JSON.parse(chunk.toString())), done()) }));
  return { path, logs, log, cleanup: dir.cleanup };
}

test('a box file lock held by another process holds up a pairing save by its short bound only; the save is retried and lands', async () => {
  const s = setup();
  const holder = await lockHolder(s.path);
  const saver = createPairedBraceletSaver({ boxFilePath: s.path, log: s.log, waitMs: 200, retryMs: 50, attempts: 100 });
  try {
    const started = performance.now();
    saver.save('BR-NEW'); // returns: the link stays bound to BR-NEW in memory
    const blocked = performance.now() - started;
    assert.ok(blocked < 1_000, `the event loop was blocked ${Math.round(blocked)} ms`);
    assert.equal(readBoxFile(s.path).braceletId, 'BR-OLD');
    assert.ok(s.logs.some((l) => l.level === 40 && l.err?.code === 'PROVISION_FILE_LOCKED'), 'the reason is logged');
    await holder.kill();
    await waitUntil(() => readBoxFile(s.path).braceletId === 'BR-NEW', 'the pairing saved by a retry', 10_000);
    assert.ok(s.logs.some((l) => l.msg === 'pairing: paired bracelet saved' && (l.attempt ?? 0) > 1));
  } finally {
    saver.stop();
    await holder.kill();
    s.cleanup();
  }
});

test('a lock that stays busy: the pairing save gives up after its attempts with an error logged, the file untouched', async () => {
  const s = setup();
  const holder = await lockHolder(s.path);
  const saver = createPairedBraceletSaver({ boxFilePath: s.path, log: s.log, waitMs: 20, retryMs: 20, attempts: 3 });
  try {
    saver.save('BR-NEW');
    await waitUntil(() => s.logs.some((l) => l.level === 50), 'the final error', 10_000);
    const final = s.logs.find((l) => l.level === 50)!;
    assert.equal(final.err?.code, 'PROVISION_FILE_LOCKED');
    assert.equal(final.attempt, 3);
    assert.equal(s.logs.filter((l) => l.level === 40).length, 2, 'two retries announced');
    assert.equal(readBoxFile(s.path).braceletId, 'BR-OLD');
  } finally {
    saver.stop();
    await holder.kill();
    s.cleanup();
  }
});
