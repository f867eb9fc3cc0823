/**
 * « Questionnaire du jour » from the cloud to the box's screen (issue 12), with the real parts on
 * each side: the composed cloud app (portal + ingest) on a socket and its database (PGlite, or
 * PostgreSQL with DATABASE_URL); the reminder scheduler's pass at 10:00; the box's downlink over
 * HTTP with its token (`HttpDownlinkClient` + `Downlink`), which hands the notice to the bus; the
 * screen's model and renderer, compared pixel for pixel with the reference picture
 * (`appliance/src/screen/__reference__/questionnaire-due.png`). The patient answers in the portal;
 * the next poll clears the notice and the screen is « Tout va bien » again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ingestRoutes } from '@vigie/cloud-ingest';
import { createBox, createPatient, openTestDb } from '@vigie/cloud-store/testing';
import { silentLogger } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';
import { provision } from '@vigie/provisioning';
import { topics, type ScreenNoticeState } from '@vigie/protocol';
import { buildCloudApp, ensureAccount, linkCare, loadCloudConfig } from '@vigie/cloud-portal';
import { TEST_SECRETS_KEY } from '@vigie/cloud-portal/testing';
import { countDifferentPixels } from '../appliance/src/display/frame.ts';
import { decodeFramePng } from '../appliance/src/display/png-1bit.ts';
import { screenFor } from '../appliance/src/screen/screen-model.ts';
import { renderScreen } from '../appliance/src/screen/screens.ts';
import { Downlink } from '../appliance/src/telemetry/downlink.ts';
import { HttpDownlinkClient } from '../appliance/src/telemetry/downlink-client.ts';
import { listBank } from '../cloud-portal/src/questionnaire/question-bank.ts';
import { savePlan } from '../cloud-portal/src/questionnaire/plans.ts';
import { createQuestionnaireScheduler } from '../cloud-portal/src/questionnaire/scheduler.ts';

const REFERENCE = resolve(import.meta.dirname, '..', 'appliance', 'src', 'screen', '__reference__', 'questionnaire-due.png');

test('the box shows « Questionnaire du jour » after the 10:00 reminder, exactly as its reference picture, and clears it once answered', async () => {
  const db = await openTestDb();
  const dir = tempDir('vigie-q-box-');
  let now = Date.parse('2026-01-06T07:00:00Z'); // 08:00 in Paris
  const config = loadCloudConfig({ VIGIE_DATA_DIR: '/nonexistent-vigie-test', VIGIE_STAFF_TOTP: 'optional', VIGIE_SECRETS_KEY: TEST_SECRETS_KEY });
  const app = await buildCloudApp({ db, config, log: silentLogger(), roles: { ingest: true, portal: true }, ingestRoutes, now: () => now, webDistDir: '/nonexistent-vigie-web' });
  let downlink: Downlink | undefined;
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const patientId = await createPatient(db, 'Jeanne Dupont');
    const box = await createBox(db, { patientId, since: now - 86_400_000 });
    const doctor = await ensureAccount(db, { email: 'doc@box.test', displayName: 'Dr', role: 'doctor', password: 'pw-doc@box.test-123' });
    const patient = await ensureAccount(db, { email: 'jeanne@box.test', displayName: 'Jeanne', role: 'patient', password: 'pw-jeanne@box.test-123' });
    await linkCare(db, patientId, patient.id, 'patient');
    await linkCare(db, patientId, doctor.id, 'doctor');
    const questions = (await listBank(db, doctor.id)).slice(0, 3);
    await db.transaction((tx) => savePlan(tx, { patientId, questionIds: questions.map((q) => q.id), schedule: { kind: 'daily', reminderTime: '10:00', timeZone: 'Europe/Paris' }, createdBy: doctor.id, now }));

    // The box: its file, its downlink over HTTP with its token; the bus is the list of what it published.
    const boxFile = join(dir.path, 'box.json');
    provision(boxFile, { boxId: box.boxId, cloudUrl: base, token: box.token, patientName: 'Jeanne Dupont' });
    const published: { topic: string; payload: unknown }[] = [];
    downlink = new Downlink({
      client: new HttpDownlinkClient({ baseUrl: base, token: box.token }),
      boxFilePath: boxFile,
      publish: async (topic, payload) => void published.push({ topic, payload }),
      clock: { now: () => now },
      log: silentLogger(),
      idleIntervalMs: () => 3_600_000,
      alertOpen: () => false,
    });
    await downlink.start();
    const poll = async (): Promise<ScreenNoticeState | undefined> => {
      downlink!.kick();
      await downlink!.idle();
      return published.filter((p) => p.topic === topics.screenNotice()).at(-1)?.payload as ScreenNoticeState | undefined;
    };
    const screen = (notice: ScreenNoticeState | undefined) =>
      screenFor(
        {
          alerts: new Map(),
          bracelet: { v: 1, braceletId: 'B1', connected: true, worn: true, battery: 80, rssi: -60, ts: now } as never,
          modem: { v: 1, responding: true, sim: 'ready', registered: true, signal: 20, ts: now } as never,
          uplink: { v: 1, online: true, ts: now } as never,
          batteryLowPercent: 15,
          notice: notice?.notice ?? null,
        },
        now,
      );

    assert.deepEqual((await poll())?.notice, null, 'nothing to show before the reminder');
    assert.equal(screen(published.at(-1)?.payload as ScreenNoticeState).kind, 'ok');

    now = Date.parse('2026-01-06T09:00:00Z'); // 10:00 in Paris
    const report = await createQuestionnaireScheduler({ db, push: null, mail: { send: async () => undefined }, log: silentLogger() }).runPass(new Date(now));
    assert.equal(report.boxes, 1);
    now = Date.parse('2026-01-06T09:02:00Z'); // the box polls two minutes later
    const shown = await poll();
    assert.deepEqual(shown?.notice, { kind: 'questionnaire', slotId: '2026-01-06' });
    const state = screen(shown);
    assert.equal(state.kind, 'questionnaire');
    const differing = countDifferentPixels(renderScreen(state, new Date(now)), decodeFramePng(readFileSync(REFERENCE)));
    assert.equal(differing, 0, 'the screen is the reference picture questionnaire-due.png');

    // The patient answers in the portal; the next poll clears the notice.
    const login = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-vigie-csrf': '1' }, payload: { email: 'jeanne@box.test', password: 'pw-jeanne@box.test-123' } });
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const answered = await app.inject({
      method: 'POST',
      url: '/api/my/questionnaire/responses',
      headers: { cookie, 'x-vigie-csrf': '1' },
      payload: { patientId, slotId: '2026-01-06', questionnaireVersion: 1, clientId: randomUUID(), answeredAt: new Date(now).toISOString(), answers: questions.map((q) => ({ linkId: q.linkId, answer: 'positive' })) },
    });
    assert.equal(answered.statusCode, 201, answered.body);
    const cleared = await poll();
    assert.equal(cleared?.notice, null);
    assert.equal(screen(cleared).kind, 'ok');
    assert.equal(published.filter((p) => p.topic === topics.screenNotice()).length, 3, 'published on change only: none, shown, cleared');
  } finally {
    await downlink?.stop();
    await app.close();
    await db.close();
    dir.cleanup();
  }
});
