/**
 * The update service's answers to bad input, through the real app (portal + updates) on
 * PGlite or PostgreSQL: each refusal a 4xx naming the field, nothing stored or started.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { countRows } from '@vigie/cloud-store/testing';
import { MANIFEST_HEADER } from '@vigie/cloud-updates';
import { releaseKey, signedRelease, startUpdateCloud, type UpdateCloud } from './fleet.ts';

const engineer = releaseKey('release-2026');
const stranger = releaseKey('release-2026');
let cloud: UpdateCloud;

before(async () => {
  cloud = await startUpdateCloud({ keys: [engineer.entry] });
});
after(() => cloud.close());

const artefacts = () => (existsSync(join(cloud.dir, 'releases')) ? readdirSync(join(cloud.dir, 'releases')) : []);

test('an upload is refused, and nothing kept, when its signature, size or checksum is wrong, its version exists, or its manifest is missing', async () => {
  const good = signedRelease(engineer, '2.0.0', randomBytes(4096));
  const forged = await cloud.upload(signedRelease(stranger, '2.0.0', good.artefact));
  assert.deepEqual([forged.statusCode, forged.body.error?.code], [422, 'UPDATES_SIGNATURE_INVALID']);
  const truncated = await cloud.upload({ ...good, artefact: good.artefact.subarray(0, 1000) });
  assert.deepEqual([truncated.statusCode, truncated.body.error?.code], [422, 'UPDATES_ARTEFACT_MISMATCH']);
  const longer = await cloud.upload({ ...good, artefact: Buffer.concat([good.artefact, Buffer.from('x')]) });
  assert.deepEqual([longer.statusCode, longer.body.error?.code], [413, 'UPDATES_TOO_LARGE']);
  const altered = Buffer.from(good.artefact);
  altered[0] = altered[0]! ^ 0xff;
  const tampered = await cloud.upload({ ...good, artefact: altered });
  assert.deepEqual([tampered.statusCode, tampered.body.error?.code], [422, 'UPDATES_ARTEFACT_MISMATCH']);
  assert.deepEqual(artefacts(), [], 'no artefact kept, no temporary file left');
  assert.equal(await countRows(cloud.f.db, 'releases'), 0);

  const res = await fetch(`${cloud.url}/admin/api/updates/releases`, { method: 'POST', headers: { cookie: cloud.adminCookie, 'x-vigie-csrf': '1', 'content-type': 'application/octet-stream' }, body: good.artefact });
  const body = (await res.json()) as { error: { code: string; field: string } };
  assert.deepEqual([res.status, body.error.code, body.error.field], [400, 'UPDATES_MANIFEST_INVALID', MANIFEST_HEADER]);

  assert.equal((await cloud.upload(good)).statusCode, 201);
  const again = await cloud.upload(good);
  assert.deepEqual([again.statusCode, again.body.error?.code], [409, 'UPDATES_RELEASE_EXISTS']);
  assert.equal(artefacts().length, 1);
});

test('a campaign aimed at no box, at retired boxes, or overlapping another is refused with a 4xx naming the field', async () => {
  const release = await cloud.upload(signedRelease(engineer, '2.1.0', randomBytes(2048)));
  const releaseId = release.body.release!.id;
  const [live, retired] = await cloud.boxes(2, 'VB-BAD');
  await cloud.f.db.query('UPDATE boxes SET deleted_at = now() WHERE id = $1', [retired!.boxId]);
  const start = (body: object) => cloud.admin('POST', '/admin/api/updates/campaigns', { releaseId, ...body });

  const none = await start({ target: {} });
  assert.deepEqual([none.statusCode, none.json().error.code, none.json().error.field], [422, 'UPDATES_NO_TARGET', '/target']);
  const nobody = await start({ target: { cohort: 'nobody-here' } });
  assert.deepEqual([nobody.statusCode, nobody.json().error.code], [422, 'UPDATES_NO_TARGET']);
  const gone = await start({ target: { boxes: [live!.boxId, retired!.boxId] } });
  assert.deepEqual([gone.statusCode, gone.json().error.code, gone.json().error.field], [422, 'UPDATES_RETIRED_BOXES', '/target/boxes']);
  assert.match(gone.json().error.message, new RegExp(`: ${retired!.boxId}$`));
  const stages = await start({ target: { boxes: [live!.boxId] }, stages: [50, 20] });
  assert.deepEqual([stages.statusCode, stages.json().error.field], [400, '/stages']);
  const unknown = await cloud.admin('POST', '/admin/api/updates/campaigns', { releaseId: '00000000-0000-4000-8000-000000000000', target: { boxes: [live!.boxId] } });
  assert.equal(unknown.statusCode, 404);

  assert.equal((await start({ target: { boxes: [live!.boxId] } })).statusCode, 201);
  const overlap = await start({ target: { boxes: [live!.boxId] } });
  assert.deepEqual([overlap.statusCode, overlap.json().error.code], [409, 'UPDATES_CAMPAIGN_OVERLAP']);
  assert.match(overlap.json().error.message, new RegExp(`: ${live!.boxId}$`));
  const campaigns = await cloud.admin('GET', '/admin/api/updates/campaigns');
  assert.equal(campaigns.json().campaigns.length, 1);
  const id = campaigns.json().campaigns[0].id as string;
  assert.equal((await cloud.admin('POST', `/admin/api/updates/campaigns/${id}/resume`)).json().error.code, 'UPDATES_CAMPAIGN_STATE');
  assert.equal((await cloud.admin('POST', `/admin/api/updates/campaigns/${id}/pause`)).statusCode, 200);
  assert.equal((await cloud.admin('POST', `/admin/api/updates/campaigns/${id}/resume`)).statusCode, 200);
  const audit = await cloud.admin('GET', '/admin/api/audit?entity=campaign');
  assert.deepEqual(audit.json().entries.map((e: { action: string }) => e.action), ['campaign.resume', 'campaign.pause', 'campaign.start']);
});

test('boxes download with their token only, a released artefact only, and byte ranges answered 206 or 416', async () => {
  const release = signedRelease(engineer, '2.2.0', randomBytes(10_000));
  const uploaded = await cloud.upload(release);
  const [box, outsider] = await cloud.boxes(2, 'VB-DL');
  const releaseId = uploaded.body.release!.id;
  assert.equal((await cloud.admin('POST', '/admin/api/updates/campaigns', { releaseId, target: { boxes: [box!.boxId] } })).statusCode, 201);
  const get = (token: string | null, range?: string) =>
    fetch(`${cloud.url}/updates/v1/releases/${releaseId}/artefact`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(range ? { range } : {}) } });
  assert.equal((await get(null)).status, 401);
  assert.equal((await get(outsider!.token)).status, 404, 'a box outside the campaign');
  const whole = await get(box!.token);
  assert.equal(whole.status, 200);
  assert.deepEqual(Buffer.from(await whole.arrayBuffer()), release.artefact);
  const tail = await get(box!.token, 'bytes=9000-');
  assert.equal(tail.status, 206);
  assert.equal(tail.headers.get('content-range'), 'bytes 9000-9999/10000');
  assert.deepEqual(Buffer.from(await tail.arrayBuffer()), release.artefact.subarray(9000));
  assert.equal((await get(box!.token, 'bytes=20000-')).status, 416);
  const report = await fetch(`${cloud.url}/updates/v1/report`, { method: 'POST', headers: { authorization: `Bearer ${box!.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ v: 1, campaignId: 'nope', state: 'succeeded', version: '2.2.0' }) });
  const body = (await report.json()) as { error: { code: string; field: string } };
  assert.deepEqual([report.status, body.error.code, body.error.field], [400, 'UPDATES_INVALID_REQUEST', '/campaignId']);
  const support = await cloud.f.app.inject({ method: 'GET', url: `/api/support/boxes/${box!.boxId}/updates`, headers: { cookie: cloud.adminCookie } });
  assert.equal(support.json().campaigns[0].state, 'pending');
});
