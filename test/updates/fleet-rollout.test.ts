/**
 * Acceptance of issue 15 with 20 simulated boxes: the real update agent on simulated A/B slots
 * against the real update service (portal app on a real socket, PGlite or PostgreSQL 15).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FACTORY_VERSION, releaseKey, signedRelease, SimulatedBox, startUpdateCloud, type UpdateCloud } from './fleet.ts';

const engineer = releaseKey('release-2026');
const keyring = { keys: [engineer.entry] };

async function fleet(cloud: UpdateCloud, n: number, prefix: string, broken: ReadonlySet<string> = new Set()): Promise<SimulatedBox[]> {
  const fixtures = await cloud.boxes(n, prefix);
  return fixtures.map((b) => new SimulatedBox(b, cloud.url, cloud.dir, keyring, broken));
}

/** Every box polls once, in turn (as their timers would, spread over the poll interval). */
async function round(boxes: readonly SimulatedBox[]): Promise<string[]> {
  const outcomes: string[] = [];
  for (const b of boxes) outcomes.push(await b.cycle());
  return outcomes;
}

async function campaign(cloud: UpdateCloud, id: string) {
  const res = await cloud.admin('GET', `/admin/api/updates/campaigns/${id}`);
  assert.equal(res.statusCode, 200);
  return res.json() as { campaign: { state: string; stage: number; counts: Record<string, number>; haltedReason: string | null }; boxes: { boxId: string; stage: number; state: string; reason: string | null }[] };
}

test('a release rolls out to 20 boxes in stages (10 % → 50 % → 100 %), each stage opening once the last succeeded, and every box ends on it', async () => {
  const cloud = await startUpdateCloud(keyring);
  const boxes = await fleet(cloud, 20, 'VB-ROLL');
  try {
    const release = signedRelease(engineer, '1.1.0', randomBytes(64 * 1024));
    const uploaded = await cloud.upload(release);
    assert.equal(uploaded.statusCode, 201, JSON.stringify(uploaded.body));
    const created = await cloud.admin('POST', '/admin/api/updates/campaigns', {
      releaseId: uploaded.body.release!.id, target: { boxes: boxes.map((b) => b.fixture.boxId) }, stages: [10, 50, 100], failureThreshold: 0.2,
    });
    assert.equal(created.statusCode, 201, JSON.stringify(created.json()));
    const id = created.json().campaign.id as string;

    // Boxes poll in turn; record the order in which they commit the new version.
    const commits: string[] = [];
    for (let r = 0; r < 3; r++) {
      for (const b of boxes) {
        if ((await b.cycle()) === 'rebooting') commits.push(b.fixture.boxId);
      }
    }
    const { boxes: perBox } = await campaign(cloud, id);
    const stageOf = new Map(perBox.map((b) => [b.boxId, b.stage]));
    // 2 boxes (10 %), then 8 more (to 50 %), then the other 10…
    assert.deepEqual([0, 1, 2].map((s) => perBox.filter((b) => b.stage === s).length), [2, 8, 10]);
    // …and no box updated before every box of the stages before its own had.
    const stages = commits.map((boxId) => stageOf.get(boxId)!);
    assert.deepEqual(stages, [...stages].sort((x, y) => x - y), `commit order by stage: ${stages.join(' ')}`);
    assert.equal(commits.length, 20);
    const done = await campaign(cloud, id);
    assert.equal(done.campaign.state, 'completed');
    assert.equal(done.campaign.counts.succeeded, 20);
    for (const b of boxes) {
      assert.equal(await b.running(), '1.1.0', b.fixture.boxId);
      assert.deepEqual(b.outcomes.filter((o) => o !== 'idle'), ['rebooting', 'committed'], b.fixture.boxId);
    }
    // Every admin action is in the audit trail.
    const audit = await cloud.admin('GET', '/admin/api/audit?entity=campaign');
    assert.deepEqual(audit.json().entries.map((e: { action: string }) => e.action), ['campaign.start']);
    // A second campaign for the same boxes is refused while… none is active now: it is accepted.
    const again = signedRelease(engineer, '1.1.1', randomBytes(8 * 1024));
    const second = await cloud.upload(again);
    assert.equal((await cloud.admin('POST', '/admin/api/updates/campaigns', { releaseId: second.body.release!.id, target: { versions: ['1.1.0'] } })).statusCode, 201);
  } finally {
    for (const b of boxes) b.close();
    await cloud.close();
  }
});

test('a release whose health check fails on its first boxes is rolled back on them and halts the campaign before the next stage', async () => {
  const cloud = await startUpdateCloud(keyring);
  const boxes = await fleet(cloud, 20, 'VB-HALT', new Set(['1.2.0']));
  try {
    const uploaded = await cloud.upload(signedRelease(engineer, '1.2.0', randomBytes(32 * 1024)));
    const created = await cloud.admin('POST', '/admin/api/updates/campaigns', {
      releaseId: uploaded.body.release!.id, target: { boxes: boxes.map((b) => b.fixture.boxId) }, stages: [10, 50, 100], failureThreshold: 0.5,
    });
    const id = created.json().campaign.id as string;
    for (let r = 0; r < 3; r++) await round(boxes);
    const c = await campaign(cloud, id);
    assert.equal(c.campaign.state, 'halted');
    assert.equal(c.campaign.stage, 0, 'the next stage never opened');
    assert.match(c.campaign.haltedReason!, /2 of 2 released boxes failed or rolled back/);
    const first = c.boxes.filter((b) => b.stage === 0);
    assert.equal(first.length, 2);
    for (const b of first) {
      assert.equal(b.state, 'rolled_back');
      assert.match(b.reason!, /^health_check_failed: modem_not_registered/);
    }
    assert.ok(c.boxes.filter((b) => b.stage > 0).every((b) => b.state === 'pending'));
    for (const b of boxes) {
      assert.equal(await b.running(), FACTORY_VERSION, `${b.fixture.boxId} runs its previous version`);
    }
    const touched = boxes.filter((b) => b.outcomes.includes('rolled_back'));
    assert.equal(touched.length, 2);
    // The admin resumes after looking: the halt holds again at once (same failures), nothing new is offered.
    assert.equal((await cloud.admin('POST', `/admin/api/updates/campaigns/${id}/resume`)).statusCode, 200);
    assert.equal((await campaign(cloud, id)).campaign.state, 'halted');
    assert.equal((await cloud.admin('POST', `/admin/api/updates/campaigns/${id}/cancel`)).statusCode, 200);
    const cancelled = await campaign(cloud, id);
    assert.equal(cancelled.campaign.state, 'cancelled');
    assert.equal(cancelled.campaign.counts.cancelled, 18);
  } finally {
    for (const b of boxes) b.close();
    await cloud.close();
  }
});

test('a release signed by a key the boxes do not trust is refused before anything is written, and the refusal is reported', async () => {
  // The service knows a second key (rotation under way); these boxes do not have it yet.
  const newKey = releaseKey('release-2027');
  const cloud = await startUpdateCloud({ keys: [engineer.entry, newKey.entry] });
  const boxes = await fleet(cloud, 2, 'VB-SIG');
  try {
    const uploaded = await cloud.upload(signedRelease(newKey, '1.3.0', randomBytes(16 * 1024)));
    assert.equal(uploaded.statusCode, 201);
    const created = await cloud.admin('POST', '/admin/api/updates/campaigns', { releaseId: uploaded.body.release!.id, target: { boxes: boxes.map((b) => b.fixture.boxId) }, stages: [50, 100] });
    const id = created.json().campaign.id as string;
    const outcomes = await round(boxes);
    assert.deepEqual(outcomes.sort(), ['idle', 'refused'], 'the first stage (one box) refuses; the other is not offered it');
    const c = await campaign(cloud, id);
    const refused = c.boxes.find((b) => b.state === 'refused')!;
    assert.match(refused.reason!, /^signature_unknown_key/);
    assert.equal(c.campaign.state, 'halted');
    const box = boxes.find((b) => b.fixture.boxId === refused.boxId)!;
    const s = await box.slots.status();
    assert.equal(s.versions.B, null, 'nothing written into the inactive slot');
    assert.equal(existsSync(join(box.dir, 'agent', 'downloads')) ? readdirSync(join(box.dir, 'agent', 'downloads')).length : 0, 0, 'nothing downloaded');
  } finally {
    for (const b of boxes) b.close();
    await cloud.close();
  }
});
