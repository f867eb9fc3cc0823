/**
 * The questionnaire's API through the real app (portalFixture, PGlite or PostgreSQL): the bank,
 * the doctor's plan, the patient's answer (idempotent by clientId; 4xx naming each bad input;
 * nothing stored twice), a relative allowed by the patient, the grid with streaks and missed days,
 * the nurse summary, the access log, the box's screen notice cleared by the answer, and the
 * erasure purging every questionnaire table of the patient.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { currentScreenNotice } from '@vigie/cloud-store';
import { countRows } from '@vigie/cloud-store/testing';
import { silentLogger } from '@vigie/common';
import { linkCare } from '../../src/auth/accounts.ts';
import { claimErasure, runErasure } from '../../src/privacy/erasure.ts';
import { createQuestionnaireScheduler } from '../../src/questionnaire/scheduler.ts';
import { createPerson, portalFixture, type Person, type PortalFixture } from '../testing.ts';
import { recordingMail, recordingPush } from './world.ts';

let f: PortalFixture;
let patient: Person;
let relative: Person;
let nurse: Person;
const cookies: Record<string, string> = {};
// T0 = 2026-06-01 12:00 UTC = 14:00 in Paris.
const TODAY = '2026-06-01';

async function call(who: string, method: string, url: string, payload?: unknown) {
  const res = await f.app.inject({ method: method as 'GET', url, headers: { cookie: cookies[who]!, 'x-vigie-csrf': '1' }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const body = res.statusCode === 204 ? {} : (res.json() as Record<string, unknown> & { error?: { code: string; field?: string } });
  return { status: res.statusCode, body, code: body.error?.code, field: body.error?.field };
}

before(async () => {
  f = await portalFixture();
  patient = await createPerson(f.db, 'jeanne@q.test', 'patient');
  relative = await createPerson(f.db, 'paul@q.test', 'relative');
  nurse = await createPerson(f.db, 'nurse@q.test', 'nurse');
  await linkCare(f.db, f.patientA, patient.id, 'patient');
  await linkCare(f.db, f.patientA, relative.id, 'relative');
  await linkCare(f.db, f.patientA, nurse.id, 'nurse');
  for (const [name, who] of Object.entries({ doctorA: f.doctorA, doctorB: f.doctorB, patient, relative, nurse })) cookies[name] = await f.login(who);
});
after(() => f.close());

let questionIds: string[] = [];
let own: { id: string; linkId: string };

test('the bank: built-in questions in French and English; a doctor\'s own question is private until shared', async () => {
  const bank = await call('doctorA', 'GET', '/api/questionnaire/bank');
  const questions = bank.body.questions as { id: string; linkId: string; origin: string; text: { fr: string; en: string } }[];
  assert.ok(questions.filter((q) => q.origin === 'bank').length >= 8);
  assert.ok(questions.every((q) => q.text.fr && q.text.en));
  const created = await call('doctorA', 'POST', '/api/questionnaire/bank', { text: { fr: 'Avez-vous pris vos médicaments ?' } });
  assert.equal(created.status, 201);
  own = created.body as unknown as { id: string; linkId: string };
  assert.equal(created.body.origin, 'own');
  const seenByB = (await call('doctorB', 'GET', '/api/questionnaire/bank')).body.questions as { id: string }[];
  assert.equal(seenByB.some((q) => q.id === own.id), false, 'private by default');
  const shared = await call('doctorA', 'PUT', `/api/questionnaire/bank/${own.id}`, { text: { fr: 'Avez-vous pris tous vos médicaments ?' }, shared: true });
  assert.equal(shared.status, 200);
  assert.equal(shared.body.version, 2);
  assert.equal(shared.body.linkId, own.linkId);
  const seenNow = (await call('doctorB', 'GET', '/api/questionnaire/bank')).body.questions as { id: string; origin: string }[];
  assert.equal(seenNow.find((q) => q.id === shared.body.id)?.origin, 'shared');
  own = shared.body as unknown as { id: string; linkId: string };
  assert.equal((await call('nurse', 'GET', '/api/questionnaire/bank')).status, 403);
  questionIds = [...questions.filter((q) => q.origin === 'bank').slice(0, 3).map((q) => q.id), own.id];
});

test('the doctor sets the plan; bad plans are refused naming the field; another doctor cannot', async () => {
  const url = `/api/patients/${f.patientA}/questionnaire`;
  assert.equal((await call('doctorA', 'GET', url)).code, 'QUESTIONNAIRE_NOT_SET');
  const schedule = { kind: 'daily', reminderTime: '10:00', timeZone: 'Europe/Paris' };
  const unknownQuestion = await call('doctorA', 'PUT', url, { questionIds: [randomUUID()], schedule });
  assert.equal(unknownQuestion.field, '/questionIds/0', JSON.stringify(unknownQuestion.body));
  assert.equal((await call('doctorA', 'PUT', url, { questionIds, schedule: { ...schedule, kind: 'every_n_days' } })).field, '/schedule/everyNDays');
  assert.equal((await call('doctorA', 'PUT', url, { questionIds, schedule: { ...schedule, reminderTime: '25:00' } })).field, '/schedule/reminderTime');
  assert.equal((await call('doctorB', 'PUT', url, { questionIds, schedule })).status, 404);
  assert.equal((await call('nurse', 'PUT', url, { questionIds, schedule })).status, 404, 'a nurse reads the plan, never sets it');
  // Set a week ago so that past days are due.
  f.clock.now -= 7 * 86_400_000;
  const saved = await call('doctorA', 'PUT', url, { questionIds, schedule });
  f.clock.now += 7 * 86_400_000;
  assert.equal(saved.status, 200);
  assert.equal(saved.body.version, 1);
  const read = await call('nurse', 'GET', url);
  assert.equal((read.body.questions as unknown[]).length, 4);
  assert.deepEqual(read.body.schedule, schedule);
});

const answers = (linkIds: string[], answer = 'positive') => linkIds.map((linkId) => ({ linkId, answer }));
let links: string[] = [];

test('the patient answers once; a replay is a duplicate; bad answers are 4xx naming the problem and store nothing', async () => {
  const my = await call('patient', 'GET', '/api/my/questionnaire');
  assert.equal(my.status, 200);
  assert.equal(my.body.patientId, f.patientA);
  assert.deepEqual(my.body.slot, { id: TODAY, dueAt: '2026-06-01T08:00:00.000Z' });
  assert.equal(my.body.answered, false);
  links = (my.body.items as { linkId: string }[]).map((i) => i.linkId);
  const base = { patientId: f.patientA, slotId: TODAY, questionnaireVersion: 1, answeredAt: new Date(f.clock.now).toISOString() };
  const post = (body: object, who = 'patient') => call(who, 'POST', '/api/my/questionnaire/responses', { ...base, clientId: randomUUID(), answers: answers(links), ...body });
  const field = async (body: object) => (await post(body)).field;
  assert.equal(await field({ answers: [...answers(links.slice(1)), { linkId: 'not-asked', answer: 'positive' }] }), '/answers/3/linkId');
  assert.equal(await field({ answers: [...answers(links.slice(1)), { linkId: links[0], answer: 'maybe' }] }), '/answers/3/answer');
  assert.equal(await field({ answers: answers(links.slice(1)) }), '/answers');
  assert.equal(await field({ slotId: '2026-06-02' }), '/slotId');
  assert.equal(await field({ slotId: '2026-05-20' }), '/slotId');
  assert.equal(await field({ slotId: '2026-05-10' }), '/slotId', 'before the plan and beyond the window');
  assert.equal(await field({ questionnaireVersion: 9 }), '/questionnaireVersion');
  const other = await post({ patientId: f.patientB });
  assert.equal(other.status, 404, "another patient's questionnaire");
  assert.equal(await countRows(f.db, 'questionnaire_responses'), 0, 'nothing stored');

  const clientId = randomUUID();
  const first = await post({ clientId });
  assert.equal(first.status, 201);
  const replay = await post({ clientId });
  assert.deepEqual([replay.status, replay.body], [200, { duplicate: true }]);
  const again = await post({});
  assert.deepEqual([again.status, again.code, again.field], [409, 'QUESTIONNAIRE_SLOT_ANSWERED', '/slotId']);
  assert.equal(await countRows(f.db, 'questionnaire_responses'), 1);
  assert.equal(await countRows(f.db, 'questionnaire_answers'), 4);
  assert.equal((await call('patient', 'GET', '/api/my/questionnaire')).body.answered, true);
});

test('a relative answers only once the patient allows it; the response records who answered', async () => {
  // Allowed by nobody: 200 with nothing to answer and no one to choose (the page says so), not an error.
  const none = await call('relative', 'GET', '/api/my/questionnaire');
  assert.deepEqual([none.status, none.body], [200, { patientId: '', patientName: '', slot: null, questionnaireVersion: 0, items: [], answered: false, canAnswerFor: [] }]);
  assert.equal((await call('relative', 'GET', `/api/my/questionnaire?patientId=${f.patientA}`)).status, 404, 'a patient who did not allow it');
  const body = { patientId: f.patientA, slotId: '2026-05-31', questionnaireVersion: 1, answeredAt: new Date(f.clock.now).toISOString(), answers: answers(links, 'negative') };
  assert.equal((await call('relative', 'POST', '/api/my/questionnaire/responses', { ...body, clientId: randomUUID() })).status, 404);
  const proxies = await call('patient', 'GET', '/api/my/questionnaire/proxies');
  assert.deepEqual(proxies.body.proxies, [{ accountId: relative.id, displayName: 'paul', patientId: f.patientA, allowed: false }]);
  assert.equal((await call('patient', 'PUT', '/api/my/questionnaire/proxies', { accountId: nurse.id, allowed: true })).status, 404, 'only linked relatives');
  assert.equal((await call('patient', 'PUT', '/api/my/questionnaire/proxies', { accountId: relative.id, allowed: true })).status, 200);
  const mine = await call('relative', 'GET', '/api/my/questionnaire');
  assert.equal(mine.status, 200);
  assert.deepEqual(mine.body.canAnswerFor, [{ patientId: f.patientA, patientName: 'Alice Patient' }]);
  assert.equal(mine.body.patientId, f.patientA, 'the only patient who allowed it');
  assert.equal((mine.body.items as unknown[]).length, 4);
  assert.equal((await call('relative', 'POST', '/api/my/questionnaire/responses', { ...body, clientId: randomUUID() })).status, 201);
  await call('relative', 'POST', '/api/my/questionnaire/responses', { ...body, slotId: '2026-05-30', clientId: randomUUID() });
});

test('a relative allowed by two patients chooses: 200 with the list and nothing chosen, then the chosen one', async () => {
  const both = await createPerson(f.db, 'marie@q.test', 'relative');
  for (const patientId of [f.patientA, f.patientB]) {
    await linkCare(f.db, patientId, both.id, 'relative');
    await f.db.query('INSERT INTO questionnaire_proxies (patient_id, account_id, allowed_at) VALUES ($1, $2, now())', [patientId, both.id]);
  }
  cookies.both = await f.login(both);
  const choose = await call('both', 'GET', '/api/my/questionnaire');
  assert.equal(choose.status, 200);
  assert.deepEqual(choose.body, {
    patientId: '', patientName: '', slot: null, questionnaireVersion: 0, items: [], answered: false,
    canAnswerFor: [{ patientId: f.patientA, patientName: 'Alice Patient' }, { patientId: f.patientB, patientName: 'Bob Patient' }],
  });
  const chosen = await call('both', 'GET', `/api/my/questionnaire?patientId=${f.patientA}`);
  assert.deepEqual([chosen.status, chosen.body.patientId, (chosen.body.items as unknown[]).length], [200, f.patientA, 4]);
  assert.equal((await call('both', 'GET', `/api/my/questionnaire?patientId=${f.patientB}`)).code, 'QUESTIONNAIRE_NOT_SET');
  await f.db.query('DELETE FROM questionnaire_proxies WHERE account_id = $1', [both.id]);
  await f.db.query('DELETE FROM care_links WHERE account_id = $1', [both.id]);
});

test('doctor and nurse read the grid (answered, missed, streaks) and the summary; each read is in the access log', async () => {
  const grid = await call('doctorA', 'GET', `/api/patients/${f.patientA}/questionnaire/responses?from=2026-05-28&to=2026-06-01`);
  assert.equal(grid.status, 200);
  const days = grid.body.days as { date: string; status: string; answeredBy?: string; answers: Record<string, string> }[];
  assert.deepEqual(days.map((d) => [d.date, d.status, d.answeredBy ?? null]), [
    ['2026-05-28', 'missed', null],
    ['2026-05-29', 'missed', null],
    ['2026-05-30', 'answered', 'relative'],
    ['2026-05-31', 'answered', 'relative'],
    ['2026-06-01', 'answered', 'patient'],
  ]);
  assert.deepEqual((grid.body.streaks as { linkId: string; length: number }[]).map((s) => s.length), [2, 2, 2, 2]);
  assert.equal((await call('doctorA', 'GET', `/api/patients/${f.patientA}/questionnaire/responses?from=2026-13-01`)).field, 'from');
  assert.equal((await call('doctorB', 'GET', `/api/patients/${f.patientA}/questionnaire/responses`)).status, 404);
  const summary = await call('nurse', 'GET', `/api/patients/${f.patientA}/summary`);
  const last = (summary.body.questionnaire as { lastAnswers: { date: string; answer: string }[] }).lastAnswers;
  assert.equal(last.length, 4);
  assert.ok(last.every((a) => a.date === TODAY && a.answer === 'positive'));
  const log = await f.db.query<{ action: string }>("SELECT DISTINCT action FROM access_log WHERE patient_id = $1 AND action LIKE 'questionnaire.%' ORDER BY 1", [f.patientA]);
  assert.deepEqual(log.rows.map((r) => r.action), ['questionnaire.answer', 'questionnaire.my', 'questionnaire.plan', 'questionnaire.responses']);
});

test('the box shows the reminder and clears it when the questionnaire is answered; erasure purges every questionnaire table', async () => {
  // The next day, 10:00 in Paris: a pass reminds (no subscription: e-mail) and puts the notice on the box.
  f.clock.now = Date.parse('2026-06-02T08:00:00Z');
  const mail = recordingMail();
  const scheduler = createQuestionnaireScheduler({ db: f.db, push: recordingPush(), mail, log: silentLogger() });
  const report = await scheduler.runPass(new Date(f.clock.now));
  assert.equal(report.boxes, 1);
  assert.deepEqual(mail.sent.map((m) => m.to), ['jeanne@q.test']);
  assert.deepEqual(await currentScreenNotice(f.db, f.boxA.boxId, f.clock.now), { kind: 'questionnaire', slotId: '2026-06-02' });
  cookies.patient = await f.login(patient);
  const answered = await call('patient', 'POST', '/api/my/questionnaire/responses', {
    patientId: f.patientA, slotId: '2026-06-02', questionnaireVersion: 1, clientId: randomUUID(), answeredAt: new Date(f.clock.now).toISOString(), answers: answers(links),
  });
  assert.equal(answered.status, 201);
  assert.equal(await currentScreenNotice(f.db, f.boxA.boxId, f.clock.now), null);

  await claimErasure(f.db, f.patientA, { reason: 'admin_request', requestedBy: f.admin.id, now: f.clock.now });
  const erasure = await runErasure(f.db, f.patientA, { now: f.clock.now });
  assert.ok(erasure.completedAt);
  for (const table of ['questionnaire_plans', 'questionnaire_current_plans', 'questionnaire_responses', 'questionnaire_answers', 'questionnaire_proxies', 'questionnaire_reminders']) {
    assert.equal(await countRows(f.db, table, 'patient_id = $1', [f.patientA]), 0, table);
  }
});
