import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { silentLogger } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';
import { releasePublicKeyOf, signReleaseManifest, type UpdateOffer, type UpdateReport } from '@vigie/protocol';
import { SimulatedSlots } from '../slots/simulated-slots.ts';
import type { BoxSnapshot, BoxView } from './box-view.ts';
import { UpdateAgent } from './update-agent.ts';

const key = generateKeyPairSync('ed25519').privateKey;
const keyring = { keys: [{ keyId: 'k1', publicKey: releasePublicKeyOf(key) }] };
const artefact = Buffer.from('bundle bytes');
const offer = (over: Partial<UpdateOffer['signed']['manifest']> = {}): UpdateOffer => ({
  v: 1, campaignId: '00000000-0000-4000-8000-000000000001', releaseId: '00000000-0000-4000-8000-000000000002', artefactPath: '/a',
  signed: signReleaseManifest(key, 'k1', {
    v: 1, kind: 'box', version: '1.1.0', hardware: ['hw-a'], minVersion: '1.0.0', changelog: '', createdAt: '2026-12-08T00:00:00.000Z',
    sha256: createHash('sha256').update(artefact).digest('hex'), size: artefact.length, ...over,
  }),
});

/** A service stand-in (unit test: the real service is exercised by test/updates/). */
function service(current: UpdateOffer | null) {
  const reports: UpdateReport[] = [];
  const s = {
    online: true,
    downloads: 0,
    reports,
    offer: async () => current,
    report: async (r: UpdateReport) => {
      if (!s.online) throw new Error('unreachable');
      reports.push(r);
    },
    download: async (_path: string, part: string) => {
      s.downloads++;
      mkdirSync(dirname(part), { recursive: true });
      writeFileSync(part, artefact);
      return createHash('sha256').update(artefact).digest('hex');
    },
  };
  return s;
}

const healthy: BoxView = {
  snapshot: (): BoxSnapshot => ({
    alerts: new Map(),
    bracelet: { v: 1, braceletId: 'BR-1', connected: true, worn: true, battery: 90, ts: 0 },
    modem: { v: 1, ts: 0, responding: true, sim: 'ready', registered: true, signal: 20 },
    uplink: { v: 1, ts: 0, online: false, lastSuccessAt: null },
  }),
  announce: async () => undefined,
};

function agentWith(dir: string, client: ReturnType<typeof service>, slots = new SimulatedSlots(join(dir, 'slots'), '1.0.0')) {
  return { slots, agent: new UpdateAgent({ slots, client, box: healthy, keyring, hardware: 'hw-a', factoryVersion: '1.0.0', dir: join(dir, 'agent'), log: silentLogger(), healthTimeoutMs: 0 }) };
}

test('a release for other hardware, or below the minimum version, is refused and reported before anything is downloaded', async () => {
  const dir = tempDir();
  try {
    const cases: [Partial<UpdateOffer['signed']['manifest']>, RegExp][] = [[{ hardware: ['hw-b'] }, /^wrong_hardware/], [{ minVersion: '1.0.5' }, /^below_min_version/], [{ version: '0.9.0' }, /^not_newer/]];
    for (const [over, reason] of cases) {
      const s = service(offer(over));
      const { agent, slots } = agentWith(dir.path, s);
      assert.equal(await agent.cycle(), 'refused');
      assert.equal(s.downloads, 0);
      assert.match(s.reports[0]!.reason!, reason);
      assert.equal((await slots.status()).versions.B, null);
    }
  } finally {
    dir.cleanup();
  }
});

test('reports the service could not take are kept and sent at the next cycle, in order', async () => {
  const dir = tempDir();
  try {
    const s = service(offer({ hardware: ['hw-b'] }));
    s.online = false;
    const { agent } = agentWith(dir.path, s);
    assert.equal(await agent.cycle(), 'refused');
    assert.equal(s.reports.length, 0);
    s.online = true;
    await agent.flushReports();
    assert.deepEqual(s.reports.map((r) => r.state), ['refused']);
  } finally {
    dir.cleanup();
  }
});

test('a new slot that never booted (the bootloader fell back) is reported rolled back with boot_failed', async () => {
  const dir = tempDir();
  try {
    const s = service(offer());
    const { agent, slots } = agentWith(dir.path, s);
    assert.equal(await agent.cycle(), 'rebooting');
    assert.equal((await slots.status()).booted, 'B');
    // The new system hangs before its agent runs: the bootloader's attempts run out, back to A.
    for (let i = 0; i < 3; i++) await slots.reboot();
    assert.equal((await slots.status()).booted, 'A');
    assert.equal(await agentWith(dir.path, s, slots).agent.afterBoot(), 'did_not_boot');
    assert.deepEqual(s.reports.map((r) => r.state), ['downloading', 'installing', 'rebooting', 'rolled_back']);
    assert.match(s.reports.at(-1)!.reason!, /^boot_failed/);
    assert.equal(s.reports.at(-1)!.version, '1.0.0');
  } finally {
    dir.cleanup();
  }
});
