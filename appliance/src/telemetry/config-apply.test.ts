import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@vigie/common/testing';
import { addContact, boxFileLockPath, provision, readBoxFile, updateBoxFile } from '@vigie/provisioning';
import type { BoxConfig } from '@vigie/protocol';
import { applyCloudConfig, heldConfig } from './config-apply.ts';

const BOX = 'VB-CFG-0001';

function provisioned(): { path: string; cleanup(): void } {
  const dir = tempDir('vigie-cfg-');
  const path = join(dir.path, 'box', 'box.json');
  provision(path, { boxId: BOX, cloudUrl: 'http://127.0.0.1:9', token: 't'.repeat(32), patientName: 'Jeanne Dupont', braceletId: 'BR-1' });
  addContact(path, { name: 'Paul Dupont', phone: '+33639980002', role: 'relative', tier: 1 });
  return { path, cleanup: dir.cleanup };
}

function message(version: number, overrides: Partial<BoxConfig['config']> = {}): BoxConfig {
  return {
    v: 1,
    boxId: BOX,
    version,
    issuedAt: Date.UTC(2026, 10, 25),
    config: {
      contacts: [{ name: 'Sophie Bernard', phone: '+33639980001', role: 'nurse', tier: 1 }],
      alerting: { ackTimeoutMinutes: 4, maxRounds: 2, fallCancelSeconds: 15 },
      thresholds: { spo2Min: 88, heartRateLow: 45, heartRateHigh: 125, sustainedReadings: 3, notWornMinutes: 20, noDataMinutes: 25, batteryLowPercent: 20 },
      cadences: { syncIntervalSeconds: 300, heartbeatIntervalSeconds: 120 },
      ...overrides,
    },
  };
}

test('applies a newer cloud version whole, keeping identity, token, patient and bracelet', () => {
  const f = provisioned();
  try {
    const outcome = applyCloudConfig(f.path, message(3), { now: 1_000 });
    assert.equal(outcome.status, 'applied');
    const file = readBoxFile(f.path);
    assert.deepEqual(file.contacts.map((c) => c.name), ['Sophie Bernard']);
    assert.equal(file.alerting.maxRounds, 2);
    assert.equal(file.thresholds.spo2Min, 88);
    assert.deepEqual(file.cadences, { syncIntervalSeconds: 300, heartbeatIntervalSeconds: 120 });
    assert.deepEqual([file.boxId, file.token, file.patient.displayName, file.braceletId], [BOX, 't'.repeat(32), 'Jeanne Dupont', 'BR-1']);
    assert.deepEqual(heldConfig(file), { version: 3, localChanges: false });
    assert.equal(file.cloudConfig?.appliedAt, 1_000);
  } finally {
    f.cleanup();
  }
});

test('changes nothing for the version held or an older one', () => {
  const f = provisioned();
  try {
    applyCloudConfig(f.path, message(3), { now: 1 });
    const bytes = readFileSync(f.path, 'utf8');
    assert.deepEqual(applyCloudConfig(f.path, message(3, { contacts: [{ name: 'X', phone: '+33600000009', role: 'other', tier: 1 }] }), { now: 2 }), { status: 'unchanged', version: 3 });
    assert.equal(applyCloudConfig(f.path, message(2), { now: 2 }).status, 'unchanged');
    assert.equal(readFileSync(f.path, 'utf8'), bytes);
  } finally {
    f.cleanup();
  }
});

test('refuses a document that fails anywhere, or names another box, writing nothing', () => {
  const f = provisioned();
  try {
    const before = readFileSync(f.path, 'utf8');
    const bad: unknown[] = [
      message(4, { contacts: [{ name: 'Sophie', phone: '0639980001', role: 'nurse', tier: 1 }] }),
      { ...message(4), config: { ...message(4).config, thresholds: { ...message(4).config.thresholds, spo2Min: 20 } } },
      { ...message(4), v: 2 },
      { ...message(4), boxId: 'VB-OTHER-0001' },
      { version: 4 },
      null,
    ];
    for (const m of bad) {
      const outcome = applyCloudConfig(f.path, m, { now: 1 });
      assert.equal(outcome.status, 'refused', JSON.stringify(m));
      assert.ok(outcome.status === 'refused' && outcome.problems.length > 0);
    }
    assert.equal(readFileSync(f.path, 'utf8'), before);
  } finally {
    f.cleanup();
  }
});

test("a technician's CLI edit after a cloud version is reported as a local change, and the next cloud version replaces it", () => {
  const f = provisioned();
  try {
    applyCloudConfig(f.path, message(1), { now: 1 });
    addContact(f.path, { name: 'Dr Martin', phone: '+33639980003', role: 'doctor', tier: 2 });
    assert.deepEqual(heldConfig(readBoxFile(f.path)), { version: 1, localChanges: true });
    assert.equal(applyCloudConfig(f.path, message(2), { now: 2 }).status, 'applied');
    const file = readBoxFile(f.path);
    assert.deepEqual(file.contacts.map((c) => c.name), ['Sophie Bernard']);
    assert.deepEqual(heldConfig(file), { version: 2, localChanges: false });
  } finally {
    f.cleanup();
  }
});

test('a process killed between writing the new file and renaming it leaves the previous configuration whole', () => {
  const f = provisioned();
  try {
    applyCloudConfig(f.path, message(1), { now: 1 });
    const before = readFileSync(f.path, 'utf8');
    const msgFile = `${f.path}.msg.json`;
    writeFileSync(msgFile, JSON.stringify(message(2, { contacts: [{ name: 'Marie Curie', phone: '+33639980009', role: 'other', tier: 1 }] })));
    const script = `
      import { readFileSync } from 'node:fs';
      import { applyCloudConfig } from ${JSON.stringify(new URL('./config-apply.ts', import.meta.url).href)};
      applyCloudConfig(${JSON.stringify(f.path)}, JSON.parse(readFileSync(${JSON.stringify(msgFile)}, 'utf8')), {
        now: 2,
        hooks: { beforeRename: () => process.kill(process.pid, 'SIGKILL') },
      });
      console.log('not killed');
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    assert.doesNotMatch(child.stdout, /not killed/);
    // The new file was fully written (and synced) beside the old one, never renamed over it.
    const leftovers = readdirSync(join(f.path, '..')).filter((n) => n.startsWith('box.json.tmp-'));
    assert.equal(leftovers.length, 1);
    assert.match(readFileSync(join(f.path, '..', leftovers[0]!), 'utf8'), /Marie Curie/);
    assert.equal(readFileSync(f.path, 'utf8'), before);
    assert.deepEqual(heldConfig(readBoxFile(f.path)), { version: 1, localChanges: false });
    // Killed holding the box file lock: the next attempt takes the dead process's lock over and applies it.
    assert.equal(existsSync(boxFileLockPath(f.path)), true, 'the lock was left behind');
    assert.equal(applyCloudConfig(f.path, JSON.parse(readFileSync(msgFile, 'utf8')), { now: 3 }).status, 'applied');
    assert.equal(readBoxFile(f.path).contacts[0]!.name, 'Marie Curie');
    assert.equal(existsSync(boxFileLockPath(f.path)), false);
  } finally {
    f.cleanup();
  }
});

test('cloud versions applied while a bracelet is paired from another process: neither change is lost', async () => {
  const f = provisioned();
  try {
    const dir = join(f.path, '..');
    const go = join(dir, 'go');
    const gate = (name: string) => `
      writeFileSync(${JSON.stringify(join(dir, `ready-${name}`))}, '');
      const pause = new Int32Array(new SharedArrayBuffer(4));
      while (!existsSync(${JSON.stringify(go)})) Atomics.wait(pause, 0, 0, 1);
    `;
    // The telemetry service: cloud versions 1 to 100, each with its own contact.
    const cloud = `
      import { existsSync, writeFileSync } from 'node:fs';
      import { applyCloudConfig } from ${JSON.stringify(new URL('./config-apply.ts', import.meta.url).href)};
      const base = ${JSON.stringify(message(1))};
      ${gate('cloud')}
      for (let v = 1; v <= 100; v++) {
        const contacts = [{ name: 'Contact v' + v, phone: '+336399' + String(v).padStart(5, '0'), role: 'nurse', tier: 1 }];
        const outcome = applyCloudConfig(${JSON.stringify(f.path)}, { ...base, version: v, config: { ...base.config, contacts } }, { now: v });
        if (outcome.status !== 'applied') throw new Error('version ' + v + ': ' + outcome.status);
      }
    `;
    // The safety core saving pairings (as savePaired does): a counter in braceletId, 100 times.
    const pairing = `
      import { existsSync, writeFileSync } from 'node:fs';
      import { updateBoxFile } from ${JSON.stringify(import.meta.resolve('@vigie/provisioning'))};
      ${gate('pairing')}
      for (let i = 0; i < 100; i++) {
        updateBoxFile(${JSON.stringify(f.path)}, (file) => ({ ...file, braceletId: 'BR-' + (Number(file.braceletId.slice(3)) + 1) }));
      }
    `;
    const run = (script: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    updateBoxFile(f.path, (file) => ({ ...file, braceletId: 'BR-0' }));
    const results = Promise.all([run(cloud), run(pairing)]);
    const started = Date.now();
    while (!(existsSync(join(dir, 'ready-cloud')) && existsSync(join(dir, 'ready-pairing')))) {
      assert.ok(Date.now() - started < 30_000, 'both processes ready');
      await new Promise((r) => setTimeout(r, 10));
    }
    writeFileSync(go, '');
    for (const r of await results) assert.equal(r.code, 0, r.stderr);
    const file = readBoxFile(f.path);
    assert.equal(file.braceletId, 'BR-100', 'every pairing kept');
    assert.deepEqual(file.contacts.map((c) => c.name), ['Contact v100'], "the last version's contacts");
    assert.deepEqual(heldConfig(file), { version: 100, localChanges: false }, 'its version recorded with the sections it applied');
  } finally {
    f.cleanup();
  }
});
