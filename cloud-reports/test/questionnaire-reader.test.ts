/**
 * The report's questionnaire section read by SQL (`questionnaireGrid`, PGlite or PostgreSQL): the
 * questions in the doctor's language, per-day answer labels, the days due / answered / missed
 * under a plan that changed in the period (weekdays only), negative streaks of two or more over
 * the due days, and nothing at all for a patient without a questionnaire.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPatient, openTestDb, type TestDb } from '@vigie/cloud-store/testing';
import { questionnaireGrid } from '../src/render/report-reader.ts';
import { createAccount, seedQuestionnaire } from '../src/testing.ts';

let db: TestDb;
before(async () => {
  db = await openTestDb();
});
after(() => db.close());

// Monday 30 November → Sunday 6 December 2026, asked for on Friday 4 December at 12:00 Paris
// (4 December is not over: not missed; 5 and 6 December are in the future).
const ASKED = Date.UTC(2026, 11, 4, 11);

test('questions in English, labels per day, due / answered / missed days and negative streaks under a plan that changed', async () => {
  const patientId = await createPatient(db, 'Edith Moreau', 1935);
  const doctor = await createAccount(db, 'doctor', 'Dr Ann Smith', 'en');
  await seedQuestionnaire(db, {
    patientId,
    doctorId: doctor.id,
    plans: [
      { anchor: '2026-11-01', kind: 'daily', linkIds: ['sleep', 'mood'] },
      // From Wednesday: weekdays Monday, Wednesday, Friday only; appetite added, first.
      { anchor: '2026-12-02', kind: 'weekdays', weekdays: [1, 3, 5], linkIds: ['appetite', 'sleep'] },
    ],
    answers: {
      '2026-11-30': { sleep: 'negative', mood: 'negative' },
      // 1 December missed (daily plan).
      '2026-12-02': { appetite: 'neutral', sleep: 'negative' },
      // 3 December: not due (Thursday).
      '2026-12-04': { appetite: 'negative', sleep: 'negative' },
    },
  });
  const grid = await questionnaireGrid(db, patientId, '2026-11-30', '2026-12-07', 'en', ASKED);
  assert.ok(grid);
  assert.deepEqual(grid.days, ['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06']);
  const labels = grid.rows.map((r) => [r.question, r.answers.map((a) => (a ? `${a.label}${a.negative ? '!' : ''}` : null))]);
  assert.deepEqual(labels, [
    ['How is your appetite?', [null, null, 'Fair', null, 'Poor!', null, null]],
    ['Did you sleep well?', ['Badly!', null, 'Badly!', null, 'Badly!', null, null]],
    ['How do you feel today?', ['Unwell!', null, null, null, null, null, null]],
  ]);
  // Due: 30/11, 01/12 (daily), 02/12 (Wed), 04/12 (Fri); 03/12 (Thu) and 05–06/12 (weekend) not.
  assert.equal(grid.dueDays, 4);
  assert.equal(grid.answeredDays, 3);
  assert.deepEqual(grid.missedDays, ['2026-12-01']);
  // Sleep: 30/11 then a missed day, then 02/12 and 04/12 across Thursday (not due): one streak of two.
  assert.deepEqual(grid.streaks, [{ question: 'Did you sleep well?', from: '2026-12-02', to: '2026-12-04', length: 2 }]);

  // The same rows in French, the doctor's language when it is French.
  const fr = await questionnaireGrid(db, patientId, '2026-11-30', '2026-12-07', 'fr', ASKED);
  assert.deepEqual(fr!.rows.map((r) => r.question), ['Comment est votre appétit ?', 'Avez-vous bien dormi ?', 'Comment vous sentez-vous aujourd’hui ?']);
  assert.equal(fr!.rows[1]!.answers[0]!.label, 'Mal');
  // Deterministic: the same rows give the same section.
  assert.deepEqual(await questionnaireGrid(db, patientId, '2026-11-30', '2026-12-07', 'en', ASKED), grid);
});

test('no questionnaire section for a patient without a plan or an answer', async () => {
  const patientId = await createPatient(db, 'Louis Petit', 1940);
  assert.equal(await questionnaireGrid(db, patientId, '2026-11-30', '2026-12-07', 'fr', ASKED), null);
});
