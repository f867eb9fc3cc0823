/**
 * The reminder scheduler with an injected clock, on PGlite and PostgreSQL (DATABASE_URL): one
 * reminder per due slot across both daylight-saving changes, after a restart mid-pass, with two
 * instances at once, and after a downtime (the latest slot only); the real Web Push path against a
 * local push service that decrypts (web-push-testing); e-mail when no push gets through.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import webpush from 'web-push';
import { openPgDb } from '@vigie/cloud-store';
import { openTestDb } from '@vigie/cloud-store/testing';
import { silentLogger } from '@vigie/common';
import { freePort } from '@vigie/common/testing';
import { createQuestionnaireScheduler } from '../../src/questionnaire/scheduler.ts';
import { createWebPushSender } from '../../src/questionnaire/web-push.ts';
import { counts, questionnaireWorld, recordingMail, recordingPush, startPushService } from './world.ts';

const HOUR = 3_600_000;
const MIN = 60_000;

/** A pass every `stepMs` over [from, to). */
async function runPasses(scheduler: { runPass(now?: Date): Promise<unknown> }, from: number, to: number, stepMs: number): Promise<void> {
  for (let t = from; t < to; t += stepMs) await scheduler.runPass(new Date(t));
}

test('one reminder per day at 10:00 Paris across the spring-forward weekend (09:00 UTC, then 08:00 UTC)', async () => {
  const db = await openTestDb();
  try {
    const start = Date.parse('2026-03-27T23:00:00Z'); // Saturday 28 March, 00:00 in Paris
    const { patients } = await questionnaireWorld(db, 1, { planAt: start - HOUR });
    const push = recordingPush();
    const times: number[] = [];
    const scheduler = createQuestionnaireScheduler({ db, push: { publicKey: 'k', send: async (t, p) => (times.push(now), push.send(t, p)) }, mail: recordingMail(), log: silentLogger(), boxDownlink: false });
    let now = 0;
    for (now = start; now < Date.parse('2026-03-30T22:00:00Z'); now += 15 * MIN) await scheduler.runPass(new Date(now));
    assert.deepEqual(times.map((t) => new Date(t).toISOString()), ['2026-03-28T09:00:00.000Z', '2026-03-29T08:00:00.000Z', '2026-03-30T08:00:00.000Z']);
    assert.deepEqual(push.sent.map((s) => JSON.parse(s.payload).slotId), ['2026-03-28', '2026-03-29', '2026-03-30']);
    assert.equal(push.sent.every((s) => s.endpoint === patients[0]!.endpoint), true);
  } finally {
    await db.close();
  }
});

test('one reminder per day across the fall-back night, also for a reminder time inside the changed hours', async () => {
  const db = await openTestDb();
  try {
    const start = Date.parse('2026-10-23T22:00:00Z'); // Saturday 24 October, 00:00 in Paris
    const schedules = [
      { kind: 'daily', reminderTime: '10:00', timeZone: 'Europe/Paris' },
      { kind: 'daily', reminderTime: '02:30', timeZone: 'Europe/Paris' },
    ] as const;
    const push = recordingPush();
    const scheduler = createQuestionnaireScheduler({ db, push, mail: recordingMail(), log: silentLogger(), boxDownlink: false });
    for (const [i, schedule] of schedules.entries()) await questionnaireWorld(db, 1, { planAt: start - HOUR, schedule, tag: `t${i}-` });
    await runPasses(scheduler, start, Date.parse('2026-10-26T23:00:00Z'), 10 * MIN);
    const slots = push.sent.map((s) => `${s.endpoint}@${JSON.parse(s.payload).slotId}`);
    assert.equal(slots.length, 6, `three days × two patients: ${slots.join(' ')}`);
    assert.equal(new Set(slots).size, 6, 'never twice the same slot');
  } finally {
    await db.close();
  }
});

test('a reminder at 02:30 on the spring-forward day (an hour that does not exist) goes once, at 03:00', async () => {
  const db = await openTestDb();
  try {
    const start = Date.parse('2026-03-28T20:00:00Z');
    await questionnaireWorld(db, 1, { planAt: start, schedule: { kind: 'daily', reminderTime: '02:30', timeZone: 'Europe/Paris' } });
    const at: string[] = [];
    const scheduler = createQuestionnaireScheduler({ db, push: recordingPush(), mail: recordingMail(), log: silentLogger(), boxDownlink: false });
    for (let now = start; now < Date.parse('2026-03-29T06:00:00Z'); now += 5 * MIN) {
      const report = await scheduler.runPass(new Date(now));
      if (report.claimed > 0) at.push(new Date(now).toISOString());
    }
    assert.deepEqual(at, ['2026-03-29T01:00:00.000Z']);
  } finally {
    await db.close();
  }
});

test('a restart mid-pass: the batch claimed by the dead instance goes once after its lease, nobody gets two', async () => {
  const db = await openTestDb();
  try {
    const t0 = Date.parse('2026-06-10T08:00:00Z'); // 10:00 in Paris
    const { patients } = await questionnaireWorld(db, 12, { planAt: t0 - HOUR });
    const push = recordingPush();
    let batches = 0;
    const dying = createQuestionnaireScheduler({
      db, push, mail: recordingMail(), log: silentLogger(), batchSize: 4, instanceId: 'dying', boxDownlink: false,
      afterClaim: () => {
        if (++batches === 2) throw new Error('killed mid-pass');
      },
    });
    await assert.rejects(dying.runPass(new Date(t0)), /killed mid-pass/);
    assert.equal(push.sent.length, 4, 'the first batch went before the crash');
    const restarted = createQuestionnaireScheduler({ db, push, mail: recordingMail(), log: silentLogger(), batchSize: 4, instanceId: 'restarted', boxDownlink: false });
    await restarted.runPass(new Date(t0 + MIN));
    assert.equal(push.sent.length, 8, 'the third batch now; the claimed second batch waits for its lease');
    await restarted.runPass(new Date(t0 + 3 * MIN));
    await restarted.runPass(new Date(t0 + 10 * MIN));
    const perEndpoint = counts(push.sent.map((s) => s.endpoint));
    assert.deepEqual([...perEndpoint.values()], Array(12).fill(1));
    assert.deepEqual(new Set(perEndpoint.keys()), new Set(patients.map((p) => p.endpoint)));
    const { rows } = await db.query<{ state: string; n: number }>("SELECT state, count(*)::int AS n FROM questionnaire_reminders WHERE channel = 'push' GROUP BY state");
    assert.deepEqual(rows, [{ state: 'sent', n: 12 }]);
  } finally {
    await db.close();
  }
});

test('two instances at once (two connections on PostgreSQL): each due slot reminded exactly once', async () => {
  const db = await openTestDb();
  const second = db.databaseUrl ? await openPgDb({ connectionString: db.databaseUrl, max: 5 }) : db;
  try {
    const t0 = Date.parse('2026-06-10T08:05:00Z');
    const { patients } = await questionnaireWorld(db, 30, { planAt: t0 - HOUR, box: true });
    const push = recordingPush((target) => (target.endpoint.endsWith('/7') ? { ok: false, gone: false, status: 500 } : { ok: true }));
    const mail = recordingMail();
    const a = createQuestionnaireScheduler({ db, push, mail, log: silentLogger(), batchSize: 7, instanceId: 'a' });
    const b = createQuestionnaireScheduler({ db: second, push, mail, log: silentLogger(), batchSize: 5, instanceId: 'b' });
    await Promise.all([a.runPass(new Date(t0)), b.runPass(new Date(t0)), a.runPass(new Date(t0 + 1_000)), b.runPass(new Date(t0 + 2_000))]);
    const perEndpoint = counts(push.sent.map((s) => s.endpoint));
    assert.equal(perEndpoint.size, 30);
    assert.deepEqual([...perEndpoint.values()], Array(30).fill(1), 'one push per patient');
    assert.deepEqual(mail.sent.map((m) => m.to), ['p7@q.test'], 'the patient whose push failed is e-mailed, once');
    const boxes = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM questionnaire_reminders WHERE channel = 'box' AND state = 'sent'");
    assert.equal(boxes.rows[0]!.n, patients.length, 'one box notice per patient');
  } finally {
    if (second !== db) await second.close();
    await db.close();
  }
});

test('after three days down, only the latest slot is reminded; an answered slot is not', async () => {
  const db = await openTestDb();
  try {
    const planAt = Date.parse('2026-06-01T06:00:00Z');
    const { patients } = await questionnaireWorld(db, 2, { planAt });
    await db.query(
      `INSERT INTO questionnaire_responses (patient_id, slot_date, plan_version, client_id, answered_as, answered_at, received_at)
       VALUES ($1, '2026-06-04', 1, gen_random_uuid(), 'patient', now(), now())`,
      [patients[1]!.id],
    );
    const push = recordingPush();
    const scheduler = createQuestionnaireScheduler({ db, push, mail: recordingMail(), log: silentLogger(), boxDownlink: false });
    await scheduler.runPass(new Date('2026-06-04T09:30:00Z'));
    await scheduler.runPass(new Date('2026-06-04T09:31:00Z'));
    assert.deepEqual(push.sent.map((s) => [s.endpoint, JSON.parse(s.payload).slotId]), [[patients[0]!.endpoint, '2026-06-04']]);
  } finally {
    await db.close();
  }
});

test('the real Web Push path: the local push service decrypts the reminder (no name, no question); a gone subscription is removed and the patient e-mailed', async () => {
  const db = await openTestDb();
  const service = await startPushService(await freePort());
  try {
    const t0 = Date.parse('2026-06-10T08:00:00Z');
    const { patients } = await questionnaireWorld(db, 2, { planAt: t0 - HOUR, subscribed: false });
    const vapid = { ...webpush.generateVAPIDKeys(), subject: 'mailto:test@vigie.test' };
    const subs = [await service.subscribe(vapid.publicKey), await service.subscribe(vapid.publicKey)];
    for (const [i, s] of subs.entries()) {
      await db.query('INSERT INTO push_subscriptions (endpoint, account_id, p256dh, auth, created_at) VALUES ($1, $2, $3, $4, now())', [s.endpoint, patients[i]!.accountId, s.keys.p256dh, s.keys.auth]);
    }
    await service.expire(subs[1]!.clientHash);
    const mail = recordingMail();
    const scheduler = createQuestionnaireScheduler({ db, push: createWebPushSender(vapid), mail, log: silentLogger(), portalUrl: 'https://vigie.test' });
    const report = await scheduler.runPass(new Date(t0));
    assert.equal(report.pushed, 1);
    assert.equal(report.gone, 1);
    const messages = await service.messages(subs[0]!.clientHash);
    assert.equal(messages.length, 1);
    assert.deepEqual(JSON.parse(messages[0]!), { kind: 'questionnaire-reminder', slotId: '2026-06-10', title: 'Questionnaire du jour', body: 'Trois questions vous attendent.', url: '/questionnaire' });
    const left = await db.query<{ endpoint: string }>('SELECT endpoint FROM push_subscriptions');
    assert.deepEqual(left.rows.map((r) => r.endpoint), [subs[0]!.endpoint], 'the gone subscription is removed');
    assert.equal(mail.sent.length, 1);
    assert.equal(mail.sent[0]!.to, 'p1@q.test');
    assert.equal(mail.sent[0]!.subject, 'Questionnaire du jour');
    assert.match(mail.sent[0]!.text, /https:\/\/vigie\.test\/questionnaire/);
    assert.doesNotMatch(mail.sent[0]!.text, /Patient|douleur|appétit|fatigu/i, 'no name nor medical content');
  } finally {
    await service.close();
    await db.close();
  }
});
